"""Reads of the expo and its floor."""

import datetime

from django.db.models import QuerySet

from expo.models import Expo, Hall, Slot


def expo_current(*, slug: str | None = None) -> Expo | None:
    """The expo named by `slug`, or the current one."""
    if slug:
        return Expo.objects.filter(slug=slug).first()
    return Expo.objects.current()


def slot_list(*, expo: Expo, day: datetime.date | None = None) -> QuerySet[Slot]:
    """The expo's slots in order; with `day`, those starting on that day of the expo's own calendar.

    The day runs from local midnight to local midnight (23 or 25 hours across a daylight-saving
    change), whatever time zone is active, and the range keeps the (expo, start) index usable.
    """
    slots = Slot.objects.filter(expo=expo)
    if day is not None:
        zone = expo.tzinfo
        since = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        until = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        slots = slots.filter(start__gte=since, start__lt=until)
    return slots.order_by("start")


def hall_list(*, expo: Expo) -> QuerySet[Hall]:
    return Hall.objects.filter(expo=expo).order_by("code")


# --- Admin scoping -----------------------------------------------------------------------------
