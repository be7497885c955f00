"""Calendars: a person's meetings as an RFC 5545 file, and their private subscription address.

Each meeting is one VEVENT whose UID never changes (`meeting-<id>@<expo>.shuttle`) and whose
SEQUENCE is the number of changes recorded in its history, so a calendar that saw an earlier
version replaces it: a reschedule moves the event, a cancelled, declined or expired meeting comes
back as `STATUS:CANCELLED` and disappears from the phone. Times carry the expo's time zone, whose
VTIMEZONE (the rules around the expo's dates) is in the file.
"""

import datetime

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from expo.models import CalendarFeed, Expo, Meeting, MeetingStatus
from expo.models.calendars import new_calendar_token

PRODID = "-//Shuttle//Meetings//EN"

_ICS_STATUS = {
    MeetingStatus.REQUESTED: "TENTATIVE",
    MeetingStatus.ACCEPTED: "CONFIRMED",
    MeetingStatus.CHECKED_IN: "CONFIRMED",
    MeetingStatus.NO_SHOW: "CONFIRMED",
    MeetingStatus.DECLINED: "CANCELLED",
    MeetingStatus.CANCELLED: "CANCELLED",
    MeetingStatus.EXPIRED: "CANCELLED",
}


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{meeting.expo.slug}.shuttle"


def meeting_location(meeting: Meeting) -> str:
    booth = meeting.table.booth
    return _("Hall %(hall)s, booth %(booth)s, table %(table)s") % {
        "hall": booth.hall.display_name,
        "booth": booth.code,
        "table": meeting.table.label or meeting.table.number,
    }


def _event(meeting: Meeting, *, user, stamp: datetime.datetime) -> icalendar.Event:
    tz = meeting.expo.tzinfo
    to_buyer = meeting.buyer.user_id == user.pk
    other = meeting.exhibitor.display_name if to_buyer else str(meeting.buyer)
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", max(0, getattr(meeting, "changes", 1) - 1))
    event.add("dtstamp", stamp)
    event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", meeting.slot.start.astimezone(tz))
    event.add("dtend", meeting.slot.end.astimezone(tz))
    event.add("summary", _("Meeting: %(other)s") % {"other": other})
    event.add("location", meeting_location(meeting))
    event.add("status", _ICS_STATUS[meeting.status])
    lines = [
        _("Status: %(status)s") % {"status": meeting.get_status_display()},
        _("Buyer: %(buyer)s") % {"buyer": str(meeting.buyer)},
        _("Exhibitor: %(exhibitor)s") % {"exhibitor": meeting.exhibitor.display_name},
    ]
    if meeting.decline_reason:
        lines.append(_("Reason: %(reason)s") % {"reason": meeting.decline_reason})
    event.add("description", "\n".join(lines))
    return event


def calendar_render(*, expo: Expo, meetings, user) -> bytes:
    """The `.ics` file of `meetings` as `user` reads them (their language, the other side named)."""
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Meetings at %(expo)s") % {"expo": expo.display_name})
        calendar.add("x-wr-timezone", expo.time_zone)
        # The zone's rules from a year before the expo to a year after: enough for every meeting.
        first = expo.start_date - datetime.timedelta(days=366)
        last = expo.end_date + datetime.timedelta(days=366)
        calendar.add_component(icalendar.Timezone.from_tzinfo(expo.tzinfo, first_date=first, last_date=last))
        for meeting in meetings:
            calendar.add_component(_event(meeting, user=user, stamp=stamp))
        return calendar.to_ical()


# --- Subscription addresses --------------------------------------------------------------------


@transaction.atomic
def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """Give `user` a new secret address; the previous one (if any) stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_calendar_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> bool:
    """Remove `user`'s address; True if there was one."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
