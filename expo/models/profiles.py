"""Exhibitor and buyer profiles at one expo, and the staff who work for an exhibitor."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from expo.models.base import TimestampedModel, _positive, _price_range_constraints, clean_price_range
from expo.models.floor import Expo
from expo.models.taxonomy import Term, TermKind
from expo.provinces import PROVINCE_CHOICES, province_name

_CJK = re.compile(r"[\u3400-\u9fff]")


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


class ProfileQuerySet(models.QuerySet):
    def for_expo(self, expo: Expo) -> "ProfileQuerySet":
        return self.filter(expo=expo)


def _facet(kind: str, verbose_name, related_name: str) -> models.ManyToManyField:
    return models.ManyToManyField(
        Term,
        verbose_name=verbose_name,
        blank=True,
        related_name=related_name,
        limit_choices_to={"kind": kind},
    )


class Exhibitor(TimestampedModel):
    """An exhibiting company (a mill or trader) at one expo, with what it can make."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="exhibitors"
    )
    external_id = models.CharField(_("external ID"), max_length=64, blank=True)
    name_en = models.CharField(_("company name"), max_length=200)
    name_zh = models.CharField(_("Chinese company name"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    country = CountryField(_("country"), default="CN")
    province = models.CharField(
        _("province"),
        max_length=2,
        choices=PROVINCE_CHOICES,
        blank=True,
        help_text=_("For companies in China."),
    )
    region = models.CharField(
        _("region"),
        max_length=80,
        blank=True,
        help_text=_("State, region or city, for companies outside China."),
    )

    fabrics = _facet(TermKind.FABRIC, _("fabrics"), "fabric_exhibitors")
    processes = _facet(TermKind.PROCESS, _("processes"), "process_exhibitors")
    fibres = _facet(TermKind.FIBRE, _("fibres"), "fibre_exhibitors")
    end_uses = _facet(TermKind.END_USE, _("end uses"), "end_use_exhibitors")
    certifications = _facet(TermKind.CERTIFICATION, _("certifications"), "certification_exhibitors")

    moq_m = models.PositiveIntegerField(_("minimum order (m)"), null=True, blank=True)
    capacity_m_month = models.PositiveIntegerField(_("monthly capacity (m)"), null=True, blank=True)
    price_min_cny = models.DecimalField(
        _("lowest price (CNY/m)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    price_max_cny = models.DecimalField(
        _("highest price (CNY/m)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), null=True, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("exhibitor")
        verbose_name_plural = _("exhibitors")
        ordering = ["name_en", "id"]
        # Matching's catch-up reads the profiles changed since a run began (migration 0007).
        indexes = [models.Index(fields=["expo", "updated_at"], name="exhibitor_expo_updated")]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "external_id"],
                condition=~Q(external_id=""),
                name="exhibitor_unique_external_id_per_expo",
                violation_error_message=_("This expo already has an exhibitor with this external ID."),
            ),
            _positive("exhibitor_moq_positive", "moq_m", _("The minimum order must be greater than zero.")),
            _positive(
                "exhibitor_capacity_positive",
                "capacity_m_month",
                _("The monthly capacity must be greater than zero."),
            ),
            *_price_range_constraints("exhibitor"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_zh and _chinese():
            return self.name_zh
        return self.name_en

    @property
    def description(self) -> str:
        """The description in the active language, or in the other one when that is empty."""
        first, second = (
            (self.description_zh, self.description_en)
            if _chinese()
            else (self.description_en, self.description_zh)
        )
        return first or second

    @property
    def description_is_other_language(self) -> bool:
        """Whether `description` fell back to the other language (pages mark it with `lang`)."""
        own = self.description_zh if _chinese() else self.description_en
        return not own and bool(self.description)

    @property
    def province_name(self) -> str:
        return province_name(self.province)

    @property
    def place(self) -> str:
        """Province (or region) and country as the page's language writes them: "Jiangsu, China", "中国江苏"."""
        country = str(self.country.name) if self.country else ""
        if _chinese():
            # A region typed in Latin letters stays out of a Chinese sentence: the country says enough.
            region = self.region if _CJK.search(self.region) else ""
            return f"{country}{self.province_name or region}"
        within = self.province_name or self.region
        if not within:
            return country
        return f"{within}, {country}" if country else within

    def clean(self) -> None:
        clean_price_range(self)
        if self.province and self.country and self.country.code != "CN":
            raise ValidationError({"province": _("A province is for companies in China; use the region.")})


class ExhibitorStaff(models.Model):
    """Links an exhibitor staff user to the one company they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="exhibitor_staff",
    )
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="staff"
    )

    class Meta:
        verbose_name = _("exhibitor staff member")
        verbose_name_plural = _("exhibitor staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.exhibitor}"


class Buyer(TimestampedModel):
    """A buyer's sourcing profile at one expo."""

    expo = models.ForeignKey(Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="buyers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="buyer_profiles",
    )
    external_id = models.CharField(_("external ID"), max_length=64, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)

    fabrics = _facet(TermKind.FABRIC, _("fabrics"), "fabric_buyers")
    processes = _facet(TermKind.PROCESS, _("processes"), "process_buyers")
    fibres = _facet(TermKind.FIBRE, _("fibres"), "fibre_buyers")
    end_uses = _facet(TermKind.END_USE, _("end uses"), "end_use_buyers")
    certifications_required = _facet(
        TermKind.CERTIFICATION, _("required certifications"), "certification_buyers"
    )

    order_quantity_m = models.PositiveIntegerField(_("order quantity (m)"), null=True, blank=True)
    price_min_cny = models.DecimalField(
        _("target price from (CNY/m)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    price_max_cny = models.DecimalField(
        _("target price to (CNY/m)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    lead_time_days = models.PositiveSmallIntegerField(_("needed within (days)"), null=True, blank=True)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked by the organiser as a genuine buyer.")
    )

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        ordering = ["company", "id"]
        # The admin's buyer list reads its first page in this order: without the index,
        # PostgreSQL sorts every buyer for each page (100 ms at 50,000 buyers). Matching's
        # catch-up reads the profiles changed since a run began (migration 0007).
        indexes = [
            models.Index(fields=["company", "id"], name="buyer_company_order"),
            models.Index(fields=["expo", "updated_at"], name="buyer_expo_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "user"],
                name="buyer_one_profile_per_expo",
                violation_error_message=_("This user already has a buyer profile at this expo."),
            ),
            models.UniqueConstraint(
                fields=["expo", "external_id"],
                condition=~Q(external_id=""),
                name="buyer_unique_external_id_per_expo",
                violation_error_message=_("This expo already has a buyer with this external ID."),
            ),
            _positive(
                "buyer_order_quantity_positive",
                "order_quantity_m",
                _("The order quantity must be greater than zero."),
            ),
            *_price_range_constraints("buyer"),
        ]

    def __str__(self) -> str:
        return self.company or str(self.user)

    def clean(self) -> None:
        clean_price_range(self)
