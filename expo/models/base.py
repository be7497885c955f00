"""Pieces every expo model shares: timestamps and the constraint builders of profiles."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")


def _price_range_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            name=f"{prefix}_price_min_positive",
            condition=Q(price_min_cny__isnull=True) | Q(price_min_cny__gt=ZERO),
            violation_error_message=_("The minimum price must be greater than zero."),
        ),
        models.CheckConstraint(
            name=f"{prefix}_price_max_positive",
            condition=Q(price_max_cny__isnull=True) | Q(price_max_cny__gt=ZERO),
            violation_error_message=_("The maximum price must be greater than zero."),
        ),
        models.CheckConstraint(
            name=f"{prefix}_price_min_lte_max",
            condition=Q(price_min_cny__isnull=True)
            | Q(price_max_cny__isnull=True)
            | Q(price_min_cny__lte=F("price_max_cny")),
            violation_error_message=_("The minimum price cannot exceed the maximum price."),
        ),
        models.CheckConstraint(
            name=f"{prefix}_lead_time_not_negative",
            condition=Q(lead_time_days__isnull=True) | Q(lead_time_days__gte=0),
            violation_error_message=_("The lead time cannot be negative."),
        ),
    ]


def _positive(name: str, field: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(
        name=name,
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": 0}),
        violation_error_message=message,
    )


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def clean_price_range(profile) -> None:
    """Name the field when a price range is upside down (the database constraint is the backstop)."""
    low, high = profile.price_min_cny, profile.price_max_cny
    if low is not None and high is not None and low > high:
        raise ValidationError({"price_max_cny": _("The maximum price cannot be below the minimum price.")})
