"""Exhibitor import: profiles by external_id, with their halls, booths and booth tables, and (when
inviting) each exhibitor's contact person as its first staff member."""

import dataclasses
import secrets
from typing import IO

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.languages import language_code, language_default
from accounts.models import Role, User, email_normal
from accounts.services import GROUP_EXHIBITOR_STAFF, invitations_queue, role_groups_sync
from expo.cache import directory_changed
from expo.models import EXHIBITOR_FACETS, Booth, Exhibitor, ExhibitorStaff, Expo, Hall, Table
from expo.provinces import province_code
from expo.services.floor import rows_held
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
    "price_min_cny", "price_max_cny", "lead_time_days", "description", "description_zh", "contact_email",
    "language",
)  # fmt: skip
EXHIBITOR_REQUIRED = ("external_id", "company_name")

_EXHIBITOR_TEXT = {  # column → model field
    "external_id": "external_id",
    "company_name": "name_en",
    "company_name_zh": "name_zh",
    "description": "description_en",
    "description_zh": "description_zh",
}


def exhibitors_import(
    *,
    expo: Expo,
    file: IO[bytes],
    filename: str,
    dry_run: bool = False,
    invite: bool = False,
    base_url: str = "",
) -> ImportResult:
    """Create or update (by external_id) the exhibitors a CSV/XLSX file lists, with halls, booths, tables.

    With `invite`, each row's `contact_email` becomes staff of that exhibitor (a new account
    without a password, in the row's `language`, by default Chinese for country CN) and is invited
    on commit, once per person however often the file is imported (`base_url`: the site's scheme
    and host, for the link); an address of an organiser, a buyer or another exhibitor's staff is a
    row error. Raises ImportFailed with every error of the file, having written nothing. With
    `dry_run`, checks the file and reports what an import would do, without writing.
    """
    data, shape_errors = read_table(file, filename, EXHIBITOR_COLUMNS, EXHIBITOR_REQUIRED)
    try:
        with transaction.atomic():
            result, write = exhibitors_check(expo, data, shape_errors, contacts=invite)
            if not dry_run:
                user_ids = write()
                if invite:
                    invited = invitations_queue(user_ids=user_ids, base_url=base_url)
                    result = dataclasses.replace(result, invited=invited)
    except IntegrityError as exc:  # a concurrent change slipped between the check and the write
        raise fail(_("The data changed while importing; try again.")) from exc
    return result


def exhibitors_check(
    expo: Expo,
    data: list[tuple[int, dict[str, str]]],
    shape_errors: list[RowError],
    *,
    contacts: bool = False,
):
    """Check every row against the file and the database; (counts, a function that writes them all).

    `contacts`: the rows' contact addresses become staff accounts (checked here, written by the
    function, which returns their primary keys). Raises ImportFailed with every error found. Runs
    inside the import's transaction.
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
        if row.has("province"):
            _province(row, existing.get(row.values.get("external_id", "")))
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
        language = row.cells.get("language", "")
        row.values["_language"] = (
            language_code(language) if language else language_default(row.values.get("country", "CN"))
        )
        if row.values["_language"] is None:
            row.error(
                "language", _("Unknown language “%(value)s”; write en or zh-hans.") % {"value": language}
            )
        rows.append(row)
    staff = _contacts_check(expo, rows) if contacts else {}

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
    _tables_held_check(rows, booths)
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
        directory_changed(expo_id=expo.pk)  # bulk writes send no signals
        return _contacts_write([(p, row) for p, row in pairs if row.values.get("_contact")], staff)

    return result, write


def _contacts_check(expo: Expo, rows: list) -> dict[str, tuple[int, int | None]]:
    """Which contact addresses may become their exhibitor's staff; row errors for those that may not.

    Returns {normal-form address: (user pk, pk of the exhibitor they work for or None)} of the
    existing accounts. Sets each row's `_contact` (normal form) and `_typed` (as typed).
    """
    seen: dict[str, int] = {}
    for row in rows:
        typed = row.values.get("contact_email", "")
        if typed and "contact_email" not in row.bad:
            row.values["_contact"] = email_normal(typed)
            row.values["_typed"] = User.objects.normalize_email(typed)
            duplicate(row, "contact_email", row.values["_contact"], seen)
    keys = sorted({row.values["_contact"] for row in rows if row.values.get("_contact")})
    found: dict[str, tuple[int, int | None]] = {}
    for chunk in chunks(keys):
        users = User.objects.filter(email_key__in=chunk).values_list(
            "email_key", "pk", "role", "is_superuser", "exhibitor_staff__exhibitor_id",
            "exhibitor_staff__exhibitor__expo_id", "exhibitor_staff__exhibitor__external_id",
        )  # fmt: skip
        for key, pk, role, superuser, exhibitor_id, expo_id, external_id in users:
            found[key] = (pk, exhibitor_id)
            for row in rows:
                if row.values.get("_contact") != key:
                    continue
                if superuser or role == Role.ORGANISER:
                    row.error(
                        "contact_email",
                        _("This address belongs to an organiser; it cannot be exhibitor staff."),
                    )
                elif role == Role.BUYER:
                    row.error(
                        "contact_email", _("This address belongs to a buyer; it cannot be exhibitor staff.")
                    )
                elif exhibitor_id is not None and (
                    expo_id != expo.pk or external_id != row.values["external_id"]
                ):
                    row.error("contact_email", _("This address belongs to another exhibitor's staff."))
    return found


def _contacts_write(
    pairs: list[tuple[Exhibitor, object]], found: dict[str, tuple[int, int | None]]
) -> list[int]:
    """Make each contact staff of their exhibitor (creating accounts); their user primary keys."""
    new: dict[str, User] = {}
    for profile, row in pairs:
        key = row.values["_contact"]
        if key not in found:
            new.setdefault(
                key,
                User(
                    email=row.values["_typed"],
                    email_key=key,
                    company=profile.name_en,
                    country=profile.country,
                    preferred_language=row.values["_language"],
                    role=Role.EXHIBITOR_STAFF,
                    is_staff=True,
                    password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                ),
            )
    create(User, list(new.values()))
    if any(u.pk is None for u in new.values()):
        pks = dict(User.objects.filter(email_key__in=list(new)).values_list("email_key", "pk"))
    else:
        pks = {key: u.pk for key, u in new.items()}
    links = []
    user_ids = []
    for profile, row in pairs:
        key = row.values["_contact"]
        pk, exhibitor_id = found[key] if key in found else (pks[key], None)
        user_ids.append(pk)
        if exhibitor_id is None:
            links.append(ExhibitorStaff(user_id=pk, exhibitor_id=profile.pk))
    ExhibitorStaff.objects.bulk_create(links)
    group = (
        Group.objects.filter(name=GROUP_EXHIBITOR_STAFF).first() or role_groups_sync()[GROUP_EXHIBITOR_STAFF]
    )
    through = User.groups.through
    have = set(
        through.objects.filter(group=group, user_id__in=[link.user_id for link in links]).values_list(
            "user_id", flat=True
        )
    )
    through.objects.bulk_create(
        [through(user_id=link.user_id, group_id=group.pk) for link in links if link.user_id not in have]
    )
    return user_ids


def _province(row: Row, profile: Exhibitor | None) -> None:
    """`province`: a Chinese province by code or name in either language for a company in China;
    elsewhere the cell is the region (state, city) as written."""
    text = row.text("province", max_length(Exhibitor, "region"))
    country = row.values.get("country") or (profile.country.code if profile is not None else "CN")
    code = province_code(text) if text else ""
    if country == "CN" and text and code is None:
        message = _(
            "Unknown province “%(value)s”: give a province of China by its English or Chinese name, e.g. Jiangsu or 江苏."
        )
        row.error("province", message % {"value": text})
    row.values["province"], row.values["region"] = (code or "", "") if country == "CN" else ("", text)


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


def _tables_held_check(rows: list[Row], booths: dict[str, Booth]) -> None:
    """A row error on `tables` for each row that would shrink its booth below a table in use, the
    rule `booth_tables_check` applies to one booth (a table holding a meeting is never retired)."""
    wanted = {}
    for row in rows:
        code, _hall, tables = row.values["_booth"]
        booth = booths.get(code)
        if booth is not None and "booth" not in row.bad and "tables" not in row.bad:
            wanted[booth.pk] = (row, tables)
    if not wanted:
        return
    surplus = {
        pk: (booth_id, number)
        for pk, booth_id, number in Table.objects.filter(
            booth_id__in=list(wanted), is_active=True
        ).values_list("pk", "booth_id", "number")
        if number > wanted[booth_id][1]
    }
    highest: dict[int, int] = {}
    for pk in rows_held(model=Table, pks=surplus):
        booth_id, number = surplus[pk]
        highest[booth_id] = max(highest.get(booth_id, 0), number)
    for booth_id, number in highest.items():
        wanted[booth_id][0].error(
            "tables",
            _("Table %(number)d holds meetings: this booth needs at least %(number)d tables.")
            % {"number": number},
        )


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
