"""Meeting fixtures: an exhibitor with tables, slots near now, buyers with their users."""

import datetime
from datetime import timedelta

from django.utils import timezone

from expo.models import Booth, Exhibitor, Expo, Slot
from expo.services.floor import booth_tables_sync
from tests.factories.expo import (
    BoothFactory,
    BuyerFactory,
    ExhibitorFactory,
    ExhibitorStaffFactory,
    ExpoFactory,
)


def expo_with_slots_near_now(**kwargs) -> Expo:
    """A current expo whose only slots are those a test makes (`future_slots`, `slot_at`) near now,
    instead of the grid `expo_create` gave it for its (2027) dates."""
    expo = ExpoFactory(is_current=True, **kwargs)
    Slot.objects.filter(expo=expo).delete()
    return expo


def booth_with_tables(
    *, expo: Expo, exhibitor: Exhibitor | None = None, tables: int = 1, lounge: bool = False
) -> Booth:
    """A booth (or the shared lounge, with `lounge`) with its Table rows."""
    booth = BoothFactory(expo=expo, exhibitor=None if lounge else exhibitor, tables=tables, is_lounge=lounge)
    booth_tables_sync(booth=booth)
    return booth


def exhibitor_with_tables(*, expo: Expo, tables: int = 1, staff: int = 1) -> Exhibitor:
    exhibitor = ExhibitorFactory(expo=expo)
    booth_with_tables(expo=expo, exhibitor=exhibitor, tables=tables)
    for _ in range(staff):
        ExhibitorStaffFactory(exhibitor=exhibitor)
    return exhibitor


def staff_of(exhibitor: Exhibitor):
    return exhibitor.staff.select_related("user").order_by("pk").first().user


def buyer_at(expo: Expo, **kwargs):
    return BuyerFactory(expo=expo, **kwargs)


def slot_at(expo: Expo, start: datetime.datetime, minutes: int = 20) -> Slot:
    """A slot starting at `start` (aware): the expo's own slot at that time if its grid has one (tests
    that take the current time land on the grid at :00, :20 and :40), else a new one outside it."""
    existing = Slot.objects.filter(expo=expo, start=start).first()
    return existing or Slot.objects.create(expo=expo, start=start, end=start + timedelta(minutes=minutes))


def future_slots(expo: Expo, n: int = 3, *, hours_ahead: int = 2) -> list[Slot]:
    base = timezone.now().replace(microsecond=0, second=0) + timedelta(hours=hours_ahead)
    return [slot_at(expo, base + timedelta(minutes=20 * i)) for i in range(n)]


def meeting_between(buyer, exhibitor, *, status: str = "accepted", start: datetime.datetime | None = None):
    """A meeting of `buyer` with `exhibitor` (which needs a booth with tables) in a new slot, in `status`."""
    from expo.models import Meeting

    expo = exhibitor.expo
    start = start or timezone.now().replace(microsecond=0, second=0) + timedelta(
        hours=2, minutes=Meeting.objects.count() * 20
    )
    slot = slot_at(expo, start)  # the grid's, if any
    return Meeting.objects.create(
        expo=expo,
        buyer=buyer,
        exhibitor=exhibitor,
        slot=slot,
        table=exhibitor.booths.first().table_set.first(),
        requested_by="buyer",
        status=status,
    )
