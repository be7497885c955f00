"""Each invariant is enforced by the database itself, not only by forms or services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from expo.models import Booth, Buyer, ExchangeRate, Exhibitor, Expo, Slot, Table, Term
from tests.factories.expo import (
    BoothFactory,
    BuyerFactory,
    ExchangeRateFactory,
    ExhibitorFactory,
    ExpoFactory,
    HallFactory,
)

pytestmark = pytest.mark.django_db


def _rejected(model, pk, **values) -> bool:
    """Write `values` straight to the row with a queryset update (no model validation)."""
    try:
        with transaction.atomic():
            model.objects.filter(pk=pk).update(**values)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "values",
    [
        {"price_min_cny": Decimal("20.00"), "price_max_cny": Decimal("10.00")},
        {"price_min_cny": Decimal("0.00")},
        {"price_max_cny": Decimal("-1.00")},
        {"moq_m": 0},
        {"capacity_m_month": 0},
    ],
)
def test_exhibitor_rejects_invalid_numbers_at_database(values):
    exhibitor = ExhibitorFactory()

    assert _rejected(Exhibitor, exhibitor.pk, **values)
    exhibitor.refresh_from_db()
    assert exhibitor.price_min_cny == Decimal("8.50")
    assert exhibitor.moq_m == 1000


@pytest.mark.parametrize(
    "values",
    [
        {"price_min_cny": Decimal("15.00"), "price_max_cny": Decimal("14.99")},
        {"order_quantity_m": 0},
        {"price_min_cny": Decimal("0")},
    ],
)
def test_buyer_rejects_invalid_numbers_at_database(values):
    buyer = BuyerFactory()

    assert _rejected(Buyer, buyer.pk, **values)


def test_profiles_accept_equal_price_bounds_and_open_ranges():
    exhibitor = ExhibitorFactory()

    assert not _rejected(
        Exhibitor, exhibitor.pk, price_min_cny=Decimal("9.99"), price_max_cny=Decimal("9.99")
    )
    assert not _rejected(Exhibitor, exhibitor.pk, price_min_cny=None, price_max_cny=Decimal("3.00"))


def test_only_one_expo_is_current():
    current = ExpoFactory(is_current=True)
    other = ExpoFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Expo.objects.filter(pk=other.pk).update(is_current=True)
    assert list(Expo.objects.filter(is_current=True)) == [current]


def test_many_expos_may_be_not_current():
    ExpoFactory(is_current=False)
    ExpoFactory(is_current=False)

    assert Expo.objects.filter(is_current=False).count() == 2


@pytest.mark.parametrize(
    "values",
    [
        {"days": 0},
        {"slot_minutes": 2},
        {"opening_time": datetime.time(18, 0)},
    ],
)
def test_expo_rejects_invalid_schedule_at_database(values):
    expo = ExpoFactory()

    assert _rejected(Expo, expo.pk, **values)


def test_booth_code_is_unique_per_expo():
    booth = BoothFactory(code="A101")

    with pytest.raises(IntegrityError), transaction.atomic():
        Booth.objects.create(expo=booth.expo, hall=booth.hall, code="A101")
    other_expo_booth = BoothFactory(code="A101")
    assert other_expo_booth.code == booth.code
    assert Booth.objects.filter(code="A101").count() == 2


def test_booth_needs_at_least_one_table():
    booth = BoothFactory()

    assert _rejected(Booth, booth.pk, tables=0)


def test_table_number_unique_per_booth():
    booth = BoothFactory(tables=1)
    assert list(booth.table_set.values_list("number", flat=True)) == [1]

    with pytest.raises(IntegrityError), transaction.atomic():
        Table.objects.create(booth=booth, number=1)


def test_hall_code_unique_per_expo():
    hall = HallFactory(code="B")

    with pytest.raises(IntegrityError), transaction.atomic():
        HallFactory(expo=hall.expo, code="B")


def test_slot_must_end_after_start_and_be_unique():
    expo = ExpoFactory()
    start = datetime.datetime(2027, 4, 12, 0, 0, tzinfo=datetime.UTC)  # 08:00 in Shanghai, before opening
    Slot.objects.create(expo=expo, start=start, end=start + datetime.timedelta(minutes=20))

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(expo=expo, start=start, end=start + datetime.timedelta(minutes=30))
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(expo=expo, start=start + datetime.timedelta(hours=1), end=start)


def test_term_slug_unique_per_kind_and_kind_must_be_known():
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(kind="fabric", slug="chiffon", name_en="Chiffon 2", name_zh="雪纺2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(kind="colour", slug="red", name_en="Red", name_zh="红色")
    Term.objects.create(kind="process", slug="chiffon", name_en="X", name_zh="X")
    kinds = Term.objects.filter(slug="chiffon").order_by("kind").values_list("kind", flat=True)
    assert list(kinds) == ["fabric", "process"]


def test_exchange_rate_positive_and_unique_per_currency():
    rate = ExchangeRateFactory(currency="USD")

    assert _rejected(ExchangeRate, rate.pk, rate_to_cny=Decimal("0"))
    assert _rejected(ExchangeRate, rate.pk, currency="usd")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRateFactory(expo=rate.expo, currency="USD")


def test_external_ids_unique_per_expo_but_blank_allowed_many_times():
    exhibitor = ExhibitorFactory(external_id="M-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        ExhibitorFactory(expo=exhibitor.expo, external_id="M-1")
    ExhibitorFactory(expo=exhibitor.expo, external_id="")
    ExhibitorFactory(expo=exhibitor.expo, external_id="")
    assert Exhibitor.objects.filter(expo=exhibitor.expo, external_id="").count() == 2


def test_buyer_has_one_profile_per_expo():
    buyer = BuyerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        BuyerFactory(expo=buyer.expo, user=buyer.user)


def test_user_email_is_unique_ignoring_case():
    User.objects.create_user("Li.Wei@Example.com", "pw-123456789")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="LI.WEI@example.com")


def test_full_clean_names_the_field_for_inverted_prices():
    exhibitor = ExhibitorFactory.build(
        expo=ExpoFactory(), price_min_cny=Decimal("30"), price_max_cny=Decimal("10")
    )

    with pytest.raises(ValidationError) as excinfo:
        exhibitor.full_clean()
    assert "price_max_cny" in excinfo.value.message_dict


def test_a_term_reads_in_the_active_language():
    from django.utils import translation

    term = Term(kind="fabric", slug="chiffon", name_en="Chiffon", name_zh="雪纺")
    with translation.override("zh-hans"):
        assert str(term) == "雪纺"
    with translation.override("en"):
        assert str(term) == "Chiffon"
