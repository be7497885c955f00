"""Expo editions, halls, booths and tables, the textile taxonomy, exhibitor and buyer profiles.

Models hold fields, constraints and cheap properties only; every write goes through
`expo.services` (STYLE.md, section 2). Database constraints carry every invariant that has one.
"""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

ZERO = Decimal("0")


class TermKind(models.TextChoices):
    FABRIC = "fabric", _("Fabric")
    PROCESS = "process", _("Process")
    FIBRE = "fibre", _("Fibre")
    END_USE = "end_use", _("End use")
    CERTIFICATION = "certification", _("Certification")


# Facet fields of each profile and the taxonomy kind each one takes.
EXHIBITOR_FACETS: dict[str, str] = {
    "fabrics": TermKind.FABRIC,
    "processes": TermKind.PROCESS,
    "fibres": TermKind.FIBRE,
    "end_uses": TermKind.END_USE,
    "certifications": TermKind.CERTIFICATION,
}
BUYER_FACETS: dict[str, str] = {
    "fabrics": TermKind.FABRIC,
    "processes": TermKind.PROCESS,
    "fibres": TermKind.FIBRE,
    "end_uses": TermKind.END_USE,
    "certifications_required": TermKind.CERTIFICATION,
}

currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. USD."))


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s."), params={"value": value})


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


# --- Expo and its floor -------------------------------------------------------------------------


class ExpoQuerySet(models.QuerySet):
    def current(self) -> "Expo | None":
        return self.filter(is_current=True).first()


class Expo(TimestampedModel):
    """One edition of a trade expo: its days, opening hours and meeting slot grid."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    edition = models.CharField(_("edition"), max_length=40, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    venue_zh = models.CharField(_("Chinese venue name"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    days = models.PositiveSmallIntegerField(_("days"), default=3)
    opening_time = models.TimeField(_("opening time"))
    closing_time = models.TimeField(_("closing time"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=20)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    currency = models.CharField(
        _("reporting currency"), max_length=3, default="CNY", validators=[currency_validator]
    )
    is_current = models.BooleanField(
        _("current"), default=False, help_text=_("The API and pages act on the current expo.")
    )
    unverified_request_limit = models.PositiveSmallIntegerField(
        _("meeting requests per unverified buyer"),
        default=5,
        help_text=_("How many meeting requests a buyer not yet verified may make at this expo."),
    )

    objects = ExpoQuerySet.as_manager()

    class Meta:
        verbose_name = _("expo")
        verbose_name_plural = _("expos")
        ordering = ["-start_date", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="expo_one_current",
                violation_error_message=_("Only one expo can be current."),
            ),
            models.CheckConstraint(
                name="expo_days_range",
                condition=Q(days__gte=1) & Q(days__lte=31),
                violation_error_message=_("An expo lasts from 1 to 31 days."),
            ),
            models.CheckConstraint(
                name="expo_slot_minutes_range",
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=240),
                violation_error_message=_("A slot lasts from 5 to 240 minutes."),
            ),
            models.CheckConstraint(
                name="expo_opening_before_closing",
                condition=Q(opening_time__lt=F("closing_time")),
                violation_error_message=_("The opening time must be before the closing time."),
            ),
            models.CheckConstraint(
                name="expo_currency_code",
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                violation_error_message=_("Use a three-letter ISO 4217 currency code."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name

    def clean(self) -> None:
        """Name the field for each broken rule (the database constraints below are the backstop)."""
        errors = {}
        if self.opening_time and self.closing_time and self.opening_time >= self.closing_time:
            errors["closing_time"] = _("The closing time must be after the opening time.")
        if self.days is not None and not 1 <= self.days <= 31:
            errors["days"] = _("An expo lasts from 1 to 31 days.")
        if self.slot_minutes is not None and not 5 <= self.slot_minutes <= 240:
            errors["slot_minutes"] = _("A slot lasts from 5 to 240 minutes.")
        if errors:
            raise ValidationError(errors)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def end_date(self):
        return self.start_date + timedelta(days=self.days - 1)

    def local_datetime(self, day_index: int, at) -> datetime:
        """The aware datetime of `at` (a time) on the expo's day `day_index` (0-based)."""
        return datetime.combine(self.start_date + timedelta(days=day_index), at, tzinfo=self.tzinfo)


class Slot(models.Model):
    """An expo-wide meeting interval, stored in UTC and shown in the expo's time zone."""

    expo = models.ForeignKey(Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "start"], name="slot_unique_start_per_expo"),
            models.CheckConstraint(
                name="slot_start_before_end",
                condition=Q(start__lt=F("end")),
                violation_error_message=_("A slot must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        tz = self.expo.tzinfo
        return f"{self.start.astimezone(tz):%Y-%m-%d %H:%M}–{self.end.astimezone(tz):%H:%M}"


class Hall(models.Model):
    expo = models.ForeignKey(Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="halls")
    code = models.CharField(_("code"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        ordering = ["expo", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "code"],
                name="hall_unique_code_per_expo",
                violation_error_message=_("This expo already has a hall with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en or self.code


# --- Taxonomy ------------------------------------------------------------------------------------


class TermQuerySet(models.QuerySet):
    def of_kind(self, kind: str) -> "TermQuerySet":
        return self.filter(kind=kind)


class Term(models.Model):
    """A controlled, bilingual taxonomy value (a fabric, process, fibre, end use or certification)."""

    kind = models.CharField(_("kind"), max_length=20, choices=TermKind.choices)
    slug = models.SlugField(_("slug"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["kind", "position", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "slug"],
                name="term_unique_slug_per_kind",
                violation_error_message=_("A term with this slug already exists for this kind."),
            ),
            models.CheckConstraint(
                name="term_kind_valid",
                condition=Q(kind__in=TermKind.values),
                violation_error_message=_("Unknown taxonomy kind."),
            ),
            models.CheckConstraint(
                name="term_not_own_parent",
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")),
                violation_error_message=_("A term cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} · {self.name_zh}"

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    def clean(self) -> None:
        if self.parent_id and self.parent.kind != self.kind:
            raise ValidationError({"parent": _("The parent must be a term of the same kind.")})


# --- Profiles ------------------------------------------------------------------------------------


def clean_price_range(profile) -> None:
    """Name the field when a price range is upside down (the database constraint is the backstop)."""
    low, high = profile.price_min_cny, profile.price_max_cny
    if low is not None and high is not None and low > high:
        raise ValidationError({"price_max_cny": _("The maximum price cannot be below the minimum price.")})


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
    description = models.TextField(_("description"), blank=True)
    country = CountryField(_("country"), default="CN")
    province = models.CharField(_("province"), max_length=80, blank=True)

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
        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name_en

    def clean(self) -> None:
        clean_price_range(self)


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


class Booth(models.Model):
    expo = models.ForeignKey(Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="booths")
    hall = models.ForeignKey(Hall, verbose_name=_("hall"), on_delete=models.PROTECT, related_name="booths")
    code = models.CharField(_("booth code"), max_length=30)
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booths",
    )
    tables = models.PositiveSmallIntegerField(
        _("tables"), default=1, help_text=_("How many meetings the booth can hold at once.")
    )

    class Meta:
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        ordering = ["expo", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "code"],
                name="booth_unique_code_per_expo",
                violation_error_message=_("This expo already has a booth with this code."),
            ),
            models.CheckConstraint(
                name="booth_tables_range",
                condition=Q(tables__gte=1) & Q(tables__lte=50),
                violation_error_message=_("A booth has from 1 to 50 tables."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        errors = {}
        if self.hall_id and self.expo_id and self.hall.expo_id != self.expo_id:
            errors["hall"] = _("The hall belongs to another expo.")
        if self.exhibitor_id and self.expo_id and self.exhibitor.expo_id != self.expo_id:
            errors["exhibitor"] = _("The exhibitor belongs to another expo.")
        if errors:
            raise ValidationError(errors)


class Table(models.Model):
    """One meeting table at a booth; a meeting holds one table for one slot."""

    booth = models.ForeignKey(
        Booth, verbose_name=_("booth"), on_delete=models.CASCADE, related_name="table_set"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=60, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["booth", "number"]
        constraints = [
            models.UniqueConstraint(fields=["booth", "number"], name="table_unique_number_per_booth"),
            models.CheckConstraint(
                name="table_number_positive",
                condition=Q(number__gte=1),
                violation_error_message=_("Table numbers start at 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.booth.code} #{self.number}"


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


class ExchangeRate(models.Model):
    """How many CNY one unit of a currency is worth at an expo (deals are reported in CNY)."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="exchange_rates"
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
