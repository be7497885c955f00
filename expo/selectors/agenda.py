"""Reads for the agenda pages: a buyer's days, the exhibitor's day by table, the floor's today."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from expo.models import ACTIVE_STATUSES, Buyer, Exhibitor, Expo, Meeting, MeetingStatus
from expo.selectors.meetings import exhibitor_free_slots, exhibitor_tables, meeting_list, meetings_on_date

# What a schedule shows as the day's plan; the rest (declined, cancelled, expired) is listed apart.
PLANNED_STATUSES = (*ACTIVE_STATUSES, MeetingStatus.NO_SHOW)


@dataclass
class Stop:
    """One meeting in a day's walking order, and whether the buyer changes hall to reach it."""

    meeting: Meeting
    new_hall: bool
    tight: bool  # starts right when the previous one ends, in another hall


@dataclass
class Day:
    date: datetime.date
    stops: list[Stop] = field(default_factory=list)

    @property
    def route(self) -> list[str]:
        """The booths in the order the buyer walks to them (a booth met twice in a row once)."""
        route: list[str] = []
        for stop in self.stops:
            label = stop.meeting.table.booth.code
            if not route or route[-1] != label:
                route.append(label)
        return route


def expo_days(*, expo: Expo) -> list[datetime.date]:
    return [expo.start_date + datetime.timedelta(days=i) for i in range(expo.days)]


def expo_today(*, expo: Expo, now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(expo.tzinfo).date()


def default_day(*, expo: Expo, now: datetime.datetime | None = None) -> datetime.date:
    """Today when the expo is on, else its first day still ahead, else its first day."""
    today = expo_today(expo=expo, now=now)
    days = expo_days(expo=expo)
    return next((day for day in days if day >= today), days[0])


def buyer_meetings(*, buyer: Buyer) -> QuerySet[Meeting]:
    return meeting_list(expo=buyer.expo).filter(buyer=buyer)


def buyer_schedule(*, buyer: Buyer) -> tuple[list[Day], list[Meeting]]:
    """The buyer's planned meetings by day in the expo's zone, each day in walking order, and the
    meetings that will not happen (declined, cancelled, expired), latest change first."""
    tz = buyer.expo.tzinfo
    days: dict[datetime.date, Day] = {}
    gone: list[Meeting] = []
    previous: Meeting | None = None
    for meeting in buyer_meetings(buyer=buyer):
        if meeting.status not in PLANNED_STATUSES:
            gone.append(meeting)
            continue
        date = meeting.slot.start.astimezone(tz).date()
        day = days.setdefault(date, Day(date=date))
        hall = meeting.table.booth.hall_id
        before = previous if day.stops else None
        new_hall = before is not None and before.table.booth.hall_id != hall
        tight = new_hall and before.slot.end >= meeting.slot.start
        day.stops.append(Stop(meeting=meeting, new_hall=new_hall, tight=tight))
        previous = meeting
    gone.sort(key=lambda m: m.updated_at, reverse=True)
    return list(days.values()), gone


def free_slots_on(*, exhibitor: Exhibitor, date: datetime.date) -> list:
    """The exhibitor's free slots on `date` (the expo's zone), each with its local start and end."""
    tz = exhibitor.expo.tzinfo
    return [
        {"slot": slot, "start": slot.start.astimezone(tz), "end": slot.end.astimezone(tz), "tables": tables}
        for slot, tables in exhibitor_free_slots(exhibitor=exhibitor, date=date)
    ]


def exhibitor_meetings_on(*, exhibitor: Exhibitor, date: datetime.date) -> QuerySet[Meeting]:
    return meetings_on_date(
        meeting_list(expo=exhibitor.expo).filter(exhibitor=exhibitor), expo=exhibitor.expo, date=date
    )


def exhibitor_agenda(*, exhibitor: Exhibitor, date: datetime.date) -> tuple[list, list[dict]]:
    """The exhibitor's `date` as a grid: its tables (own, then any lounge table in use) and one
    row per slot that has a meeting, with the meeting (or None) at each table. Declined,
    cancelled and expired meetings are left out: they hold no table."""
    meetings = [
        m for m in exhibitor_meetings_on(exhibitor=exhibitor, date=date) if m.status in PLANNED_STATUSES
    ]
    tables = exhibitor_tables(exhibitor=exhibitor)
    known = {table.pk for table in tables}
    for meeting in meetings:
        if meeting.table_id not in known:
            known.add(meeting.table_id)
            tables.append(meeting.table)
    rows: dict[int, dict] = {}
    tz = exhibitor.expo.tzinfo
    for meeting in meetings:
        row = rows.setdefault(
            meeting.slot_id,
            {"start": meeting.slot.start.astimezone(tz), "end": meeting.slot.end.astimezone(tz), "cells": {}},
        )
        row["cells"][meeting.table_id] = meeting
    grid = [{**row, "cells": [row["cells"].get(table.pk) for table in tables]} for row in rows.values()]
    return tables, grid


def floor_meetings(*, exhibitor: Exhibitor, date: datetime.date) -> list[Meeting]:
    """The meetings the staff on the floor expect on `date`: accepted, checked in or no-show."""
    planned = (MeetingStatus.ACCEPTED, MeetingStatus.CHECKED_IN, MeetingStatus.NO_SHOW)
    return list(exhibitor_meetings_on(exhibitor=exhibitor, date=date).filter(status__in=planned))


def meeting_by_check_in_code(*, exhibitor: Exhibitor, code: str) -> Meeting | None:
    return Meeting.objects.filter(exhibitor=exhibitor, check_in_code=code).select_related("expo").first()
