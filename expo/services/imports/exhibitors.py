"""Exhibitor import: profiles by external_id, with their halls, booths and booth tables."""

from typing import IO

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from expo.models import EXHIBITOR_FACETS, Booth, Exhibitor, Expo, Hall, Table
from expo.services.imports.bulk import (
    announce,
    assign,
    bulk_update,
    chunks,
    create,
    ensure_pks,
    facets_write,
    insert_rows,
    profiles_save,
    profiles_stamp,
)
from expo.services.imports.cells import POSITIVE_INT_MAX, Row, common_values, duplicate, max_length
from expo.services.imports.reading import read_table
from expo.services.imports.results import ImportFailed, ImportResult, RowError, fail
from expo.services.taxonomy import TermIndex

EXHIBITOR_COLUMNS = (
    "external_id", "company_name", "company_name_zh", "country", "province", "hall", "booth", "tables",
    "fabrics", "processes", "fibres", "end_uses", "certifications", "moq_m", "capacity_m_month",
    "price_min_cny", "price_max_cny", "lead_time_days", "description", "contact_email",
)  # fmt: skip
EXHIBITOR_REQUIRED = ("external_id", "company_name")

_EXHIBITOR_TEXT = {  # column → model field
    "external_id": "external_id",
    "company_name": "name_en",
    "company_name_zh": "name_zh",
    "province": "province",
    "description": "description",
}


def exhibitors_import(*, expo: Expo, file: IO[bytes], filename: str, dry_run: bool = False) -> ImportResult:
    """Create or update (by external_id) the exhibitors a CSV/XLSX file lists, with halls, booths, tables.

    Raises ImportFailed with every error of the file, having written nothing. With `dry_run`, checks
    the file and reports what an import would do, without writing.
    """
    data, shape_errors = read_table(file, filename, EXHIBITOR_COLUMNS, EXHIBITOR_REQUIRED)
    try:
        with transaction.atomic():
            result, write = exhibitors_check(expo, data, shape_errors)
            if not dry_run:
                write()
    except IntegrityError as exc:  # a concurrent change slipped between the check and the write
        raise fail(_("The data changed while importing; try again.")) from exc
    return result


def exhibitors_check(expo: Expo, data: list[tuple[int, dict[str, str]]], shape_errors: list[RowError]):
    """Check every row against the file and the database; (counts, a function that writes them all).

    Raises ImportFailed with every error found. Runs inside the import's transaction.
    """
    Expo.objects.select_for_update().filter(pk=expo.pk).first()  # one import per expo at a time
    index = TermIndex()
    existing = {
        e.external_id: e
        for e in Exhibitor.objects.filter(expo=expo).exclude(external_id="").defer("created_at", "updated_at")
    }
    booths = {b.code: b for b in Booth.objects.filter(expo=expo)}
    halls = {h.code: h for h in Hall.objects.filter(expo=expo)}
    booth_max, hall_max = max_length(Booth, "code"), max_length(Hall, "code")
    errors: list[RowError] = list(shape_errors)
    rows: list[Row] = []
    seen_ids: dict[str, int] = {}
    seen_booths: dict[str, int] = {}
    for number, cells in data:
        row = Row(number, cells, errors)
        for column, name in _EXHIBITOR_TEXT.items():
            if row.has(column):
                row.values[name] = row.text(
                    column, max_length(Exhibitor, name), required=column in EXHIBITOR_REQUIRED
                )
        if row.has("country"):
            row.values["country"] = row.country("country", default="CN")
        if row.has("contact_email"):
            row.values["contact_email"] = row.email("contact_email")
        for column in ("moq_m", "capacity_m_month"):
            if row.has(column):
                row.values[column] = row.integer(column, 1, POSITIVE_INT_MAX)
        common_values(row, EXHIBITOR_FACETS, index)
        hall = row.text("hall", hall_max)
        booth = row.text("booth", booth_max)
        tables = row.integer("tables", 1, 50) if row.cells.get("tables") else None
        if hall and not booth:
            row.error("booth", _("A hall is given, so give the booth code too."))
        elif booth and not hall and booth not in booths:
            row.error("hall", _("Give the hall of the new booth “%(booth)s”.") % {"booth": booth})
        elif tables is not None and not booth:
            row.error("booth", _("Tables are given, so give the booth code too."))
        row.values["_booth"] = (booth, hall, tables or 1)
        duplicate(row, "external_id", row.values.get("external_id", ""), seen_ids)
        duplicate(row, "booth", booth, seen_booths)
        row.price_range(existing.get(row.values["external_id"]))
        rows.append(row)

    # A booth held by another exhibitor is free only if the file moves that exhibitor elsewhere.
    moving = {row.values["external_id"]: row.values["_booth"][0] for row in rows if row.values["_booth"][0]}
    holder = {e.pk: e.external_id for e in existing.values()}
    for row in rows:
        code = row.values["_booth"][0]
        booth = booths.get(code)
        if not code or booth is None or booth.exhibitor_id is None or "booth" in row.bad:
            continue
        held_by = holder.get(booth.exhibitor_id)
        if held_by != row.values["external_id"] and moving.get(held_by, code) == code:
            row.error("booth", _("Booth “%(booth)s” belongs to another exhibitor.") % {"booth": code})
    if errors:
        raise ImportFailed(errors)

    created = sum(1 for row in rows if row.values["external_id"] not in existing)
    result = ImportResult(rows=len(rows), created=created, updated=len(rows) - created)

    def write() -> None:
        fields = [row_field for row_field in rows[0].values if not row_field.startswith("_")]
        new, changed, pairs = [], [], []
        for row in rows:
            values = {k: v for k, v in row.values.items() if not k.startswith("_")}
            profile = existing.get(values["external_id"])
            if profile is None:
                profile = Exhibitor(expo=expo, **values)
                new.append(profile)
            elif assign(profile, values):
                changed.append(profile)
            pairs.append((profile, row))
        profiles_save(Exhibitor, new, changed, fields)
        ensure_pks(Exhibitor, expo, new)
        touched = {p.pk for p in [*new, *changed]}
        touched |= facets_write(
            Exhibitor, [(p.pk, row) for p, row in pairs], {p.pk for p in existing.values()}
        )
        touched |= _booths_write(expo, [(p, row.values["_booth"]) for p, row in pairs], booths, halls)
        profiles_stamp(Exhibitor, touched, done=[*new, *changed])
        announce(Exhibitor, expo, "exhibitors", [p.pk for p, _row in pairs if p.pk in touched])

    return result, write


def _booths_write(
    expo: Expo, assignments: list[tuple[Exhibitor, tuple[str, str, int]]], booths: dict, halls: dict
) -> set[int]:
    """Give each exhibitor the file's booth (creating halls and booths as needed), release the booths
    it held before, and keep each booth's Table rows in step with its table count.

    Returns the primary keys of the exhibitors whose booth changed."""
    wanted = {code: hall for _p, (code, hall, _t) in assignments if code and hall and hall not in halls}
    new_halls = [Hall(expo=expo, code=code) for code in sorted(set(wanted.values()))]
    Hall.objects.bulk_create(new_halls)
    halls.update({h.code: h for h in new_halls})
    if any(h.pk is None for h in new_halls):
        halls.update({h.code: h for h in Hall.objects.filter(expo=expo)})

    before = {code: (b.exhibitor_id, b.hall_id, b.tables) for code, b in booths.items()}
    moved = {profile.pk: code for profile, (code, _h, _t) in assignments if code}
    for booth in booths.values():
        if booth.exhibitor_id in moved and moved[booth.exhibitor_id] != booth.code:
            booth.exhibitor_id = None  # released: the exhibitor moved to another booth
    held: list[Booth] = []
    new: list[Booth] = []
    for profile, (code, hall, tables) in assignments:
        if not code:
            continue
        booth = booths.get(code)
        if booth is None:
            booth = Booth(expo=expo, code=code)
            new.append(booth)
        else:
            held.append(booth)
        booth.exhibitor_id, booth.tables = profile.pk, tables
        if hall:
            booth.hall_id = halls[hall].pk
    create(Booth, new)
    changed = [b for code, b in booths.items() if (b.exhibitor_id, b.hall_id, b.tables) != before[code]]
    bulk_update(Booth, changed, ["exhibitor", "hall", "tables"])
    if any(b.pk is None for b in new):
        pks = dict(Booth.objects.filter(expo=expo).values_list("code", "pk"))
        for booth in new:
            booth.pk = pks[booth.code]
    _tables_sync(expo, {b.pk: b.tables for b in [*new, *held]})
    return {b.exhibitor_id for b in [*new, *changed] if b.exhibitor_id}


def _tables_sync(expo: Expo, counts: dict[int, int]) -> None:
    """Bulk `booth_tables_sync`: add missing tables, retire surplus ones (kept, inactive), revive others."""
    if not counts:
        return
    highest: dict[int, int] = {}
    activate, retire = [], []
    tables = Table.objects.filter(booth__expo=expo).values_list("pk", "booth_id", "number", "is_active")
    for pk, booth_id, number, active in tables:
        if booth_id not in counts:
            continue
        highest[booth_id] = max(highest.get(booth_id, 0), number)
        if number <= counts[booth_id] and not active:
            activate.append(pk)
        elif number > counts[booth_id] and active:
            retire.append(pk)
    for ids, active in ((activate, True), (retire, False)):
        for chunk in chunks(ids):
            Table.objects.filter(pk__in=chunk).update(is_active=active)
    insert_rows(
        Table,
        ["booth_id", "number", "label", "is_active"],
        [
            (booth_id, n, "", True)
            for booth_id, count in counts.items()
            for n in range(highest.get(booth_id, 0) + 1, count + 1)
        ],
    )
