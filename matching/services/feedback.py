"""Buyer feedback, exhibitors' existing customers and their policy, and the expo's weights."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from accounts.models import email_normal
from expo.models import Buyer, Exhibitor, Expo
from matching.models import (
    CustomerLink,
    CustomerPolicy,
    CustomerPolicyChoice,
    FeedbackValue,
    Match,
    MatchFeedback,
    MatchRun,
    MatchWeights,
    RunStatus,
)
from matching.selectors import match_run_served
from matching.services.loading import weights_get

logger = logging.getLogger(__name__)


def _queue(task, **kwargs) -> None:
    """Queue a rescore; with the broker (Redis) unreachable the feedback is already saved, so the
    request still succeeds and the rescore is logged as not queued (the next full run includes it),
    as the profile receivers do (matching/receivers.py)."""
    try:
        task.delay(**kwargs)
    except OperationalError as exc:
        logger.error("Broker unreachable, %s not queued for %s: %s", task.name, kwargs, exc)


def _queue_buyers(expo_id: int, buyer_ids: list[int]) -> None:
    from matching import tasks

    transaction.on_commit(
        lambda: _queue(tasks.match_rescore_buyers_task, expo_id=expo_id, buyer_ids=buyer_ids)
    )


def _queue_exhibitor(exhibitor_id: int) -> None:
    from matching import tasks

    transaction.on_commit(lambda: _queue(tasks.match_rescore_exhibitor_task, exhibitor_id=exhibitor_id))


def _served_run_share_locked(*, expo: Expo) -> MatchRun | None:
    """The expo's served run, share-locked until the transaction ends (PostgreSQL).

    A run being published marks the served one superseded, which waits for this lock: the feedback
    commits first and the publishing then removes the pair from the new run's rows. A feedback
    arriving while a run publishes waits, finds its run superseded and acts on the new one.
    """
    for _attempt in range(3):
        run = match_run_served(expo=expo)
        if run is None or connection.vendor != "postgresql":
            return run
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM matching_matchrun WHERE id = %s FOR SHARE", [run.pk])
            row = cursor.fetchone()
        if row is not None and row[0] == RunStatus.COMPLETED:
            return run
    return match_run_served(expo=expo)


@transaction.atomic
def match_feedback_set(*, match: Match, value: str) -> MatchFeedback:
    """Record the buyer's feedback on a recommendation.

    "not_interested" removes the exhibitor from the buyer's list at once (the row is deleted in this
    transaction) and keeps it out of later runs, including one computing now (see
    `runs.steps._pairs_refused_meanwhile_remove`); a rescore queued on commit fills the freed rank.
    """
    if value not in FeedbackValue.values:
        raise ValidationError({"value": _("Choose “interested” or “not_interested”.")})
    # The buyer's row lock orders this with the buyer's rescorings (they hold it from reading the
    # feedback to writing the rows), so a rescoring computed before it cannot bring the pair back.
    Buyer.objects.select_for_update().filter(pk=match.buyer_id).values_list("pk", flat=True).first()
    feedback, _created = MatchFeedback.objects.update_or_create(
        buyer_id=match.buyer_id, exhibitor_id=match.exhibitor_id, defaults={"value": value}
    )
    if value == FeedbackValue.NOT_INTERESTED:
        served = _served_run_share_locked(expo=match.buyer.expo)
        runs = {match.run_id} | ({served.pk} if served is not None else set())
        Match.objects.filter(
            run_id__in=sorted(runs), buyer_id=match.buyer_id, exhibitor_id=match.exhibitor_id
        ).delete()
        _queue_buyers(match.buyer.expo_id, [match.buyer_id])
    return feedback


@transaction.atomic
def match_feedback_clear(*, buyer: Buyer, exhibitor_id: int) -> str | None:
    """Take back the buyer's feedback on an exhibitor: "interested" undone, "not interested" restored.

    Returns the value taken back (None when there was none). A restored exhibitor may be
    recommended again: the buyer is rescored on commit, as after any feedback that changes the list.
    """
    # The buyer's row lock orders this with the buyer's rescorings, as in `match_feedback_set`.
    Buyer.objects.select_for_update().filter(pk=buyer.pk).values_list("pk", flat=True).first()
    feedback = MatchFeedback.objects.filter(buyer=buyer, exhibitor_id=exhibitor_id).first()
    if feedback is None:
        return None
    feedback.delete()
    if feedback.value == FeedbackValue.NOT_INTERESTED:
        # A deleted row leaves no timestamp for the catch-up of a run computing now; the buyer's
        # does, so that run rescores this buyer when it completes.
        Buyer.objects.filter(pk=buyer.pk).update(updated_at=timezone.now())
        _queue_buyers(buyer.expo_id, [buyer.pk])
    return feedback.value


def buyer_find(*, expo: Expo, key: str) -> Buyer:
    """The expo's buyer with this email address or external ID (how exhibitor staff name a customer)."""
    key = (key or "").strip()
    if not key:
        raise ValidationError({"buyer": _("Enter the buyer's email address or external ID.")})
    found = list(
        Buyer.objects.filter(expo=expo)
        .filter(Q(user__email_key=email_normal(key)) | Q(external_id=key))
        .select_related("user")[:2]
    )
    if len(found) != 1:
        raise ValidationError({"buyer": _("No buyer of this expo has this email address or external ID.")})
    return found[0]


@transaction.atomic
def customer_link_add(*, exhibitor: Exhibitor, buyer: Buyer, note: str = "") -> CustomerLink:
    """Mark `buyer` as an existing customer of `exhibitor`; the buyer's list is rescored on commit."""
    link = CustomerLink(exhibitor=exhibitor, buyer=buyer, note=note)
    link.full_clean()
    link.save()
    _queue_buyers(buyer.expo_id, [buyer.pk])
    return link


def customer_key_normal(key: str) -> str:
    """The form a customer key is stored and compared in: trimmed; email addresses in lower case."""
    key = (key or "").strip()
    return key.lower() if "@" in key else key


@transaction.atomic
def customer_key_add(*, exhibitor: Exhibitor, key: str, note: str = "") -> CustomerLink:
    """Record that `exhibitor` trades with whoever has this email address or external ID.

    Every well-formed key is saved, whether or not it names one of the expo's buyers, and the
    result looks the same either way: exhibitor staff cannot use this to find out who is a buyer.
    A key that names a buyer not yet linked to this exhibitor links them (their list is rescored on
    commit). Raises ValidationError on `buyer_key` for an empty key or one this exhibitor already
    entered (which tells them nothing they did not type themselves).
    """
    key = customer_key_normal(key)
    if not key:
        raise ValidationError({"buyer_key": _("Enter the buyer's email address or external ID.")})
    if CustomerLink.objects.filter(exhibitor=exhibitor, key=key).exists():
        raise ValidationError({"buyer_key": _("You have already entered this email address or external ID.")})
    try:
        buyer = buyer_find(expo=exhibitor.expo, key=key)
    except ValidationError:
        buyer = None
    if buyer is not None and CustomerLink.objects.filter(exhibitor=exhibitor, buyer=buyer).exists():
        buyer = None  # already linked under another key; saying so would tell whose both keys are
    link = CustomerLink(exhibitor=exhibitor, buyer=buyer, key=key, note=note)
    link.full_clean()
    link.save()
    if buyer is not None:
        _queue_buyers(buyer.expo_id, [buyer.pk])
    return link


@transaction.atomic
def customer_link_update(*, link: CustomerLink, note: str) -> CustomerLink:
    link.note = note
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def customer_link_remove(*, link: CustomerLink) -> None:
    buyer = link.buyer
    link.delete()
    if buyer is not None:
        _queue_buyers(buyer.expo_id, [buyer.pk])


@transaction.atomic
def customer_policy_set(*, exhibitor: Exhibitor, existing_customers: str) -> CustomerPolicy:
    """Choose how the exhibitor's existing customers are treated; its customers are rescored on commit."""
    if existing_customers not in CustomerPolicyChoice.values:
        raise ValidationError({"existing_customers": _("Choose show, demote or hide.")})
    policy, _created = CustomerPolicy.objects.get_or_create(exhibitor=exhibitor)
    policy.existing_customers = existing_customers
    policy.full_clean()
    policy.save()
    buyer_ids = list(
        CustomerLink.objects.filter(exhibitor=exhibitor, buyer__isnull=False).values_list(
            "buyer_id", flat=True
        )
    )
    if buyer_ids:
        _queue_buyers(exhibitor.expo_id, buyer_ids)
    return policy


WEIGHT_FIELDS = (
    "fabric",
    "process",
    "fibre",
    "end_use",
    "quantity",
    "price",
    "lead_time",
    "demote_factor",
    "top_k",
    "chunk_size",
)


@transaction.atomic
def match_weights_update(*, expo: Expo, data: Mapping[str, Any]) -> MatchWeights:
    """Change the expo's weights (they apply from the next full run)."""
    weights = weights_get(expo=expo)
    unknown = set(data) - set(WEIGHT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in sorted(unknown)})
    for name, value in data.items():
        setattr(weights, name, value)
    weights.full_clean()
    weights.save()
    return weights
