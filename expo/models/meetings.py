"""Meetings: the organiser's rules, closed slots, exhibitors' availability, meetings and their history,
and the outbox of notifications.

A meeting holds one buyer and one table for one slot. Two partial unique constraints (on SQLite and
PostgreSQL alike) make the database itself refuse a second *active* meeting of a buyer, or of a
table, in the same slot, whatever the concurrency; the booking service turns that refusal into a
409 (`expo.services.meetings`). Meetings point at their slot and table with PROTECT, so the slot
grid or a booth can never be shrunk from under a booked meeting.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from expo.models.base import TimestampedModel
from expo.models.floor import Expo, Slot, Table
from expo.models.profiles import Buyer, Exhibitor


class MeetingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("No-show")


# States that hold the buyer's time and the table: the partial unique constraints cover exactly these.
ACTIVE_STATUSES: tuple[str, ...] = (MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED, MeetingStatus.CHECKED_IN)


class Side(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    EXHIBITOR = "exhibitor", _("Exhibitor")


def new_check_in_code() -> str:
    """The secret a buyer's QR code carries for one meeting (URL-safe, about 128 bits)."""
    return secrets.token_urlsafe(16)


REMINDER_MAX_MINUTES = 24 * 60


class MeetingPolicy(models.Model):
    """The organiser's meeting rules for one expo. An expo without a row uses the defaults."""

    expo = models.OneToOneField(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="meeting_policy"
    )
    buyer_limit = models.PositiveSmallIntegerField(
        _("active meetings per buyer"),
        null=True,
        blank=True,
        help_text=_("Requested or accepted meetings a buyer may hold at once; empty means no limit."),
    )
    exhibitor_limit = models.PositiveSmallIntegerField(
        _("active meetings per exhibitor"),
        null=True,
        blank=True,
        help_text=_("Requested or accepted meetings an exhibitor may hold at once; empty means no limit."),
    )
    request_expiry_hours = models.PositiveSmallIntegerField(
        _("requests expire after (hours)"),
        null=True,
        blank=True,
        default=48,
        help_text=_("An unanswered request frees its slot after this long; empty means never."),
    )
    reminder_minutes = models.PositiveSmallIntegerField(
        _("reminder before a meeting (minutes)"),
        null=True,
        blank=True,
        default=30,
        validators=[MaxValueValidator(REMINDER_MAX_MINUTES)],
        help_text=_("At most a day (1440 minutes); empty means no reminders."),
    )

    class Meta:
        verbose_name = _("meeting rules")
        verbose_name_plural = _("meeting rules")
        constraints = [
            models.CheckConstraint(
                name="meetingpolicy_reminder_within_a_day",
                condition=Q(reminder_minutes__isnull=True) | Q(reminder_minutes__lte=REMINDER_MAX_MINUTES),
                violation_error_message=_("A reminder comes at most a day before the meeting."),
            ),
            models.CheckConstraint(
                name="meetingpolicy_expiry_positive",
                condition=Q(request_expiry_hours__isnull=True) | Q(request_expiry_hours__gte=1),
                violation_error_message=_("Requests expire after at least one hour."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.expo)


class SlotClosure(models.Model):
    """A slot in which nobody can book a meeting (the opening ceremony, lunch), with the reason."""

    slot = models.OneToOneField(
        Slot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="closure"
    )
    reason_en = models.CharField(_("reason"), max_length=200, blank=True)
    reason_zh = models.CharField(_("Chinese reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed slot")
        verbose_name_plural = _("closed slots")
        ordering = ["slot__start"]

    def __str__(self) -> str:
        return f"{self.slot}: {self.reason}" if self.reason else str(self.slot)

    @property
    def reason(self) -> str:
        if self.reason_zh and (get_language() or "").startswith("zh"):
            return self.reason_zh
        return self.reason_en


class ExhibitorMeetingSettings(models.Model):
    """How an exhibitor takes meetings: auto-acceptance and its share of the shared lounge."""

    exhibitor = models.OneToOneField(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="meeting_settings"
    )
    auto_accept = models.BooleanField(
        _("accept requests automatically"),
        default=False,
        help_text=_("Requests in free slots are accepted at once, without waiting for staff."),
    )
    lounge_tables = models.PositiveSmallIntegerField(
        _("tables in the meeting lounge"),
        default=0,
        help_text=_(
            "How many meetings at once the exhibitor may hold in the shared lounge, besides its booth."
        ),
    )

    class Meta:
        verbose_name = _("exhibitor meeting settings")
        verbose_name_plural = _("exhibitor meeting settings")

    def __str__(self) -> str:
        return str(self.exhibitor)


class ExhibitorDay(models.Model):
    """An exhibitor's availability on one expo day. A day without a row is available all day."""

    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    available = models.BooleanField(_("takes meetings"), default=True)
    start_time = models.TimeField(_("from"), null=True, blank=True, help_text=_("Empty: from opening."))
    end_time = models.TimeField(_("until"), null=True, blank=True, help_text=_("Empty: until closing."))

    class Meta:
        verbose_name = _("availability day")
        verbose_name_plural = _("availability days")
        ordering = ["exhibitor", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["exhibitor", "date"],
                name="exhibitorday_unique_date",
                violation_error_message=_("This exhibitor already has availability for this day."),
            ),
            models.CheckConstraint(
                name="exhibitorday_start_before_end",
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(start_time__lt=models.F("end_time")),
                violation_error_message=_("The start time must be before the end time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exhibitor} {self.date}"

    def clean(self) -> None:
        if self.exhibitor_id and self.date:
            expo = self.exhibitor.expo
            if not expo.start_date <= self.date <= expo.end_date:
                raise ValidationError({"date": _("The date is not a day of the expo.")})


class MeetingQuerySet(models.QuerySet):
    def active(self) -> "MeetingQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)


class Meeting(TimestampedModel):
    """One buyer meets one exhibitor at one table in one slot."""

    expo = models.ForeignKey(Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="meetings")
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="meetings"
    )
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="meetings"
    )
    slot = models.ForeignKey(Slot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="meetings")
    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.PROTECT, related_name="meetings"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.REQUESTED
    )
    requested_by = models.CharField(
        _("requested by"),
        max_length=10,
        choices=Side.choices,
        help_text=_("The side that asked; the other side accepts or declines."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_meetings",
        help_text=_("The exhibitor's staff member responsible for this meeting."),
    )
    expires_at = models.DateTimeField(_("request expires"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    no_show_side = models.CharField(_("did not come"), max_length=10, choices=Side.choices, blank=True)
    check_in_code = models.CharField(
        _("check-in code"), max_length=32, unique=True, default=new_check_in_code, editable=False
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["slot__start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "slot"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="meeting_one_active_per_buyer_slot",
                violation_error_message=_("The buyer already has a meeting in this slot."),
            ),
            models.UniqueConstraint(
                fields=["table", "slot"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="meeting_one_active_per_table_slot",
                violation_error_message=_("This table is already taken in this slot."),
            ),
        ]
        indexes = [
            models.Index(fields=["exhibitor", "status"], name="meeting_exhibitor_status"),
            models.Index(fields=["buyer", "status"], name="meeting_buyer_status"),
            models.Index(fields=["status", "expires_at"], name="meeting_status_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} × {self.exhibitor} ({self.slot})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class MeetingEvent(models.Model):
    """One change of a meeting: who did what, when (the meeting's history)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted (an expired request)."),
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")
        ordering = ["meeting", "at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status} → {self.to_status}"


class Notification(models.Model):
    """The outbox: an email to send, written in the same transaction as the change it reports.

    `expo.tasks.notifications_send_task` sends pending rows after commit and beat sends any left
    over, so a broker outage delays notifications and loses none.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="notification_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"
