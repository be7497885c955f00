"""Money: converting an amount to CNY at an expo's rate, half-up to the fen, and setting rates with history."""

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from expo.models import REPORTING_CURRENCY, ExchangeRate, ExchangeRateChange, Expo

FEN = Decimal("0.01")
ONE = Decimal("1")
# Enough digits for any amount (16) times any rate (18) without rounding before the final step.
_EXACT = Context(prec=60, rounding=ROUND_HALF_UP)


def cny_fen(*, amount: Decimal, rate: Decimal) -> int:
    """`amount` × `rate` in whole fen, rounded half-up (0.005 yuan → 0.01) once, at the end."""
    with localcontext(_EXACT):
        return int((amount * rate).quantize(FEN, rounding=ROUND_HALF_UP) * 100)


def rate_current(*, expo: Expo, currency: str) -> Decimal | None:
    """How many CNY one unit of `currency` is worth at `expo` now; 1 for CNY, None when unknown."""
    if currency == REPORTING_CURRENCY:
        return ONE
    return (
        ExchangeRate.objects.filter(expo=expo, currency=currency)
        .values_list("rate_to_cny", flat=True)
        .first()
    )


def rate_at(*, expo: Expo, currency: str, when) -> Decimal | None:
    """The rate in force at `when` (a datetime), from the history; None if none was set yet."""
    if currency == REPORTING_CURRENCY:
        return ONE
    change = (
        ExchangeRateChange.objects.filter(expo=expo, currency=currency, changed_at__lte=when)
        .order_by("-changed_at", "-id")
        .first()
    )
    return change.rate_to_cny if change else None


def _record(*, expo: Expo, currency: str, previous: Decimal | None, rate: Decimal | None, user) -> None:
    ExchangeRateChange.objects.create(
        expo=expo,
        currency=currency,
        previous_rate=previous,
        rate_to_cny=rate,
        changed_by=user if user is not None and user.is_authenticated else None,
    )


@transaction.atomic
def exchange_rate_set(*, expo: Expo, currency: str, rate_to_cny: Decimal, user=None) -> ExchangeRate:
    """Set (or change) what one unit of `currency` is worth in CNY at `expo`, keeping the history.

    Deals already logged keep the rate they were converted at; new deals take this one.
    Raises ValidationError naming the field for a bad code or rate.
    """
    currency = (currency or "").strip().upper()
    rate = ExchangeRate.objects.select_for_update().filter(expo=expo, currency=currency).first()
    previous = rate.rate_to_cny if rate else None
    if rate is None:
        rate = ExchangeRate(expo=expo, currency=currency)
    rate.rate_to_cny = rate_to_cny
    if currency == REPORTING_CURRENCY:
        raise ValidationError({"currency": _("CNY is the reporting currency: one CNY is always one CNY.")})
    rate.full_clean()
    rate.save()
    if previous is None or previous != rate.rate_to_cny:
        _record(expo=expo, currency=currency, previous=previous, rate=rate.rate_to_cny, user=user)
    return rate


@transaction.atomic
def exchange_rate_remove(*, rate: ExchangeRate, user=None) -> None:
    """Remove a currency's rate (new deals in it are refused); the history records the removal."""
    _record(expo=rate.expo, currency=rate.currency, previous=rate.rate_to_cny, rate=None, user=user)
    rate.delete()
