"""Money: the exchange rates that turn a deal's currency into CNY at an expo."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from expo.models.base import ZERO

currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. USD."))


class ExchangeRate(models.Model):
    """How many CNY one unit of a currency is worth at an expo (deals are reported in CNY)."""

    expo = models.ForeignKey(
        "expo.Expo", verbose_name=_("expo"), on_delete=models.CASCADE, related_name="exchange_rates"
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    rate_to_cny = models.DecimalField(
        _("CNY per unit"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )
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
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate_to_cny} CNY"
