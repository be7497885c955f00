"""Expo editions, their slot grid, halls, booths and tables."""

import datetime
from datetime import timedelta

from django.db import transaction
from django.db.models import Max

from expo.models import Booth, Expo, Slot, Table


def slot_grid(*, expo: Expo) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The (start, end) pairs of every meeting slot of the expo, in UTC, in order.

    Slots run back to back from opening to closing time each day; a last partial slot is dropped.
    Local times are converted with the expo's time zone, so daylight-saving zones stay correct.
    """
    length = timedelta(minutes=expo.slot_minutes)
    grid = []
    for day in range(expo.days):
        start = expo.local_datetime(day, expo.opening_time)
        closing = expo.local_datetime(day, expo.closing_time)
        while start + length <= closing:
            grid.append((start.astimezone(datetime.UTC), (start + length).astimezone(datetime.UTC)))
            start += length
    return grid


@transaction.atomic
def expo_slots_generate(*, expo: Expo) -> int:
    """Make the slot table match the expo's days, hours and slot length; returns the slot count.

    Existing slots that still fit the grid are kept (so nothing pointing at them moves); slots
    that no longer fit are deleted.
    """
    grid = slot_grid(expo=expo)
    wanted = {start: end for start, end in grid}
    existing = {slot.start: slot for slot in Slot.objects.filter(expo=expo)}
    stale = [slot.pk for start, slot in existing.items() if wanted.get(start) != slot.end]
    Slot.objects.filter(pk__in=stale).delete()
    kept = {start for start, slot in existing.items() if slot.pk not in stale}
    Slot.objects.bulk_create(
        [Slot(expo=expo, start=start, end=end) for start, end in grid if start not in kept]
    )
    return len(grid)


@transaction.atomic
def expo_create(
    *,
    slug: str,
    name: str,
    start_date: datetime.date,
    days: int,
    opening_time: datetime.time,
    closing_time: datetime.time,
    slot_minutes: int,
    time_zone: str = "Asia/Shanghai",
    name_zh: str = "",
    venue: str = "",
    venue_zh: str = "",
    edition: str = "",
    currency: str = "CNY",
    make_current: bool = False,
) -> Expo:
    """Create an expo edition and its slot grid; with `make_current`, it becomes the current expo."""
    expo = Expo(
        slug=slug,
        name=name,
        name_zh=name_zh,
        venue=venue,
        venue_zh=venue_zh,
        edition=edition,
        start_date=start_date,
        days=days,
        opening_time=opening_time,
        closing_time=closing_time,
        slot_minutes=slot_minutes,
        time_zone=time_zone,
        currency=currency,
    )
    expo.full_clean()
    expo.save()
    if make_current:
        expo_make_current(expo=expo)
    expo_slots_generate(expo=expo)
    return expo


@transaction.atomic
def expo_make_current(*, expo: Expo) -> Expo:
    """Make `expo` the one current expo (the database allows only one)."""
    Expo.objects.filter(is_current=True).exclude(pk=expo.pk).update(is_current=False)
    Expo.objects.filter(pk=expo.pk).update(is_current=True)
    expo.is_current = True
    return expo


def booth_tables_sync(*, booth: Booth) -> None:
    """Make the booth's Table rows match `booth.tables`: add missing ones, retire surplus ones.

    Surplus tables are marked inactive rather than deleted, so meetings held on them keep their table.
    """
    Table.objects.filter(booth=booth, number__lte=booth.tables, is_active=False).update(is_active=True)
    Table.objects.filter(booth=booth, number__gt=booth.tables).update(is_active=False)
    highest = Table.objects.filter(booth=booth).aggregate(n=Max("number"))["n"] or 0
    Table.objects.bulk_create([Table(booth=booth, number=n) for n in range(highest + 1, booth.tables + 1)])
