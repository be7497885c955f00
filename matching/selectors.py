"""Reads of the matching app: the served run, a buyer's ranked list, runs for organisers."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from expo.models import ACTIVE_STATUSES, Booth, Buyer, Exhibitor, Expo, Meeting
from matching.models import FeedbackValue, Match, MatchFeedback, MatchRun, MatchWeights, RunStatus


def match_run_served(*, expo: Expo) -> MatchRun | None:
    """The latest completed run of the expo: the only one whose results are shown."""
    return (
        MatchRun.objects.filter(expo=expo, status=RunStatus.COMPLETED)
        .select_related("expo")
        .defer("exhibitor_snapshot")
        .order_by("-finished_at", "-id")
        .first()
    )


def match_run_served_ids(*, expo: Expo | None = None) -> set[int]:
    """Ids of the served run of `expo`, or of every expo's (one query)."""
    latest = (
        MatchRun.objects.filter(expo=OuterRef("pk"), status=RunStatus.COMPLETED)
        .order_by("-finished_at", "-id")
        .values("id")[:1]
    )
    expos = Expo.objects.filter(pk=expo.pk) if expo is not None else Expo.objects.all()
    served = expos.annotate(served=Subquery(latest)).values_list("served", flat=True)
    return {pk for pk in served if pk is not None}


def match_list_for_buyer(*, buyer: Buyer, run: MatchRun | None = None) -> QuerySet[Match]:
    """The buyer's ranked recommendations in the served run, exhibitors and booths joined."""
    run = run if run is not None else match_run_served(expo=buyer.expo)
    if run is None:
        return Match.objects.none()
    return (
        Match.objects.filter(run=run, buyer=buyer)
        .select_related("exhibitor", "buyer")
        .prefetch_related(
            Prefetch("exhibitor__booths", queryset=Booth.objects.select_related("hall").order_by("code"))
        )
        .order_by("rank")
    )


def match_feedback_of(*, buyer: Buyer, exhibitor_ids: list[int]) -> dict[int, str]:
    """exhibitor id → the buyer's feedback value, for the given exhibitors."""
    return dict(
        MatchFeedback.objects.filter(buyer=buyer, exhibitor_id__in=exhibitor_ids).values_list(
            "exhibitor_id", "value"
        )
    )


def match_weights_id(*, expo: Expo) -> int | None:
    """Id of the expo's weights row, None while it is matched with the defaults."""
    return MatchWeights.objects.filter(expo=expo).values_list("pk", flat=True).first()


def match_feedback_not_interested(*, buyer: Buyer) -> QuerySet[MatchFeedback]:
    """The exhibitors the buyer marked "not interested", most recent first, with their booths."""
    return (
        MatchFeedback.objects.filter(buyer=buyer, value=FeedbackValue.NOT_INTERESTED)
        .select_related("exhibitor")
        .prefetch_related("exhibitor__booths")
        .order_by("-updated_at", "-pk")
    )


def match_buyer_for_user(*, user, expo: Expo) -> Buyer | None:
    """The user's buyer profile at the expo, without its facets (the list does not need them)."""
    return Buyer.objects.select_related("expo").filter(user=user, expo=expo).first()


def match_run_list(*, expo: Expo | None = None) -> QuerySet[MatchRun]:
    runs = MatchRun.objects.select_related("expo", "requested_by").defer("exhibitor_snapshot", "layout")
    return runs.filter(expo=expo) if expo is not None else runs


def exhibitor_leads(*, exhibitor: Exhibitor) -> QuerySet[Match]:
    """The exhibitor's leads: buyers whose served recommendations include it, best score first,
    each with the buyer's feedback on it (`feedback`) and their live meeting with it, if any
    (`meeting_id`, `meeting_status`). Buyers who said "not interested" are left out: inviting
    them would be unwelcome. Three queries at most, whatever the page size."""
    run = match_run_served(expo=exhibitor.expo)
    if run is None:
        return Match.objects.none()
    feedback = MatchFeedback.objects.filter(buyer=OuterRef("buyer_id"), exhibitor=exhibitor).values("value")[
        :1
    ]
    meetings = Meeting.objects.filter(
        buyer=OuterRef("buyer_id"), exhibitor=exhibitor, status__in=ACTIVE_STATUSES
    ).order_by("slot__start")
    return (
        Match.objects.filter(run=run, exhibitor=exhibitor)
        .exclude(
            buyer__in=MatchFeedback.objects.filter(
                exhibitor=exhibitor, value=FeedbackValue.NOT_INTERESTED
            ).values("buyer_id")
        )
        .select_related("buyer__user")
        .annotate(
            feedback=Subquery(feedback),
            meeting_id=Subquery(meetings.values("pk")[:1]),
            meeting_status=Subquery(meetings.values("status")[:1]),
        )
        .order_by("-score", "buyer_id")
    )
