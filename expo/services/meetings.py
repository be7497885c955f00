"""Meetings: booking, invitations and every later change, the expiry sweep and reminders.

Every write runs in one transaction that also records a `MeetingEvent` (who, when) and writes the
other side's notification into the outbox (`expo.services.notifications`), drained after commit
and by beat, so a broker outage delays emails and loses none, and never turns a committed booking
into an error.

Double booking: a booking locks the buyer's and then the exhibitor's row (always in this order,
so two bookings never deadlock), which serialises the limit counts; the partial unique
constraints of `Meeting` are the last word on the buyer and the table (a shared lounge table can
be raced for by two exhibitors). A lost race is a `Conflict` (409), never a 500.
"""

import datetime
import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
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
    MeetingEvent,
    MeetingPolicy,
    MeetingStatus,
    Side,
    Slot,
    SlotClosure,
    Table,
)
from expo.models.meetings import REMINDER_MAX_MINUTES
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
from expo.services.notifications import notification_queue

logger = logging.getLogger(__name__)

# A meeting can be checked in from this long before its slot starts until the slot ends.
CHECK_IN_EARLY = timedelta(minutes=30)


# --- Who acts --------------------------------------------------------------------------------


def actor_side(*, meeting: Meeting, user) -> str:
    """The side `user` acts for in `meeting`: the buyer, or the exhibitor (its staff; organisers
    act for the exhibitor). Anyone else may not touch it."""
    if meeting.buyer.user_id == user.pk:
        return Side.BUYER
    if user.is_organiser or meeting.exhibitor.staff.filter(user=user).exists():
        return Side.EXHIBITOR
    raise PermissionDenied


def _other(side: str) -> str:
    return Side.EXHIBITOR if side == Side.BUYER else Side.BUYER


# --- History ----------------------------------------------------------------------


def _record(meeting: Meeting, *, action: str, actor, from_status: str, note: str = "") -> None:
    MeetingEvent.objects.create(
        meeting=meeting,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=meeting.status,
        note=note[:500],
    )


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


def _expire_overdue(meetings, *, now: datetime.datetime) -> int:
    """Mark the overdue requests among `meetings` expired (history and the requester told).

    Each row is changed by a conditional UPDATE, so two transactions (or a booking and the sweep)
    never expire the same request twice.
    """
    count = 0
    overdue = meetings.filter(status=MeetingStatus.REQUESTED, expires_at__lte=now)
    for meeting in overdue.select_related("buyer__user", "exhibitor", "owner"):
        changed = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.REQUESTED).update(
            status=MeetingStatus.EXPIRED, updated_at=now
        )
        if changed:
            meeting.status = MeetingStatus.EXPIRED
            _record(meeting, action="expire", actor=None, from_status=MeetingStatus.REQUESTED)
            notification_queue(meeting, kind="expired", side=meeting.requested_by)
            count += 1
    return count


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


# --- Lifecycle -------------------------------------------------------------------------------


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("slot", "buyer__user", "buyer__expo", "exhibitor__expo", "table__booth", "owner")
        .get(pk=meeting.pk)
    )


def _require(meeting: Meeting, *statuses: str, action: str) -> None:
    if meeting.status not in statuses:
        raise Conflict(
            _("A meeting that is %(status)s cannot be %(action)s.")
            % {"status": meeting.get_status_display().lower(), "action": action}
        )


def _answering(meeting: Meeting, *, user) -> str:
    """The side that may answer the request: the side that did not ask."""
    side = actor_side(meeting=meeting, user=user)
    if side == meeting.requested_by and meeting.status == MeetingStatus.REQUESTED:
        raise PermissionDenied(_("Only the other side can answer this request."))
    return side


def _expire_if_overdue(meeting: Meeting) -> None:
    """Expire the request first, in its own transaction, so an answer that comes too late (a 409)
    still leaves the request expired."""
    with transaction.atomic():
        _expire_overdue(Meeting.objects.filter(pk=meeting.pk), now=timezone.now())


def _apply(meeting: Meeting, *, action: str, actor, to: str, fields: list[str], note: str = "") -> None:
    before = meeting.status
    meeting.status = to
    meeting.save(update_fields=["status", "updated_at", *fields])
    _record(meeting, action=action, actor=actor, from_status=before, note=note)


def meeting_accept(*, meeting: Meeting, actor) -> Meeting:
    """The side that did not ask accepts; the meeting gets an owner among the exhibitor's staff."""
    _expire_if_overdue(meeting)
    return _accept(meeting=meeting, actor=actor)


@transaction.atomic
def _accept(*, meeting: Meeting, actor) -> Meeting:
    now = timezone.now()
    if meeting.requested_by == Side.EXHIBITOR:
        # The buyer's limit is checked below: serialise with the buyer's bookings (buyer first).
        _lock(buyer=meeting.buyer, exhibitor=meeting.exhibitor)
    meeting = _locked(meeting)
    side = _answering(meeting, user=actor)
    _require(meeting, MeetingStatus.REQUESTED, action=_("accepted"))
    if meeting.slot.start <= now:
        raise Conflict(_("This meeting's slot has already started."))
    if meeting.requested_by == Side.EXHIBITOR:
        # An invitation starts counting against the buyer's limits now (it did not while pending).
        _check_buyer_limit(buyer=meeting.buyer, ignore=meeting)
    if meeting.owner_id is None:
        is_staff = side == Side.EXHIBITOR and meeting.exhibitor.staff.filter(user=actor).exists()
        meeting.owner = actor if is_staff else _least_busy_staff(meeting.exhibitor)
    meeting.expires_at = None
    _apply(meeting, action="accept", actor=actor, to=MeetingStatus.ACCEPTED, fields=["owner", "expires_at"])
    notification_queue(meeting, kind="accepted", side=_other(side))
    return meeting


def meeting_decline(*, meeting: Meeting, actor, reason: str = "") -> Meeting:
    """The side that did not ask declines, with an optional reason the other side reads."""
    _expire_if_overdue(meeting)
    return _decline(meeting=meeting, actor=actor, reason=reason)


@transaction.atomic
def _decline(*, meeting: Meeting, actor, reason: str = "") -> Meeting:
    meeting = _locked(meeting)
    side = _answering(meeting, user=actor)
    _require(meeting, MeetingStatus.REQUESTED, action=_("declined"))
    meeting.decline_reason = reason.strip()[:500]
    _apply(
        meeting,
        action="decline",
        actor=actor,
        to=MeetingStatus.DECLINED,
        fields=["decline_reason"],
        note=reason,
    )
    notification_queue(meeting, kind="declined", side=_other(side), note=meeting.decline_reason)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str = "") -> Meeting:
    """Either side cancels a requested or accepted meeting before it starts; the slot is free at once."""
    meeting = _locked(meeting)
    side = actor_side(meeting=meeting, user=actor)
    _require(meeting, MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED, action=_("cancelled"))
    if meeting.slot.start <= timezone.now():
        raise Conflict(_("This meeting's slot has already started."))
    meeting.decline_reason = reason.strip()[:500]
    _apply(
        meeting,
        action="cancel",
        actor=actor,
        to=MeetingStatus.CANCELLED,
        fields=["decline_reason"],
        note=reason,
    )
    notification_queue(meeting, kind="cancelled", side=_other(side), note=meeting.decline_reason)
    return meeting


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, slot: Slot, actor) -> Meeting:
    """Move a requested or accepted meeting to another free slot in one step. The meeting then waits
    for the other side's acceptance again (unless the buyer moved it and the exhibitor accepts
    automatically); on any refusal nothing changes."""
    now = timezone.now()
    current = Meeting.objects.select_related("buyer", "exhibitor__expo").get(pk=meeting.pk)
    _lock(buyer=current.buyer, exhibitor=current.exhibitor)
    meeting = _locked(meeting)
    side = actor_side(meeting=meeting, user=actor)
    _require(meeting, MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED, action=_("rescheduled"))
    if meeting.slot.start <= now:
        raise Conflict(_("This meeting's slot has already started."))
    if slot.pk == meeting.slot_id:
        raise ValidationError({"slot": _("The meeting is already in this slot.")})
    exhibitor = meeting.exhibitor
    _check_slot(slot=slot, exhibitor=exhibitor, now=now)
    _expire_overdue(Meeting.objects.filter(slot=slot), now=now)
    before, old_slot = meeting.status, meeting.slot
    auto = side == Side.BUYER and exhibitor_meeting_settings(exhibitor=exhibitor).auto_accept
    meeting.status = MeetingStatus.ACCEPTED if auto else MeetingStatus.REQUESTED
    meeting.requested_by = side
    meeting.expires_at = None if auto else _expiry(exhibitor=exhibitor, now=now, slot=slot)
    meeting.reminded_at = None
    _place(meeting, exhibitor=exhibitor, slot=slot, ignore=meeting)
    _record(meeting, action="reschedule", actor=actor, from_status=before, note=str(old_slot))
    notification_queue(meeting, kind="rescheduled", side=_other(side), note=str(old_slot))
    return meeting


@transaction.atomic
def meeting_check_in(*, meeting: Meeting, actor, code: str = "") -> Meeting:
    """The buyer arrived: by the meeting's owner (or an organiser), or by any of the exhibitor's
    staff scanning the buyer's code for this meeting. From 30 minutes before the slot to its end."""
    now = timezone.now()
    meeting = _locked(meeting)
    side = actor_side(meeting=meeting, user=actor)
    if side != Side.EXHIBITOR:
        raise PermissionDenied(_("The exhibitor's staff check the buyer in."))
    if code:
        if code != meeting.check_in_code:
            raise ValidationError({"code": _("This code is not the code of this meeting.")})
    elif not (actor.is_organiser or meeting.owner_id == actor.pk):
        raise PermissionDenied(_("Only the meeting's owner checks in without the buyer's code."))
    _require(meeting, MeetingStatus.ACCEPTED, action=_("checked in"))
    if not meeting.slot.start - CHECK_IN_EARLY <= now <= meeting.slot.end:
        raise Conflict(_("Check-in opens 30 minutes before the meeting and closes when it ends."))
    meeting.checked_in_at = now
    _apply(meeting, action="check_in", actor=actor, to=MeetingStatus.CHECKED_IN, fields=["checked_in_at"])
    return meeting


@transaction.atomic
def meeting_no_show(*, meeting: Meeting, actor) -> Meeting:
    """The side that waited marks the other as absent, once the slot has ended."""
    meeting = _locked(meeting)
    side = actor_side(meeting=meeting, user=actor)
    _require(meeting, MeetingStatus.ACCEPTED, action=_("marked as a no-show"))
    if meeting.slot.end > timezone.now():
        raise Conflict(_("A no-show can be marked only after the slot has ended."))
    meeting.no_show_side = _other(side)
    _apply(meeting, action="no_show", actor=actor, to=MeetingStatus.NO_SHOW, fields=["no_show_side"])
    notification_queue(meeting, kind="no_show", side=_other(side))
    return meeting


@transaction.atomic
def meeting_owner_set(*, meeting: Meeting, owner, actor) -> Meeting:
    """Give the meeting to another of the exhibitor's staff (by its staff or an organiser)."""
    meeting = _locked(meeting)
    if actor_side(meeting=meeting, user=actor) != Side.EXHIBITOR:
        raise PermissionDenied(_("Only the exhibitor's staff assign a meeting's owner."))
    _require(meeting, *ACTIVE_STATUSES, action=_("reassigned"))
    if not meeting.exhibitor.staff.filter(user=owner, user__is_active=True).exists():
        raise ValidationError({"owner": _("The owner must be one of the exhibitor's staff.")})
    if meeting.owner_id == owner.pk:
        return meeting
    meeting.owner = owner
    meeting.save(update_fields=["owner", "updated_at"])
    _record(meeting, action="owner", actor=actor, from_status=meeting.status, note=owner.email)
    if owner.pk != actor.pk:
        notification_queue(meeting, kind="owner", side=Side.EXHIBITOR)
    return meeting


# --- Periodic work (beat) --------------------------------------------------------------------


@transaction.atomic
def meetings_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire every overdue request (the bookings expire the ones in their way themselves)."""
    return _expire_overdue(Meeting.objects.all(), now=now or timezone.now())


def meeting_reminders_queue(*, now: datetime.datetime | None = None) -> int:
    """Write the reminder of each accepted meeting whose reminder time has come, exactly once.

    The conditional UPDATE on `reminded_at` makes a second or concurrent run (or a late one,
    up to the end of the slot) find nothing left to do.
    """
    now = now or timezone.now()
    count = 0
    default_minutes = MeetingPolicy._meta.get_field("reminder_minutes").default
    due = Meeting.objects.filter(
        status=MeetingStatus.ACCEPTED, reminded_at__isnull=True, slot__end__gt=now
    ).select_related("slot", "buyer__user", "exhibitor", "owner", "expo__meeting_policy")
    horizon = now + timedelta(minutes=REMINDER_MAX_MINUTES)
    for meeting in due.filter(slot__start__lte=horizon):
        policy = getattr(meeting.expo, "meeting_policy", None)
        minutes = policy.reminder_minutes if policy is not None else default_minutes
        if minutes is None or meeting.slot.start - timedelta(minutes=minutes) > now:
            continue
        with transaction.atomic():
            sent = Meeting.objects.filter(
                pk=meeting.pk, reminded_at__isnull=True, status=MeetingStatus.ACCEPTED
            )
            if sent.update(reminded_at=now):
                notification_queue(meeting, kind="reminder", side=Side.BUYER)
                notification_queue(meeting, kind="reminder", side=Side.EXHIBITOR)
                count += 1
    return count
