"""Meetings: booking, invitations and every later change, the expiry sweep and reminders.

Every write runs in one transaction that also records a `MeetingEvent` (who, when) and writes the
other side's notification into the outbox (`expo.services.notifications`), drained after commit
and by beat, so a broker outage delays emails and loses none, and never turns a committed booking
into an error.

By area: `booking` (checks, placement at a table, `meeting_book`, `meeting_invite`), `lifecycle`
(accept, decline, cancel, reschedule, check-in, no-show, owner), `periodic` (expiry and
reminders), `common` (who acts, the history). Import from here: `from expo.services.meetings
import meeting_book`.
"""

from expo.services.meetings.booking import meeting_book, meeting_invite
from expo.services.meetings.common import actor_side
from expo.services.meetings.lifecycle import (
    CHECK_IN_EARLY,
    meeting_accept,
    meeting_cancel,
    meeting_check_in,
    meeting_decline,
    meeting_no_show,
    meeting_owner_set,
    meeting_reschedule,
)
from expo.services.meetings.periodic import meeting_reminders_queue, meetings_expire

__all__ = [
    "CHECK_IN_EARLY",
    "actor_side",
    "meeting_accept",
    "meeting_book",
    "meeting_cancel",
    "meeting_check_in",
    "meeting_decline",
    "meeting_invite",
    "meeting_no_show",
    "meeting_owner_set",
    "meeting_reminders_queue",
    "meeting_reschedule",
    "meetings_expire",
]
