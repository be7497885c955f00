import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from expo.models import ExchangeRate, ExchangeRateChange, fen_text
from expo.services.money import cny_fen, exchange_rate_remove, exchange_rate_set, rate_at, rate_current
from tests.factories.accounts import OrganiserFactory
from tests.factories.expo import ExpoFactory

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999999999.99"), places=2)
rates = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("9999999999.99999999"), places=8)


def _reference_fen(amount: Decimal, rate: Decimal) -> int:
    """Half-up rounding done by hand on integers: amount in fen × rate in 1e-8 units, exactly."""
    product = int(amount * 100) * int(rate * 10**8)  # fen × 1e8
    whole, rest = divmod(product, 10**8)
    return whole + (1 if rest * 2 >= 10**8 else 0)


@given(amount=amounts, rate=rates)
def test_cny_fen_rounds_half_up_once_exactly(amount, rate):
    assert cny_fen(amount=amount, rate=rate) == _reference_fen(amount, rate)


@given(fen=st.integers(min_value=0, max_value=10**15))
def test_fen_text_is_exact(fen):
    assert Decimal(fen_text(fen)) * 100 == fen
    assert fen_text(fen) == str((Decimal(fen) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("amount", "rate", "fen"),
    [
        ("0.01", "0.5", 1),  # 0.005 → 0.01: half goes up
        ("0.01", "0.49999999", 0),
        ("1.00", "7.12345", 712),  # 7.12345 → 7.12
        ("1.00", "7.125", 713),  # 7.125 → 7.13
        ("99999999999999.99", "9999999999.99999999", 99999999999999989900000000),  # no early rounding
        ("100.00", "1", 10000),
    ],
)
def test_cny_fen_examples(amount, rate, fen):
    assert cny_fen(amount=Decimal(amount), rate=Decimal(rate)) == fen


@pytest.mark.django_db
def test_rate_history_records_every_change_and_old_rates_stay_findable():
    expo = ExpoFactory()
    organiser = OrganiserFactory()

    exchange_rate_set(expo=expo, currency="usd", rate_to_cny=Decimal("7.10"), user=organiser)
    first = ExchangeRateChange.objects.get()
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.10"), user=organiser)  # unchanged
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.25"), user=None)
    rate = ExchangeRate.objects.get(expo=expo, currency="USD")
    exchange_rate_remove(rate=rate, user=organiser)

    history = list(
        ExchangeRateChange.objects.filter(expo=expo)
        .order_by("changed_at", "id")
        .values_list("currency", "previous_rate", "rate_to_cny", "changed_by")
    )
    assert history == [
        ("USD", None, Decimal("7.10000000"), organiser.pk),
        ("USD", Decimal("7.10000000"), Decimal("7.25000000"), None),
        ("USD", Decimal("7.25000000"), None, organiser.pk),
    ]
    assert rate_current(expo=expo, currency="USD") is None
    assert rate_at(expo=expo, currency="USD", when=first.changed_at) == Decimal("7.10000000")
    assert rate_at(expo=expo, currency="USD", when=first.changed_at - datetime.timedelta(seconds=1)) is None
    assert rate_current(expo=expo, currency="CNY") == Decimal("1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("CNY", "1", "currency"),
        ("US", "7", "currency"),
        ("USD", "0", "rate_to_cny"),
        ("USD", "-1", "rate_to_cny"),
    ],
)
def test_rate_set_rejects_bad_input_naming_the_field(currency, rate, field):
    expo = ExpoFactory()

    with pytest.raises(ValidationError) as exc:
        exchange_rate_set(expo=expo, currency=currency, rate_to_cny=Decimal(rate))

    assert field in exc.value.message_dict
    assert not ExchangeRate.objects.exists()
    assert not ExchangeRateChange.objects.exists()
