"""Reads of intended deals: each role's own list, with the joins every list shows."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour

from expo.models import (
    REPORTING_CURRENCY,
    Buyer,
    Deal,
    DealChange,
    DealStage,
    ExchangeRate,
    Exhibitor,
    Expo,
    Interest,
    Meeting,
    MeetingFeedback,
    MeetingStatus,
    SampleRequest,
    SampleStatus,
)
from expo.selectors.profiles import exhibitor_for_user


def deal_list(*, expo: Expo) -> QuerySet[Deal]:
    return (
        Deal.objects.for_expo(expo).select_related("buyer", "exhibitor", "category").order_by("-date", "-id")
    )


def deal_list_for_user(*, user, expo: Expo) -> QuerySet[Deal]:
    """The deals `user` may see at `expo`: organisers all, buyers their own, staff their company's."""
    deals = deal_list(expo=expo)
    if user.is_organiser:
        return deals
    if user.is_exhibitor_staff:
        exhibitor = exhibitor_for_user(user=user)
        return deals.filter(exhibitor=exhibitor) if exhibitor is not None else deals.none()
    if user.is_buyer:
        return deals.filter(buyer__user=user)
    return deals.none()


def deal_get_for_user(*, user, pk: int) -> Deal | None:
    """Deal `pk` if `user` may see it (at any expo)."""
    deal = Deal.objects.select_related("expo", "buyer", "exhibitor", "category").filter(pk=pk).first()
    if deal is None:
        return None
    return deal if deal_list_for_user(user=user, expo=deal.expo).filter(pk=pk).exists() else None


def deal_history(*, deal: Deal) -> QuerySet[DealChange]:
    return DealChange.objects.filter(deal=deal).select_related("changed_by").order_by("changed_at", "id")


__all__ = ["deal_get_for_user", "deal_history", "deal_list", "deal_list_for_user"]


# Meetings that count as "met": a deal may be logged and samples asked for.
MET_STATUSES = (MeetingStatus.ACCEPTED, MeetingStatus.CHECKED_IN)


def buyers_met_by(*, exhibitor: Exhibitor) -> QuerySet[Buyer]:
    """Buyers the exhibitor had an accepted or checked-in meeting with (whom its staff may log deals for)."""
    met = Meeting.objects.filter(buyer=OuterRef("pk"), exhibitor=exhibitor, status__in=MET_STATUSES)
    return Buyer.objects.filter(expo_id=exhibitor.expo_id).filter(Exists(met)).order_by("company", "id")


def expo_figures(*, expo: Expo) -> dict:
    """The organiser dashboard's head-line counts: buyers, exhibitors, meetings by status, samples
    (pieces) by status, feedback, and deals (withdrawn apart)."""
    buyers = Buyer.objects.filter(expo=expo).aggregate(
        registered=Count("id"),
        verified=Count("id", filter=Q(verified=True)),
        signed_in=Count("id", filter=Q(user__last_login__isnull=False)),
    )
    deals = Deal.objects.filter(expo=expo).aggregate(
        counted=Count("id", filter=~Q(stage=DealStage.WITHDRAWN)),
        withdrawn=Count("id", filter=Q(stage=DealStage.WITHDRAWN)),
        fen=Sum("amount_cny_fen", filter=~Q(stage=DealStage.WITHDRAWN)),
        metres=Sum("quantity_m", filter=~Q(stage=DealStage.WITHDRAWN)),
    )
    stages = dict(
        Deal.objects.filter(expo=expo)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    meetings = dict(
        Meeting.objects.filter(expo=expo)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    samples = dict(
        SampleRequest.objects.filter(meeting__expo=expo)
        .order_by()
        .values_list("status")
        .annotate(n=Sum("quantity"))
        .values_list("status", "n")
    )
    feedback = MeetingFeedback.objects.filter(meeting__expo=expo).aggregate(
        given=Count("id"),
        took_place=Count("meeting", filter=Q(took_place=True), distinct=True),
        high=Count("id", filter=Q(interest=Interest.HIGH)),
    )
    return {
        "buyers": buyers,
        "exhibitors": Exhibitor.objects.filter(expo=expo).count(),
        "meetings": {
            "total": sum(meetings.values()),
            "by_status": [
                (status, label, meetings.get(status, 0)) for status, label in MeetingStatus.choices
            ],
            "checked_in": meetings.get(MeetingStatus.CHECKED_IN, 0),
            "no_shows": meetings.get(MeetingStatus.NO_SHOW, 0),
        },
        "samples": {
            "total": sum(samples.values()),
            "by_status": [(status, label, samples.get(status, 0)) for status, label in SampleStatus.choices],
        },
        "feedback": feedback,
        "deals": {
            "count": deals["counted"],
            "withdrawn": deals["withdrawn"],
            "fen": int(deals["fen"] or 0),
            "metres": int(deals["metres"] or 0),
            "by_stage": [(stage, label, stages.get(stage, 0)) for stage, label in DealStage.choices],
        },
    }


def sample_list_for_user(*, user, expo: Expo | None) -> QuerySet[SampleRequest]:
    """Sample requests `user` may see at `expo` (None: any expo): organisers all, buyers their own,
    staff their company's."""
    samples = (
        SampleRequest.objects.all() if expo is None else SampleRequest.objects.filter(meeting__expo=expo)
    )
    samples = samples.select_related("meeting__buyer", "meeting__exhibitor", "fabric").order_by(
        "-created_at", "-id"
    )
    if user.is_organiser:
        return samples
    if user.is_exhibitor_staff:
        exhibitor = exhibitor_for_user(user=user)
        return samples.filter(meeting__exhibitor=exhibitor) if exhibitor is not None else samples.none()
    if user.is_buyer:
        return samples.filter(meeting__buyer__user=user)
    return samples.none()


def meeting_for_user(*, user, pk: int) -> Meeting | None:
    """Meeting `pk` if `user` is one of its sides or an organiser."""
    meeting = Meeting.objects.select_related("buyer", "exhibitor", "expo").filter(pk=pk).first()
    if meeting is None or user.is_organiser:
        return meeting
    if user.is_buyer and meeting.buyer.user_id == user.pk:
        return meeting
    exhibitor = exhibitor_for_user(user=user)
    if exhibitor is not None and exhibitor.pk == meeting.exhibitor_id:
        return meeting
    return None


def meetings_per_hour(*, expo: Expo) -> list[tuple[int, int]]:
    """(hour of the day in the expo's time zone, meetings) for meetings that are on or took place."""
    rows = (
        Meeting.objects.filter(expo=expo, status__in=[*MET_STATUSES, MeetingStatus.NO_SHOW])
        .annotate(hour=ExtractHour("slot__start", tzinfo=expo.tzinfo))
        .order_by()
        .values_list("hour")
        .annotate(n=Count("id"))
        .order_by("hour")
    )
    return [(hour, n) for hour, n in rows]


def exhibitor_leads(*, exhibitor: Exhibitor) -> list[dict]:
    """Every buyer who had a meeting with the exhibitor (any status): meetings, the best status,
    samples asked for, the exhibitor's own feedback on their interest, and deal totals."""
    meetings = list(
        Meeting.objects.filter(exhibitor=exhibitor)
        .select_related("buyer__user", "slot")
        .order_by("buyer__company", "buyer_id", "slot__start")
    )
    samples = dict(
        SampleRequest.objects.filter(meeting__exhibitor=exhibitor)
        .order_by()
        .values_list("meeting__buyer_id")
        .annotate(n=Sum("quantity"))
    )
    interest = dict(
        MeetingFeedback.objects.filter(meeting__exhibitor=exhibitor, side="exhibitor")
        .order_by("meeting__slot__start")
        .values_list("meeting__buyer_id", "interest")
    )
    deals = dict(
        Deal.objects.filter(exhibitor=exhibitor)
        .counted()
        .order_by()
        .values_list("buyer_id")
        .annotate(fen=Sum("amount_cny_fen"))
    )
    leads: dict[int, dict] = {}
    for meeting in meetings:
        lead = leads.setdefault(
            meeting.buyer_id,
            {
                "buyer": meeting.buyer,
                "meetings": 0,
                "met": False,
                "samples": samples.get(meeting.buyer_id, 0),
                "interest": interest.get(meeting.buyer_id, ""),
                "fen": int(deals.get(meeting.buyer_id) or 0),
            },
        )
        lead["meetings"] += 1
        lead["met"] = lead["met"] or meeting.status in MET_STATUSES
    return list(leads.values())


def meeting_follow_ups(*, meetings: list[Meeting], side: str) -> dict[int, dict]:
    """For each meeting id: its deal (or None), its sample requests (oldest first) and the feedback
    `side` ("buyer" or "exhibitor") gave on it (or None) — three queries whatever the count."""
    ids = [meeting.pk for meeting in meetings]
    found: dict[int, dict] = {pk: {"deal": None, "samples": [], "feedback": None} for pk in ids}
    if not ids:
        return found
    for deal in Deal.objects.filter(meeting_id__in=ids).select_related("category"):
        found[deal.meeting_id]["deal"] = deal
    samples = (
        SampleRequest.objects.filter(meeting_id__in=ids).select_related("fabric").order_by("created_at", "id")
    )
    for sample in samples:
        found[sample.meeting_id]["samples"].append(sample)
    for feedback in MeetingFeedback.objects.filter(meeting_id__in=ids, side=side):
        found[feedback.meeting_id]["feedback"] = feedback
    return found


def expo_currencies(*, expo: Expo) -> list[str]:
    """The currencies a deal may be logged in at `expo`: CNY, then each one it has a rate for."""
    rated = ExchangeRate.objects.filter(expo=expo).order_by("currency").values_list("currency", flat=True)
    return [REPORTING_CURRENCY, *(code for code in rated if code != REPORTING_CURRENCY)]
