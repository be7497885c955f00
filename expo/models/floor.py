"""The expo and its floor: editions, the slot grid, halls, booths and their meeting tables."""

import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from expo.models.base import TimestampedModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s."), params={"value": value})


# Everyday Chinese names of the zones Chinese readers know by name; other zones show their UTC offset.
ZONE_NAMES_ZH: dict[str, str] = {
    "Asia/Shanghai": "北京时间",
    "Asia/Hong_Kong": "香港时间",
    "Asia/Taipei": "台北时间",
    "Asia/Tokyo": "东京时间",
    "Asia/Seoul": "首尔时间",
    "Asia/Singapore": "新加坡时间",
}


class ExpoQuerySet(models.QuerySet):
    def current(self) -> "Expo | None":
        return self.filter(is_current=True).first()


class Expo(TimestampedModel):
    """One edition of a trade expo: its days, opening hours and meeting slot grid.

    Deals are reported in CNY at every expo (`expo.models.money`); other currencies are converted
    at the expo's exchange rates.
    """

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
    def time_zone_label(self) -> str:
        """The expo's zone as a reader of the active language names it: the zone id in English,
        the everyday Chinese name where there is one (北京时间), else the offset on the expo's first day."""
        if not (get_language() or "").startswith("zh"):
            return self.time_zone
        if self.time_zone in ZONE_NAMES_ZH:
            return ZONE_NAMES_ZH[self.time_zone]
        offset = datetime.combine(self.start_date, self.opening_time, tzinfo=self.tzinfo).strftime("%z")
        return f"UTC{offset[:3]}:{offset[3:]}"

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


class Booth(models.Model):
    expo = models.ForeignKey(Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="booths")
    hall = models.ForeignKey(Hall, verbose_name=_("hall"), on_delete=models.PROTECT, related_name="booths")
    code = models.CharField(_("booth code"), max_length=30)
    exhibitor = models.ForeignKey(
        "expo.Exhibitor",
        verbose_name=_("exhibitor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booths",
    )
    tables = models.PositiveSmallIntegerField(
        _("tables"), default=1, help_text=_("How many meetings the booth can hold at once.")
    )
    is_lounge = models.BooleanField(
        _("shared meeting lounge"),
        default=False,
        help_text=_("A lounge belongs to no exhibitor: its tables serve exhibitors who take meetings there."),
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
                name="booth_lounge_has_no_exhibitor",
                condition=Q(is_lounge=False) | Q(exhibitor__isnull=True),
                violation_error_message=_("A meeting lounge belongs to no exhibitor."),
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
        if self.is_lounge and self.exhibitor_id:
            errors["exhibitor"] = _("A meeting lounge belongs to no exhibitor.")
        if self.tables is not None and not 1 <= self.tables <= 50:
            errors["tables"] = _("A booth has from 1 to 50 tables.")
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
