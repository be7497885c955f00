"""Intended deals, sample requests and post-meeting feedback: what came of the meetings.

A deal keeps the amount in its own currency, the rate it was converted at and the result in whole
fen (`amount_cny_fen`, an integer): sums of integers are exact in every database, where SQLite
would sum decimals as floats. Each change is one append-only `DealChange` row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expo.models.base import ZERO, TimestampedModel
from expo.models.meetings import Side
from expo.models.money import _rate_field, currency_validator
from expo.models.taxonomy import TermKind

# The most one deal may be worth: ten trillion yuan, far above any order, far below BigInteger fen.
DEAL_CNY_LIMIT = 10**13


class DealStage(models.TextChoices):
    INTENDED = "intended", _("Intended")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DealQuerySet(models.QuerySet):
    def for_expo(self, expo) -> "DealQuerySet":
        return self.filter(expo=expo)

    def counted(self) -> "DealQuerySet":
        """Deals that count in totals: every stage but withdrawn."""
        return self.exclude(stage=DealStage.WITHDRAWN)


def fen_text(fen: int) -> str:
    """Whole fen as a decimal string of yuan, exactly ("12345" → "123.45")."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


class Deal(TimestampedModel):
    """An intended deal between a buyer and an exhibitor at one expo."""

    expo = models.ForeignKey(
        "expo.Expo", verbose_name=_("expo"), on_delete=models.CASCADE, related_name="deals"
    )
    buyer = models.ForeignKey(
        "expo.Buyer", verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="deals"
    )
    exhibitor = models.ForeignKey(
        "expo.Exhibitor", verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="deals"
    )
    # One-to-one: a meeting holds at most one deal (a unique constraint), which both sides edit,
    # so no total counts one agreement twice.
    meeting = models.OneToOneField(
        "expo.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deal",
        help_text=_("The meeting this deal came from, if any."),
    )
    external_id = models.CharField(
        _("external ID"), max_length=64, blank=True, help_text=_("The paper form's number, for imports.")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    rate = _rate_field(_("CNY per unit"), help_text=_("The exchange rate this deal was converted at."))
    amount_cny_fen = models.BigIntegerField(_("amount in fen (CNY)"))
    quantity_m = models.PositiveIntegerField(_("quantity (m)"), null=True, blank=True)
    category = models.ForeignKey(
        "expo.Term",
        verbose_name=_("fabric"),
        on_delete=models.PROTECT,
        related_name="deals",
        limit_choices_to={"kind": TermKind.FABRIC},
    )
    stage = models.CharField(_("stage"), max_length=12, choices=DealStage.choices, default=DealStage.INTENDED)
    date = models.DateField(_("date"), help_text=_("The day of the deal in the expo's time zone."))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DealQuerySet.as_manager()

    class Meta:
        verbose_name = _("intended deal")
        verbose_name_plural = _("intended deals")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["expo", "date"], name="deal_expo_date"),
            models.Index(fields=["expo", "exhibitor"], name="deal_expo_exhibitor"),
            models.Index(fields=["expo", "buyer"], name="deal_expo_buyer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "external_id"],
                condition=~Q(external_id=""),
                name="deal_unique_external_id_per_expo",
                violation_error_message=_("This expo already has a deal with this external ID."),
            ),
            models.CheckConstraint(
                name="deal_amount_positive",
                condition=Q(amount__gt=ZERO),
                violation_error_message=_("The amount must be greater than zero."),
            ),
            models.CheckConstraint(
                name="deal_rate_positive",
                condition=Q(rate__gt=ZERO),
                violation_error_message=_("An exchange rate must be greater than zero."),
            ),
            models.CheckConstraint(
                name="deal_amount_cny_range",
                condition=Q(amount_cny_fen__gte=0) & Q(amount_cny_fen__lte=DEAL_CNY_LIMIT * 100),
                violation_error_message=_("The amount in CNY is out of range."),
            ),
            models.CheckConstraint(
                name="deal_quantity_positive",
                condition=Q(quantity_m__isnull=True) | Q(quantity_m__gt=0),
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                name="deal_stage_valid",
                condition=Q(stage__in=DealStage.values),
                violation_error_message=_("Unknown deal stage."),
            ),
            models.CheckConstraint(
                name="deal_currency_code",
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                violation_error_message=_("Use a three-letter ISO 4217 currency code."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency}"

    @property
    def amount_cny(self) -> str:
        """The amount in CNY as an exact decimal string (e.g. "87649.50"); "" before conversion."""
        return "" if self.amount_cny_fen is None else fen_text(self.amount_cny_fen)


class DealChange(models.Model):
    """One change of a deal: who, when, and the changed fields before and after (append-only)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        IMPORTED = "imported", _("Imported")

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deal change")
        verbose_name_plural = _("deal history")
        ordering = ["deal", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"


class SampleStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("sample status", "Requested")
    SENT = "sent", pgettext_lazy("sample status", "Sent")
    RECEIVED = "received", pgettext_lazy("sample status", "Received")


# A sample moves forward only: requested → sent → received (a step may be skipped).
SAMPLE_ORDER = {SampleStatus.REQUESTED: 0, SampleStatus.SENT: 1, SampleStatus.RECEIVED: 2}


class SampleRequest(TimestampedModel):
    """Fabric samples a buyer asked for at a meeting, and how far they got."""

    meeting = models.ForeignKey(
        "expo.Meeting", verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="sample_requests"
    )
    fabric = models.ForeignKey(
        "expo.Term",
        verbose_name=_("fabric"),
        on_delete=models.PROTECT,
        related_name="sample_requests",
        limit_choices_to={"kind": TermKind.FABRIC},
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1, help_text=_("Swatches or hangers."))
    status = models.CharField(
        _("status"), max_length=10, choices=SampleStatus.choices, default=SampleStatus.REQUESTED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sample request")
        verbose_name_plural = _("sample requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="sample_quantity_positive",
                condition=Q(quantity__gte=1),
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                name="sample_status_valid",
                condition=Q(status__in=SampleStatus.values),
                violation_error_message=_("Unknown sample status."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.fabric_id} ({self.status})"


class Interest(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class MeetingFeedback(TimestampedModel):
    """One side's word after a meeting: did it take place, and how interested are they."""

    meeting = models.ForeignKey(
        "expo.Meeting", verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="feedback"
    )
    side = models.CharField(
        _("side"), max_length=10, choices=[("buyer", _("Buyer")), ("exhibitor", _("Exhibitor"))]
    )
    took_place = models.BooleanField(_("took place"))
    interest = models.CharField(_("interest"), max_length=10, choices=Interest.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting feedback")
        verbose_name_plural = _("meeting feedback")
        ordering = ["meeting", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "side"],
                name="feedback_one_per_side",
                violation_error_message=_("This side already gave feedback on this meeting."),
            ),
            models.CheckConstraint(
                name="feedback_interest_only_if_met",
                condition=Q(took_place=True) | Q(interest=""),
                violation_error_message=_("Interest is given only for a meeting that took place."),
            ),
            models.CheckConstraint(
                name="feedback_side_valid",
                condition=Q(side__in=Side.values),
                violation_error_message=_("Unknown side."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.side}: {self.took_place} {self.interest}"
