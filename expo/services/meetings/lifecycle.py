"""Every change after booking: accept, decline, cancel, reschedule, check-in, no-show and the
meeting's owner. Each locks the meeting, checks the transition, records who and when, and tells
the other side through the outbox."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api import Conflict
from expo.models import ACTIVE_STATUSES, Meeting, MeetingStatus, Side, Slot
from expo.selectors.meetings import exhibitor_meeting_settings
from expo.services.meetings.booking import (
    _check_buyer_limit,
    _check_slot,
    _expiry,
    _least_busy_staff,
    _lock,
    _place,
)
from expo.services.meetings.common import _other, _record, actor_side
from expo.services.meetings.periodic import _expire_overdue
from expo.services.notifications import notification_queue

# A meeting can be checked in from this long before its slot starts until the slot ends.
CHECK_IN_EARLY = timedelta(minutes=30)


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
