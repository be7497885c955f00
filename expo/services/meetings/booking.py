"""Booking: a buyer's request and an exhibitor's invitation, with the checks (slot, limits) and the
placement at a free table that rescheduling uses too.

Double booking: a booking locks the buyer's and then the exhibitor's row (always in this order,
so two bookings never deadlock), which serialises the limit counts; the partial unique
constraints of `Meeting` are the last word on the buyer and the table (a shared lounge table can
be raced for by two exhibitors). A lost race is a `Conflict` (409), never a 500.
"""

import datetime
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api import Conflict
from expo.models import (
    ACTIVE_STATUSES,
    Buyer,
    Exhibitor,
    ExhibitorDay,
    Meeting,
    MeetingStatus,
    Side,
    Slot,
    SlotClosure,
    Table,
)
from expo.selectors.meetings import (
    buyer_counted_q,
    exhibitor_meeting_settings,
    exhibitor_tables,
    live_q,
    lounge_tables,
    meeting_policy,
    slot_available_for,
)
from expo.selectors.profiles import buyer_meeting_request_allowance
from expo.services.meetings.common import _other, _record
from expo.services.meetings.periodic import _expire_overdue
from expo.services.notifications import notification_queue

# --- Checks ----------------------------------------------------------------------------------


def _check_slot(*, slot: Slot, exhibitor: Exhibitor, now: datetime.datetime) -> None:
    """400 naming `slot` for a slot of another expo, a closed, past or unavailable one."""
    if slot.expo_id != exhibitor.expo_id:
        raise ValidationError({"slot": _("This slot belongs to another expo.")})
    if slot.start <= now:
        raise ValidationError({"slot": _("This slot has already started.")})
    closure = SlotClosure.objects.filter(slot=slot).first()
    if closure is not None:
        reason = closure.reason
        message = (
            _("This slot is closed for meetings: %(reason)s.")
            if reason
            else _("This slot is closed for meetings.")
        )
        raise ValidationError({"slot": message % {"reason": reason}})
    local_date = slot.start.astimezone(exhibitor.expo.tzinfo).date()
    day = ExhibitorDay.objects.filter(exhibitor=exhibitor, date=local_date).first()
    if not slot_available_for(exhibitor=exhibitor, slot=slot, day=day):
        raise ValidationError({"slot": _("The exhibitor does not take meetings in this slot.")})


def _check_buyer_limit(*, buyer: Buyer, ignore: Meeting | None = None) -> None:
    # Pending invitations from exhibitor staff do not count (`buyer_counted_q`).
    counted = Meeting.objects.filter(buyer_counted_q(), buyer=buyer)
    if ignore is not None:
        counted = counted.exclude(pk=ignore.pk)
    if buyer_meeting_request_allowance(buyer=buyer, active_meetings=counted.count()) == 0:
        raise Conflict(_("The buyer has reached the limit of meetings at this expo."))


def _check_limits(*, buyer: Buyer, exhibitor: Exhibitor, ignore: Meeting | None = None) -> None:
    # An overdue request elsewhere holds nothing, even before the sweep marks it expired.
    active = Meeting.objects.filter(live_q())
    if ignore is not None:
        active = active.exclude(pk=ignore.pk)
    _check_buyer_limit(buyer=buyer, ignore=ignore)
    limit = meeting_policy(expo=exhibitor.expo).exhibitor_limit
    if limit is not None and active.filter(exhibitor=exhibitor).count() >= limit:
        raise Conflict(_("The exhibitor has reached the limit of meetings at this expo."))


def _free_tables(*, exhibitor: Exhibitor, slot: Slot, ignore: Meeting | None = None) -> list[Table]:
    """The tables the exhibitor could use in `slot`: its own first, then its share of the lounge."""
    taken = Meeting.objects.filter(slot=slot, status__in=ACTIVE_STATUSES)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    busy = set(taken.values_list("table_id", flat=True))
    free = [table for table in exhibitor_tables(exhibitor=exhibitor) if table.pk not in busy]
    share = exhibitor_meeting_settings(exhibitor=exhibitor).lounge_tables
    if share:
        mine = taken.filter(exhibitor=exhibitor, table__booth__is_lounge=True).count()
        if mine < share:
            free += [table for table in lounge_tables(expo=exhibitor.expo) if table.pk not in busy]
    return free


def _lock(*, buyer: Buyer, exhibitor: Exhibitor) -> None:
    """Serialise bookings of this buyer and of this exhibitor (buyer first, always)."""
    Buyer.objects.select_for_update().filter(pk=buyer.pk).first()
    Exhibitor.objects.select_for_update().filter(pk=exhibitor.pk).first()


def _place(meeting: Meeting, *, exhibitor: Exhibitor, slot: Slot, ignore: Meeting | None = None) -> None:
    """Save `meeting` at the first free table of `slot`; 409 when the buyer or every table is taken.

    Each attempt runs in a savepoint: a unique-constraint refusal on a table (someone was faster)
    moves on to the next table; on the buyer, or with no table left, the booking is a conflict.
    """
    busy_buyer = _("The buyer already has a meeting in this slot.")
    others = Meeting.objects.filter(slot=slot, buyer=meeting.buyer, status__in=ACTIVE_STATUSES)
    if ignore is not None:
        others = others.exclude(pk=ignore.pk)
    if others.exists():
        raise Conflict(busy_buyer)
    tables = _free_tables(exhibitor=exhibitor, slot=slot, ignore=ignore)
    if (
        not tables
        and not exhibitor_tables(exhibitor=exhibitor)
        and not exhibitor_meeting_settings(exhibitor=exhibitor).lounge_tables
    ):
        raise ValidationError({"exhibitor": _("This exhibitor has no meeting table.")})
    for table in tables:
        meeting.slot, meeting.table = slot, table
        try:
            with transaction.atomic():
                meeting.save()
            return
        except IntegrityError:
            if others.exists():
                raise Conflict(busy_buyer) from None
    raise Conflict(_("Every table of this exhibitor is taken in this slot."))


def _expiry(*, exhibitor: Exhibitor, now: datetime.datetime, slot: Slot) -> datetime.datetime | None:
    hours = meeting_policy(expo=exhibitor.expo).request_expiry_hours
    if hours is None:
        return None
    # A request expires at the latest when its slot starts: nobody can accept it afterwards.
    return min(now + timedelta(hours=hours), slot.start)


def _least_busy_staff(exhibitor: Exhibitor):
    staff = (
        exhibitor.staff.filter(user__is_active=True)
        .select_related("user")
        .annotate(n=Count("user__owned_meetings", filter=Q(user__owned_meetings__status__in=ACTIVE_STATUSES)))
        .order_by("n", "user_id")
        .first()
    )
    return staff.user if staff else None


# --- Booking ---------------------------------------------------------------------------------


def _create(*, buyer: Buyer, exhibitor: Exhibitor, slot: Slot, requested_by: str, actor) -> Meeting:
    now = timezone.now()
    if buyer.expo_id != exhibitor.expo_id:
        raise ValidationError({"exhibitor": _("The buyer and the exhibitor are at different expos.")})
    _check_slot(slot=slot, exhibitor=exhibitor, now=now)
    _lock(buyer=buyer, exhibitor=exhibitor)
    _expire_overdue(Meeting.objects.filter(slot=slot), now=now)
    _check_limits(buyer=buyer, exhibitor=exhibitor)
    auto = requested_by == Side.BUYER and exhibitor_meeting_settings(exhibitor=exhibitor).auto_accept
    meeting = Meeting(
        expo_id=exhibitor.expo_id,
        buyer=buyer,
        exhibitor=exhibitor,
        requested_by=requested_by,
        status=MeetingStatus.ACCEPTED if auto else MeetingStatus.REQUESTED,
        expires_at=None if auto else _expiry(exhibitor=exhibitor, now=now, slot=slot),
        owner=actor if requested_by == Side.EXHIBITOR and not actor.is_organiser else None,
    )
    if auto:
        meeting.owner = _least_busy_staff(exhibitor)
    _place(meeting, exhibitor=exhibitor, slot=slot)
    _record(
        meeting, action="request" if requested_by == Side.BUYER else "invite", actor=actor, from_status=""
    )
    if auto:
        _record(meeting, action="accept", actor=None, from_status=MeetingStatus.REQUESTED, note="auto")
        notification_queue(meeting, kind="accepted", side=Side.BUYER)
        notification_queue(meeting, kind="booked", side=Side.EXHIBITOR)
    else:
        kind = "requested" if requested_by == Side.BUYER else "invited"
        notification_queue(meeting, kind=kind, side=_other(requested_by))
    return meeting


@transaction.atomic
def meeting_book(*, buyer: Buyer, exhibitor: Exhibitor, slot: Slot, actor) -> Meeting:
    """A buyer asks to meet `exhibitor` in `slot`: `requested` (or `accepted` where the exhibitor
    accepts automatically), at a table chosen here. 400 naming `slot` for a slot of another
    expo, closed, past or outside the exhibitor's availability; 409 when taken or over a limit."""
    return _create(buyer=buyer, exhibitor=exhibitor, slot=slot, requested_by=Side.BUYER, actor=actor)


@transaction.atomic
def meeting_invite(*, exhibitor: Exhibitor, buyer: Buyer, slot: Slot, actor) -> Meeting:
    """Exhibitor staff invite a buyer; the buyer accepts or declines. The inviter owns the meeting."""
    return _create(buyer=buyer, exhibitor=exhibitor, slot=slot, requested_by=Side.EXHIBITOR, actor=actor)
