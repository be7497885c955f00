"""Periodic work on meetings (beat): the expiry of overdue requests, which the booking and answering
services also apply themselves inside their transactions, and the reminders."""

import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from expo.models import Meeting, MeetingPolicy, MeetingStatus, Side
from expo.models.meetings import REMINDER_MAX_MINUTES
from expo.services.meetings.common import _record
from expo.services.notifications import notification_queue


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
