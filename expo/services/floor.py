"""Expo editions, their slot grid, halls, booths and tables."""

import datetime
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from expo.cache import expos_changed
from expo.models import Booth, Expo, Slot, Table
from expo.timezones import expo_time_zone_remember

# The expo fields expo_update may change (`is_current` goes through expo_make_current).
EXPO_FIELDS = (
    "slug",
    "name",
    "name_zh",
    "edition",
    "venue",
    "venue_zh",
    "start_date",
    "days",
    "opening_time",
    "closing_time",
    "slot_minutes",
    "time_zone",
    "currency",
    "unverified_request_limit",
)
# Changing any of these changes the slot grid.
SLOT_GRID_FIELDS = ("start_date", "days", "opening_time", "closing_time", "slot_minutes", "time_zone")
BOOTH_FIELDS = ("expo", "hall", "code", "exhibitor", "tables", "is_lounge")


def rows_held(*, model: type[models.Model], pks: Iterable[int]) -> set[int]:
    """The primary keys among `pks` of `model` rows that some other row depends on.

    A row depends on what it points at through a foreign key declared PROTECT or RESTRICT
    (meetings hold their slot and table so), whichever model declares it: new models that protect
    slots or tables are covered without a change here. Rows that merely CASCADE with what they
    point at (a slot's closure) go with it and hold nothing.
    """
    pks = list(pks)
    if not pks:
        return set()
    held: set[int] = set()
    for relation in model._meta.get_fields(include_hidden=True):
        if not (
            relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
        ):
            continue
        if relation.on_delete not in (models.PROTECT, models.RESTRICT):
            continue
        field = relation.field
        rows = relation.related_model._base_manager.filter(**{f"{field.name}__in": pks})
        held.update(rows.values_list(field.attname, flat=True).distinct())
    return held


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


def _slots_held_error(expo: Expo, held: set[int], fields: Iterable[str]) -> ValidationError:
    slots = sorted(Slot.objects.filter(pk__in=held).select_related("expo"), key=lambda slot: slot.start)
    shown = ", ".join(str(slot) for slot in slots[:5]) + (" …" if len(slots) > 5 else "")
    message = ngettext(
        "This change would remove %(count)d meeting slot that is in use (%(slots)s); "
        "keep it in the grid or free it first.",
        "This change would remove %(count)d meeting slots that are in use (%(slots)s); "
        "keep them in the grid or free them first.",
        len(slots),
    ) % {"count": len(slots), "slots": shown}
    return ValidationError({field: [message] for field in (list(fields) or [NON_FIELD_ERRORS])})


def _stale_slots(grid, existing: dict) -> list[int]:
    wanted = dict(grid)
    return [slot.pk for start, slot in existing.items() if wanted.get(start) != slot.end]


def expo_slots_check(*, expo: Expo, fields: Iterable[str] = ()) -> None:
    """Raise the ValidationError expo_slots_generate would raise for `expo` (saved or not, with its
    new days and hours set on it) without writing anything: some slot the new grid drops is in use."""
    existing = {slot.start: slot for slot in Slot.objects.filter(expo_id=expo.pk)}
    held = rows_held(model=Slot, pks=_stale_slots(slot_grid(expo=expo), existing))
    if held:
        raise _slots_held_error(expo, held, fields)


@transaction.atomic
def expo_slots_generate(*, expo: Expo, fields: Iterable[str] = ()) -> int:
    """Make the slot table match the expo's days, hours and slot length; returns the slot count.

    Existing slots that still fit the grid are kept (so nothing pointing at them moves); slots
    that no longer fit are deleted. If any of those is in use (a meeting or anything else points
    at it), nothing changes and ValidationError is raised on `fields` (the expo fields whose
    change made the grid move; a non-field error without them).
    """
    fields = list(fields)
    grid = slot_grid(expo=expo)
    existing = {slot.start: slot for slot in Slot.objects.select_for_update().filter(expo=expo)}
    stale = _stale_slots(grid, existing)
    held = rows_held(model=Slot, pks=stale)
    if held:
        raise _slots_held_error(expo, held, fields)
    try:
        with transaction.atomic():
            Slot.objects.filter(pk__in=stale).delete()
    except (ProtectedError, RestrictedError) as exc:  # taken between the check and the delete
        raise _slots_held_error(expo, rows_held(model=Slot, pks=stale) or set(stale), fields) from exc
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
    )
    expo.full_clean()
    expo.save()
    if make_current:
        expo_make_current(expo=expo)
    expo_slots_generate(expo=expo)
    return expo


@transaction.atomic
def expo_update(*, expo: Expo, data: Mapping[str, Any]) -> Expo:
    """Change the given fields of an expo; if its days, hours, slot length or time zone change,
    regenerate its slot grid in the same transaction.

    Raises ValidationError naming each bad field, and naming the changed fields when the new grid
    would remove slots that are in use; nothing is written then. Returns the saved expo (`expo`
    itself is left as it was).
    """
    unknown = set(data) - set(EXPO_FIELDS)
    if unknown:
        raise ValueError(f"Not expo fields: {sorted(unknown)}")
    # The lock makes concurrent edits of one expo (and their grids) take turns.
    saved = Expo.objects.select_for_update().get(pk=expo.pk)
    before = {field: getattr(saved, field) for field in SLOT_GRID_FIELDS}
    for field, value in data.items():
        setattr(saved, field, value.strip() if isinstance(value, str) else value)
    saved.full_clean()
    saved.save()
    moved = [field for field in SLOT_GRID_FIELDS if getattr(saved, field) != before[field]]
    if moved:
        expo_slots_generate(expo=saved, fields=moved)
    return saved


@transaction.atomic
def expo_make_current(*, expo: Expo) -> Expo:
    """Make `expo` the one current expo (the database allows only one)."""
    Expo.objects.filter(is_current=True).exclude(pk=expo.pk).update(is_current=False)
    Expo.objects.filter(pk=expo.pk).update(is_current=True)
    expo.is_current = True
    expo_time_zone_remember(expo)
    expos_changed()  # set-based updates send no signals
    return expo


def booth_tables_check(*, booth: Booth, tables: int) -> None:
    """Raise ValidationError on `tables` if the booth cannot shrink to `tables` tables.

    A booth cannot retire a table that holds anything (a meeting, or any row pointing at it).
    """
    if booth.pk is None or tables is None:
        return
    surplus = Table.objects.filter(booth=booth, number__gt=tables, is_active=True).values_list(
        "pk", flat=True
    )
    held = rows_held(model=Table, pks=surplus)
    if held:
        highest = max(Table.objects.filter(pk__in=held).values_list("number", flat=True))
        raise ValidationError(
            {
                "tables": [
                    _("Table %(number)d holds meetings: this booth needs at least %(number)d tables.")
                    % {"number": highest}
                ]
            }
        )


@transaction.atomic
def booth_tables_sync(*, booth: Booth) -> None:
    """Make the booth's Table rows match `booth.tables`: add missing ones, retire surplus ones.

    Surplus tables are marked inactive rather than deleted. A table that holds anything is never
    retired: ValidationError on `tables`, and nothing changes.
    """
    booth_tables_check(booth=booth, tables=booth.tables)
    Table.objects.filter(booth=booth, number__lte=booth.tables, is_active=False).update(is_active=True)
    Table.objects.filter(booth=booth, number__gt=booth.tables).update(is_active=False)
    highest = Table.objects.filter(booth=booth).aggregate(n=Max("number"))["n"] or 0
    Table.objects.bulk_create([Table(booth=booth, number=n) for n in range(highest + 1, booth.tables + 1)])


@transaction.atomic
def booth_save(*, booth: Booth, data: Mapping[str, Any]) -> Booth:
    """Create (if `booth` is unsaved) or change a booth, and make its tables follow its table count.

    `data` holds any of BOOTH_FIELDS. Raises ValidationError naming each bad field, `tables`
    included when the booth would shrink below a table that holds meetings; nothing is written then.
    """
    unknown = set(data) - set(BOOTH_FIELDS)
    if unknown:
        raise ValueError(f"Not booth fields: {sorted(unknown)}")
    if booth.pk is not None:
        booth = Booth.objects.select_for_update().get(pk=booth.pk)
    for field, value in data.items():
        setattr(booth, field, value.strip() if isinstance(value, str) else value)
    booth.full_clean()
    booth_tables_check(booth=booth, tables=booth.tables)
    booth.save()
    booth_tables_sync(booth=booth)
    return booth


@transaction.atomic
def table_update(*, table: Table, label: str, is_active: bool) -> Table:
    """Rename a table or take it in or out of use; a table that holds meetings stays in use."""
    table = Table.objects.select_for_update().get(pk=table.pk)
    if table.is_active and not is_active and rows_held(model=Table, pks=[table.pk]):
        raise ValidationError({"is_active": [_("This table holds meetings: it stays in use.")]})
    table.label = (label or "").strip()
    table.is_active = is_active
    table.full_clean()
    table.save()
    return table
