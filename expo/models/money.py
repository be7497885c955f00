"""Money: the exchange rates that turn a deal's currency into CNY at an expo, and their history.

Shuttle reports in CNY only (the API's `_cny` fields). A rate says how many CNY one unit of a
currency is worth at one expo; organisers change it during the expo, and every change is kept in
`ExchangeRateChange`, so a deal's stored rate can always be traced to when it was in force.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from expo.models.base import ZERO

REPORTING_CURRENCY = "CNY"

currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. USD."))


def _rate_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        **kwargs,
    )


class ExchangeRate(models.Model):
    """How many CNY one unit of a currency is worth at an expo (deals are reported in CNY)."""

    expo = models.ForeignKey(
        "expo.Expo", verbose_name=_("expo"), on_delete=models.CASCADE, related_name="exchange_rates"
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    rate_to_cny = _rate_field(_("CNY per unit"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["expo", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "currency"],
                name="exchange_rate_unique_currency_per_expo",
                violation_error_message=_("This expo already has a rate for this currency."),
            ),
            models.CheckConstraint(
                name="exchange_rate_positive",
                condition=Q(rate_to_cny__gt=ZERO),
                violation_error_message=_("An exchange rate must be greater than zero."),
            ),
            models.CheckConstraint(
                name="exchange_rate_currency_code",
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                violation_error_message=_("Use a three-letter ISO 4217 currency code."),
            ),
            models.CheckConstraint(
                name="exchange_rate_not_cny",
                condition=~Q(currency=REPORTING_CURRENCY),
                violation_error_message=_("CNY is the reporting currency: one CNY is always one CNY."),
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate_to_cny} CNY"


class ExchangeRateChange(models.Model):
    """One change of a rate: set (new rate), changed (old → new) or removed (no new rate). Append-only."""

    expo = models.ForeignKey(
        "expo.Expo", verbose_name=_("expo"), on_delete=models.CASCADE, related_name="exchange_rate_changes"
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    previous_rate = _rate_field(_("previous CNY per unit"), null=True, blank=True)
    rate_to_cny = _rate_field(_("CNY per unit"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("exchange rate change")
        verbose_name_plural = _("exchange rate history")
        ordering = ["expo", "currency", "-changed_at", "-id"]
        indexes = [models.Index(fields=["expo", "currency", "changed_at"], name="rate_change_lookup")]

    def __str__(self) -> str:
        return f"{self.currency}: {self.previous_rate or '—'} → {self.rate_to_cny or '—'}"
