"""Reads of meetings: the rules of an expo, live counts, free slots, schedules by role."""

import datetime
from collections import Counter

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from expo.models import (
    ACTIVE_STATUSES,
    Booth,
    Buyer,
    Exhibitor,
    ExhibitorDay,
    ExhibitorMeetingSettings,
    Expo,
    Meeting,
    MeetingPolicy,
    MeetingStatus,
    Side,
    Slot,
    Table,
)


def meeting_policy(*, expo: Expo) -> MeetingPolicy:
    """The expo's meeting rules; the defaults (unsaved) when the organiser set none."""
    return MeetingPolicy.objects.filter(expo=expo).first() or MeetingPolicy(expo=expo)


def exhibitor_meeting_settings(*, exhibitor: Exhibitor) -> ExhibitorMeetingSettings:
    return ExhibitorMeetingSettings.objects.filter(exhibitor=exhibitor).first() or ExhibitorMeetingSettings(
        exhibitor=exhibitor
    )


def live_q(*, now: datetime.datetime | None = None, prefix: str = "") -> Q:
    """Meetings that hold a slot now: active, except requests past their expiry (expired in effect,
    even before the sweep or a booking marks them so)."""
    now = now or timezone.now()
    overdue = Q(**{f"{prefix}status": MeetingStatus.REQUESTED, f"{prefix}expires_at__lte": now})
    return Q(**{f"{prefix}status__in": ACTIVE_STATUSES}) & ~overdue


def buyer_counted_q(*, now: datetime.datetime | None = None) -> Q:
    """Live meetings that count against the buyer's limits: an invitation from exhibitor staff the
    buyer has not accepted yet does not (staff cannot use up a buyer's allowance by inviting); it
    counts once the buyer accepts."""
    invitation = Q(status=MeetingStatus.REQUESTED, requested_by=Side.EXHIBITOR)
    return live_q(now=now) & ~invitation


def buyer_live_meeting_count(*, buyer: Buyer) -> int:
    """The buyer's meetings that count against their limits (`buyer_counted_q`)."""
    return Meeting.objects.filter(buyer_counted_q(), buyer=buyer).count()


def exhibitor_live_meeting_count(*, exhibitor: Exhibitor) -> int:
    return Meeting.objects.filter(live_q(), exhibitor=exhibitor).count()


def exhibitor_tables(*, exhibitor: Exhibitor) -> list[Table]:
    """The exhibitor's own tables in use, in booth and number order."""
    return list(
        Table.objects.filter(booth__exhibitor=exhibitor, booth__is_lounge=False, is_active=True)
        .select_related("booth__hall")
        .order_by("booth__code", "number")
    )


def lounge_tables(*, expo: Expo) -> list[Table]:
    return list(
        Table.objects.filter(booth__expo=expo, booth__is_lounge=True, is_active=True)
        .select_related("booth__hall")
        .order_by("booth__code", "number")
    )


def local_day_bounds(*, expo: Expo, date: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end (exclusive) of `date` in the expo's time zone, as aware datetimes."""
    start = datetime.datetime.combine(date, datetime.time(0), tzinfo=expo.tzinfo)
    end = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time(0), tzinfo=expo.tzinfo)
    return start, end


def slot_available_for(*, exhibitor: Exhibitor, slot: Slot, day: ExhibitorDay | None) -> bool:
    """Whether the slot lies in the exhibitor's availability of that day (no row: all day)."""
    if day is None:
        return True
    if not day.available:
        return False
    tz = exhibitor.expo.tzinfo
    start, end = slot.start.astimezone(tz).time(), slot.end.astimezone(tz).time()
    if day.start_time is not None and start < day.start_time:
        return False
    return not (day.end_time is not None and end > day.end_time)


def exhibitor_free_slots(
    *,
    exhibitor: Exhibitor,
    date: datetime.date | None = None,
    now: datetime.datetime | None = None,
    buyer: Buyer | None = None,
) -> list[tuple[Slot, int]]:
    """The exhibitor's bookable slots (on `date` in the expo's zone, or all days): open, in the
    future, within its availability and with a free table; each with how many tables are free.
    With `buyer`, also leaves out the slots where that buyer already has a live meeting (they could
    not book them).

    A fixed number of queries whatever the number of slots (the buyer's meetings come with the
    exhibitor's).
    """
    expo = exhibitor.expo
    now = now or timezone.now()
    slots = Slot.objects.filter(expo=expo, start__gt=now, closure__isnull=True).order_by("start")
    if date is not None:
        start, end = local_day_bounds(expo=expo, date=date)
        slots = slots.filter(start__gte=start, start__lt=end)
    slots = list(slots)
    if not slots:
        return []
    days = {day.date: day for day in ExhibitorDay.objects.filter(exhibitor=exhibitor)}
    own = exhibitor_tables(exhibitor=exhibitor)
    lounge_share = exhibitor_meeting_settings(exhibitor=exhibitor).lounge_tables
    holders = Q(exhibitor=exhibitor) | Q(table__booth__is_lounge=True)
    if buyer is not None:
        holders |= Q(buyer=buyer)
    live = Meeting.objects.filter(live_q(now=now), slot__in=slots).filter(holders)
    own_used: Counter = Counter()
    lounge_mine: Counter = Counter()
    lounge_used: Counter = Counter()
    buyer_busy: set[int] = set()
    for slot_id, exhibitor_id, buyer_id, is_lounge in live.values_list(
        "slot_id", "exhibitor_id", "buyer_id", "table__booth__is_lounge"
    ):
        if buyer is not None and buyer_id == buyer.pk:
            buyer_busy.add(slot_id)
        if not is_lounge and exhibitor_id != exhibitor.pk:
            continue  # the buyer's meeting at another exhibitor's own table
        if is_lounge:
            lounge_used[slot_id] += 1
            if exhibitor_id == exhibitor.pk:
                lounge_mine[slot_id] += 1
        else:
            own_used[slot_id] += 1
    n_lounge = len(lounge_tables(expo=expo)) if lounge_share else 0
    tz = expo.tzinfo
    free = []
    for slot in slots:
        if slot.pk in buyer_busy:
            continue
        if not slot_available_for(
            exhibitor=exhibitor, slot=slot, day=days.get(slot.start.astimezone(tz).date())
        ):
            continue
        tables = len(own) - own_used[slot.pk]
        if lounge_share:
            tables += max(0, min(lounge_share - lounge_mine[slot.pk], n_lounge - lounge_used[slot.pk]))
        if tables > 0:
            free.append((slot, tables))
    return free


def meeting_list(*, expo: Expo) -> QuerySet[Meeting]:
    """Meetings of the expo with everything the API and the admin show, in slot order."""
    booths = Prefetch("exhibitor__booths", queryset=Booth.objects.order_by("code"))
    return (
        Meeting.objects.filter(expo=expo)
        .select_related("slot", "exhibitor", "buyer", "table__booth__hall", "owner")
        .prefetch_related(booths)
        .order_by("slot__start", "id")
    )


def meeting_list_for_user(*, user, expo: Expo) -> QuerySet[Meeting]:
    """What the user may see: a buyer their own meetings, staff their company's, organisers all."""
    meetings = meeting_list(expo=expo)
    if not user.is_authenticated:
        return meetings.none()
    if user.is_organiser:
        return meetings
    if user.is_exhibitor_staff:
        return meetings.filter(exhibitor__staff__user=user)
    return meetings.filter(buyer__user=user)


def meetings_on_date(queryset: QuerySet[Meeting], *, expo: Expo, date: datetime.date) -> QuerySet[Meeting]:
    start, end = local_day_bounds(expo=expo, date=date)
    return queryset.filter(slot__start__gte=start, slot__start__lt=end)
