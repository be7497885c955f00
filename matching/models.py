"""Match runs, their ranked results, weights per expo, existing customers and buyer feedback.

Only the latest completed run of an expo is served. On PostgreSQL `Match` is a table partitioned
by run: a run writes into its own fresh table and is attached in one transaction when complete
(see matching/services/storage.py and docs/matching.md), so results appear all at once.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.models import Buyer, Exhibitor, Expo

# Documented defaults (docs/matching.md): fabric matters most, then process and fibre.
DEFAULT_WEIGHTS = {
    "fabric": 3.0,
    "process": 2.0,
    "fibre": 2.0,
    "end_use": 1.0,
    "quantity": 1.0,
    "price": 1.0,
    "lead_time": 1.0,
    "demote_factor": 0.5,
}
DEFAULT_TOP_K = 20
DEFAULT_CHUNK_SIZE = 5000
# A pending or running run without progress for this long lost its worker: it is shown as stale at
# once and marked failed by the periodic check (or when a new run of its expo starts).
STALE_AFTER = timedelta(minutes=10)


def _weight(name, default: float) -> models.FloatField:
    return models.FloatField(
        name,
        default=default,
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
        help_text=_("Relative weight, from 0 (ignored) to 100."),
    )


class MatchWeights(models.Model):
    """How one expo's matching weighs each component; one row per expo, created with the defaults."""

    expo = models.OneToOneField(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="match_weights"
    )
    fabric = _weight(_("fabric"), DEFAULT_WEIGHTS["fabric"])
    process = _weight(_("process"), DEFAULT_WEIGHTS["process"])
    fibre = _weight(_("fibre"), DEFAULT_WEIGHTS["fibre"])
    end_use = _weight(_("end use"), DEFAULT_WEIGHTS["end_use"])
    quantity = _weight(_("quantity and capacity"), DEFAULT_WEIGHTS["quantity"])
    price = _weight(_("price"), DEFAULT_WEIGHTS["price"])
    lead_time = _weight(_("lead time"), DEFAULT_WEIGHTS["lead_time"])
    demote_factor = models.FloatField(
        _("existing-customer factor"),
        default=DEFAULT_WEIGHTS["demote_factor"],
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text=_("Score multiplier for a buyer an exhibitor already trades with, when it demotes them."),
    )
    top_k = models.PositiveSmallIntegerField(
        _("recommendations per buyer"),
        default=DEFAULT_TOP_K,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    chunk_size = models.PositiveIntegerField(
        _("buyers per task"),
        default=DEFAULT_CHUNK_SIZE,
        validators=[MinValueValidator(100), MaxValueValidator(100_000)],
        help_text=_("A full run is split into Celery tasks of this many buyers."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")
        constraints = [
            models.CheckConstraint(
                name="match_weights_not_negative",
                condition=Q(fabric__gte=0)
                & Q(process__gte=0)
                & Q(fibre__gte=0)
                & Q(end_use__gte=0)
                & Q(quantity__gte=0)
                & Q(price__gte=0)
                & Q(lead_time__gte=0),
                violation_error_message=_("Weights cannot be negative."),
            ),
            models.CheckConstraint(
                name="match_weights_demote_factor_range",
                condition=Q(demote_factor__gt=0) & Q(demote_factor__lte=1),
                violation_error_message=_("The existing-customer factor lies between 0 and 1."),
            ),
            models.CheckConstraint(
                name="match_weights_top_k_range",
                condition=Q(top_k__gte=1) & Q(top_k__lte=100),
                violation_error_message=_("Between 1 and 100 recommendations per buyer."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Matching weights of %(expo)s") % {"expo": self.expo})


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    SUPERSEDED = "superseded", _("Superseded")
    FAILED = "failed", _("Failed")


class MatchRunQuerySet(models.QuerySet):
    def for_expo(self, expo: Expo) -> "MatchRunQuerySet":
        return self.filter(expo=expo)

    def stale(self) -> "MatchRunQuerySet":
        """Pending or running runs without progress for STALE_AFTER (see `MatchRun.is_stale`)."""
        limit = timezone.now() - STALE_AFTER
        return self.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING]).filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit)
        )

    def served(self) -> "MatchRunQuerySet":
        """Completed runs, newest first: the first one is what buyers see."""
        return self.filter(status=RunStatus.COMPLETED).order_by("-finished_at", "-id")


class MatchRun(models.Model):
    """One full scoring of an expo's buyers against its exhibitors."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="match_runs"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    buyers_count = models.PositiveIntegerField(_("buyers"), default=0)
    exhibitors_count = models.PositiveIntegerField(_("exhibitors"), default=0)
    matches_count = models.PositiveIntegerField(_("matches"), default=0)
    chunks_total = models.PositiveIntegerField(_("tasks"), default=0)
    chunks_done = models.PositiveIntegerField(_("tasks done"), default=0)
    top_k = models.PositiveSmallIntegerField(_("recommendations per buyer"), default=DEFAULT_TOP_K)
    engine = models.CharField(_("scoring engine"), max_length=20, blank=True)
    timings = models.JSONField(_("seconds per phase"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Snapshot taken when the run starts, so every chunk scores against the same data.
    weights = models.JSONField(_("weights used"), default=dict, blank=True)
    layout = models.JSONField(_("term bit layout"), default=dict, blank=True, editable=False)
    exhibitor_snapshot = models.BinaryField(_("encoded exhibitors"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = MatchRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expo", "status", "finished_at"], name="matchrun_expo_status")]
        constraints = [
            models.CheckConstraint(
                name="match_run_progress_range",
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                violation_error_message=_("Progress lies between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.expo} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.COMPLETED, RunStatus.SUPERSEDED, RunStatus.FAILED)

    @property
    def is_stale(self) -> bool:
        """Pending or running without progress for STALE_AFTER: its worker was lost. Computed on
        read; the run is marked failed by the periodic check, never by a page that shows it."""
        if self.status not in (RunStatus.PENDING, RunStatus.RUNNING):
            return False
        last = self.heartbeat_at or self.created_at
        return last is not None and last < timezone.now() - STALE_AFTER


class MatchChunk(models.Model):
    """One Celery task's share of a run: the buyers with ids in [buyer_id_from, buyer_id_to]."""

    run = models.ForeignKey(MatchRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField(_("number"))
    buyer_id_from = models.BigIntegerField(_("first buyer id"))
    buyer_id_to = models.BigIntegerField(_("last buyer id"))
    buyers_count = models.PositiveIntegerField(_("buyers"), default=0)
    done = models.BooleanField(_("done"), default=False)
    matches_count = models.PositiveIntegerField(_("matches"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    timings = models.JSONField(_("seconds per phase"), default=dict, blank=True)

    class Meta:
        verbose_name = _("match run task")
        verbose_name_plural = _("match run tasks")
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="match_chunk_unique_number")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"


class Match(models.Model):
    """One recommended exhibitor of a buyer in a run, with its rank, score and reasons.

    Reasons are structured: `reason_codes` holds REASON_* flags (matching.scoring) and
    `reason_terms` the matched taxonomy terms as little-endian 64-bit words whose bits index the
    run's `layout`; `matching.reasons` turns both into sentences in the request's language.
    Foreign keys carry no database constraint (the table is partitioned by run and written with
    COPY); deleting a buyer or exhibitor still deletes its matches, through Django.
    """

    run = models.ForeignKey(
        MatchRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_constraint=False,
        db_index=False,
    )
    buyer = models.ForeignKey(
        Buyer,
        verbose_name=_("buyer"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_constraint=False,
        db_index=False,
    )
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_constraint=False,
        db_index=False,
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    reason_codes = models.IntegerField(_("reason codes"), default=0)
    reason_terms = models.BinaryField(_("matched terms"), default=b"")

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["run", "buyer", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "buyer", "rank"], name="match_unique_rank_per_buyer"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id} → {self.exhibitor_id} #{self.rank}"


class FeedbackValue(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    NOT_INTERESTED = "not_interested", _("Not interested")


class MatchFeedback(models.Model):
    """A buyer's verdict on an exhibitor; "not interested" keeps the pair out of every later run."""

    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="match_feedback"
    )
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="match_feedback"
    )
    value = models.CharField(_("feedback"), max_length=20, choices=FeedbackValue.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("match feedback")
        verbose_name_plural = _("match feedback")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "exhibitor"], name="match_feedback_one_per_pair"),
            models.CheckConstraint(
                name="match_feedback_value_valid",
                condition=Q(value__in=FeedbackValue.values),
                violation_error_message=_("Unknown feedback value."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} → {self.exhibitor}: {self.get_value_display()}"


class CustomerPolicyChoice(models.TextChoices):
    SHOW = "show", _("Show them like any buyer")
    DEMOTE = "demote", _("Show them lower (new customers first)")
    HIDE = "hide", _("Hide them from matching")


DEFAULT_CUSTOMER_POLICY = CustomerPolicyChoice.DEMOTE


class CustomerPolicy(models.Model):
    """How an exhibitor wants the buyers it already trades with treated in matching."""

    exhibitor = models.OneToOneField(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="customer_policy"
    )
    existing_customers = models.CharField(
        _("existing customers"),
        max_length=10,
        choices=CustomerPolicyChoice.choices,
        default=DEFAULT_CUSTOMER_POLICY,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("existing-customer policy")
        verbose_name_plural = _("existing-customer policies")
        constraints = [
            models.CheckConstraint(
                name="customer_policy_valid",
                condition=Q(existing_customers__in=CustomerPolicyChoice.values),
                violation_error_message=_("Unknown policy."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exhibitor}: {self.get_existing_customers_display()}"


class CustomerLink(models.Model):
    """An exhibitor marks a buyer it already trades with, by the buyer's email address or external ID.

    `key` is what the exhibitor entered; `buyer` is the expo's buyer it named, if any. Exhibitor
    staff only ever see their keys, never whether or whom a key matched, so the form cannot be
    used to find out who is a buyer.
    """

    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="customer_links"
    )
    buyer = models.ForeignKey(
        Buyer,
        verbose_name=_("buyer"),
        on_delete=models.CASCADE,
        related_name="customer_links",
        null=True,
        blank=True,
    )
    key = models.CharField(_("email address or external ID"), max_length=254, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("existing customer")
        verbose_name_plural = _("existing customers")
        ordering = ["exhibitor", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["exhibitor", "buyer"],
                name="customer_link_unique_pair",
                violation_error_message=_("This buyer is already marked as a customer."),
            ),
            models.UniqueConstraint(
                fields=["exhibitor", "key"],
                condition=~Q(key=""),
                name="customer_link_unique_key",
                violation_error_message=_("You have already entered this email address or external ID."),
            ),
        ]

    def __str__(self) -> str:
        return self.key or str(self.buyer_id)

    def clean(self) -> None:
        if self.exhibitor_id and self.buyer_id and self.exhibitor.expo_id != self.buyer.expo_id:
            raise ValidationError({"buyer": _("The buyer belongs to another expo.")})
