"""Spreadsheet imports of exhibitors and buyers (CSV or XLSX), used by the commands and the admin.

A file is read and checked whole first: every error of every row is collected, and if there is
any, `ImportFailed` lists them all and nothing is written. Otherwise everything is written in one
transaction with a fixed number of queries (bulk inserts and updates, facets through the M2M
tables), whatever the number of rows. Re-importing a file updates profiles by `external_id`.
The columns and rules are described for organisers in docs/imports.md.
"""

import csv
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO, Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import Role, User
from expo.models import BUYER_FACETS, EXHIBITOR_FACETS, Booth, Buyer, Exhibitor, Expo, Hall, Table
from expo.services.taxonomy import TermIndex, kind_label
from expo.signals import profiles_imported

EXHIBITOR_COLUMNS = (
    "external_id", "company_name", "company_name_zh", "country", "province", "hall", "booth", "tables",
    "fabrics", "processes", "fibres", "end_uses", "certifications", "moq_m", "capacity_m_month",
    "price_min_cny", "price_max_cny", "lead_time_days", "description", "contact_email",
)  # fmt: skip
EXHIBITOR_REQUIRED = ("external_id", "company_name")
BUYER_COLUMNS = (
    "external_id", "email", "name", "company", "country", "fabrics", "processes", "fibres", "end_uses",
    "certifications_required", "order_quantity_m", "price_min_cny", "price_max_cny", "lead_time_days",
    "verified",
)  # fmt: skip
BUYER_REQUIRED = ("external_id", "email")
MAX_ROWS = 200_000
_CHUNK = 900  # parameters per IN (…) query, below SQLite's oldest limit of 999

POSITIVE_INT_MAX = 2_147_483_647  # PositiveIntegerField
SMALL_INT_MAX = 32_767  # PositiveSmallIntegerField
PRICE_LIMIT = Decimal("100000000")  # max_digits=10, decimal_places=2
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number: header is row 1, first data row is row 2 (0 for file-level errors)
    column: str  # the column name ("" for whole-row/file errors)
    message: str


class ImportFailed(Exception):
    """The file has errors; `errors` lists all of them in row order, and nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.row)
        super().__init__(f"{len(self.errors)} errors")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int


# --- Reading the file ----------------------------------------------------------------------------


def _fail(message: str, row: int = 0, column: str = "") -> ImportFailed:
    return ImportFailed([RowError(row, column, message)])


def _cell_text(value: Any) -> str:
    """A cell as trimmed text; spreadsheet numbers lose a float's `.0` (1001.0 → "1001")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK, as Chinese Excel saves)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _fail(_("The CSV file is neither UTF-8 nor GB18030/GBK text.")) from exc


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        yield from reader
    except csv.Error as exc:
        raise _fail(_("The CSV file is malformed near line %(line)d.") % {"line": reader.line_num}) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    import openpyxl  # imported here: only XLSX imports pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise _fail(_("The file is not a readable XLSX workbook.")) from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _read(file: IO[bytes], filename: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, trimmed cell texts) of each non-empty row, the header first."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    data = file.read()
    if extension in ("xlsx", "xlsm"):
        rows: Iterable = _xlsx_rows(data)
    elif extension in ("csv", "txt"):
        rows = _csv_rows(data)
    else:
        raise _fail(_("Upload a .csv or .xlsx file (save other spreadsheets in one of these formats)."))
    for number, cells in enumerate(rows, start=1):
        texts = [_cell_text(cell) for cell in cells]
        if any(texts):
            yield number, texts


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _table(
    file: IO[bytes], filename: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The file's known columns and its data rows as {column: text}; header errors raise at once."""
    rows = _read(file, filename)
    first = next(rows, None)
    if first is None:
        raise _fail(_("The file is empty."))
    header_row, header = first
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _header_key(text)
        if not key:
            continue
        if key not in columns:
            message = _("Unknown column “%(name)s”; the columns are: %(columns)s.")
            errors.append(RowError(header_row, text, message % {"name": text, "columns": ", ".join(columns)}))
        elif key in positions:
            errors.append(RowError(header_row, key, _("Column “%(name)s” appears twice.") % {"name": key}))
        else:
            positions[key] = index
    for name in required:
        if name not in positions:
            errors.append(
                RowError(header_row, name, _("Missing required column “%(name)s”.") % {"name": name})
            )
    if errors:
        raise ImportFailed(errors)
    width = len(header)
    data: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        if len(data) >= MAX_ROWS:
            raise _fail(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
        if any(cells[width:]):
            errors.append(RowError(number, "", _("This row has more cells than the header has columns.")))
        data.append((number, {name: cells[i] if i < len(cells) else "" for name, i in positions.items()}))
    if errors:
        raise ImportFailed(errors)
    if not data:
        raise _fail(_("The file has a header but no data rows."))
    return [c for c in columns if c in positions], data


# --- Checking cells ------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Full-width digits, letters and signs as ASCII, for numbers and codes typed in a Chinese IME."""
    return unicodedata.normalize("NFKC", text).strip()


@lru_cache(maxsize=1)
def _country_codes() -> dict[str, str]:
    """Lower-cased ISO alpha-2 and alpha-3 codes, English, Simplified and Traditional Chinese names."""
    codes: dict[str, str] = {}
    for language in ("en", "zh-hant", "zh-hans"):
        with translation.override(language):
            for code, name in countries:
                codes[_plain(str(name)).casefold()] = code
    for code, _name in countries:
        codes[code.lower()] = code
        codes[countries.alpha3(code).lower()] = code
    return codes


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_BOOLEANS = {
    "yes": True, "y": True, "true": True, "1": True, "是": True, "x": True,
    "no": False, "n": False, "false": False, "0": False, "否": False, "": False,
}  # fmt: skip


@dataclass
class _Row:
    """One data row being checked: its cells, the parsed values by model field, and its errors."""

    number: int
    cells: dict[str, str]
    errors: list[RowError]
    values: dict[str, Any] = field(default_factory=dict)
    facets: dict[str, list[int]] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)

    def error(self, column: str, message: str) -> None:
        self.bad.add(column)
        self.errors.append(RowError(self.number, column, message))

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str, max_length: int | None, *, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if required and not value:
            self.error(column, _("This column is required."))
        elif max_length and len(value) > max_length:
            message = _("At most %(max)d characters (this has %(length)d).")
            self.error(column, message % {"max": max_length, "length": len(value)})
        return value

    def decimal(self, column: str) -> Decimal | None:
        text = _plain(self.cells.get(column, ""))
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            value = Decimal(text) if text else None
        except InvalidOperation:
            value = Decimal("NaN")
        if value is not None and not value.is_finite():
            self.error(column, _("“%(value)s” is not a number.") % {"value": self.cells[column]})
            return None
        return value

    def integer(self, column: str, minimum: int, maximum: int) -> int | None:
        value = self.decimal(column)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.error(column, _("Use a whole number."))
        elif not minimum <= value <= maximum:
            message = _("Use a whole number from %(min)d to %(max)d.")
            self.error(column, message % {"min": minimum, "max": maximum})
        else:
            return int(value)
        return None

    def price(self, column: str) -> Decimal | None:
        value = self.decimal(column)
        if value is None:
            return None
        if value <= 0:
            self.error(column, _("The price must be greater than zero."))
        elif value != value.quantize(CENT):
            self.error(column, _("Use at most two decimal places."))
        elif value >= PRICE_LIMIT:
            self.error(column, _("The price must be below %(limit)s.") % {"limit": PRICE_LIMIT})
        else:
            return value.quantize(CENT)
        return None

    def email(self, column: str, *, required: bool = False) -> str:
        value = self.text(column, 254, required=required)
        if value and column not in self.bad:
            try:
                validate_email(value)
            except ValidationError:
                self.error(column, _("“%(value)s” is not a valid email address.") % {"value": value})
        return value

    def country(self, column: str, default: str) -> str:
        value = self.cells.get(column, "")
        if not value:
            return default
        code = _country_codes().get(_plain(value).casefold())
        if code is None:
            message = _(
                "Unknown country “%(value)s”: use an ISO code such as CN, or its English or Chinese name."
            )
            self.error(column, message % {"value": value})
            return default
        return code

    def boolean(self, column: str) -> bool:
        value = _BOOLEANS.get(_plain(self.cells.get(column, "")).casefold())
        if value is None:
            self.error(column, _("Use yes or no (also true/false, 1/0, 是/否)."))
        return bool(value)

    def terms(self, column: str, kind: str, index: TermIndex) -> None:
        found, unknown = index.parse_cell(kind, self.cells.get(column, ""))
        for value in unknown:
            self.error(
                column, _("Unknown %(kind)s “%(value)s”.") % {"kind": kind_label(kind), "value": value}
            )
        self.facets[column] = [term.pk for term in found]

    def price_range(self, existing: Any) -> None:
        """min ≤ max, taking a price from the profile being updated when its column is absent."""
        if {"price_min_cny", "price_max_cny"} & self.bad:
            return
        low = self.values.get("price_min_cny", getattr(existing, "price_min_cny", None))
        high = self.values.get("price_max_cny", getattr(existing, "price_max_cny", None))
        if low is not None and high is not None and low > high:
            self.error("price_max_cny", _("The maximum price cannot be below the minimum price."))


def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _common_values(row: _Row, facets: dict[str, str], index: TermIndex) -> None:
    """Facets, prices and lead time: the columns exhibitors and buyers share."""
    for column, kind in facets.items():
        if row.has(column):
            row.terms(column, kind, index)
    for column in ("price_min_cny", "price_max_cny"):
        if row.has(column):
            row.values[column] = row.price(column)
    if row.has("lead_time_days"):
        row.values["lead_time_days"] = row.integer("lead_time_days", 0, SMALL_INT_MAX)


def _duplicate(row: _Row, column: str, key: str, seen: dict[str, int]) -> None:
    if not key:
        return
    if key in seen:
        message = _("“%(value)s” is also in row %(row)d.")
        row.error(column, message % {"value": row.cells[column], "row": seen[key]})
    else:
        seen[key] = row.number


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Writing -------------------------------------------------------------------------------------


def _facets_write(
    model: type[models.Model], expo: Expo, rows: list[tuple[int, _Row]], existing_ids: set[int]
) -> None:
    """Make each profile's facets exactly the file's values: delete pairs not wanted, add missing ones."""
    columns = {column for _pk, row in rows for column in row.facets}
    for column in columns:
        m2m = model._meta.get_field(column)
        through = m2m.remote_field.through
        owner, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        wanted = {(pk, term) for pk, row in rows if column in row.facets for term in row.facets[column]}
        owners = {pk for pk, row in rows if column in row.facets}
        stale: list[int] = []
        have: set[tuple[int, int]] = set()
        if existing_ids & owners:
            pairs = through.objects.filter(**{f"{m2m.m2m_field_name()}__expo": expo})
            for pair_id, owner_id, term_id in pairs.values_list("id", owner, target):
                if owner_id in owners:
                    if (owner_id, term_id) in wanted:
                        have.add((owner_id, term_id))
                    else:
                        stale.append(pair_id)
        for chunk in _chunks(stale):
            through.objects.filter(pk__in=chunk).delete()
        through.objects.bulk_create(
            [through(**{owner: pk, target: term}) for pk, term in sorted(wanted - have)], batch_size=2000
        )


def _profiles_save(model: type[models.Model], new: list, changed: list, fields: list[str]) -> None:
    model.objects.bulk_create(new, batch_size=1000)
    if changed and fields:
        now = timezone.now()
        for profile in changed:
            profile.updated_at = now
        model.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=500)


def _announce(model: type[models.Model], expo: Expo, kind: str, ids: list[int]) -> None:
    transaction.on_commit(lambda: profiles_imported.send(sender=model, expo=expo, kind=kind, ids=ids))


# --- Exhibitors ----------------------------------------------------------------------------------

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
    _present, data = _table(file, filename, EXHIBITOR_COLUMNS, EXHIBITOR_REQUIRED)
    try:
        with transaction.atomic():
            result, write = _exhibitors_check(expo, data)
            if not dry_run:
                write()
    except IntegrityError as exc:  # a concurrent change slipped between the check and the write
        raise _fail(_("The data changed while importing; try again.")) from exc
    return result


def _exhibitors_check(expo: Expo, data: list[tuple[int, dict[str, str]]]):
    Expo.objects.select_for_update().filter(pk=expo.pk).first()  # one import per expo at a time
    index = TermIndex()
    existing = {e.external_id: e for e in Exhibitor.objects.filter(expo=expo).exclude(external_id="")}
    booths = {b.code: b for b in Booth.objects.filter(expo=expo)}
    halls = {h.code: h for h in Hall.objects.filter(expo=expo)}
    booth_max, hall_max = _max_length(Booth, "code"), _max_length(Hall, "code")
    errors: list[RowError] = []
    rows: list[_Row] = []
    seen_ids: dict[str, int] = {}
    seen_booths: dict[str, int] = {}
    for number, cells in data:
        row = _Row(number, cells, errors)
        for column, name in _EXHIBITOR_TEXT.items():
            if row.has(column):
                row.values[name] = row.text(
                    column, _max_length(Exhibitor, name), required=column in EXHIBITOR_REQUIRED
                )
        if row.has("country"):
            row.values["country"] = row.country("country", default="CN")
        if row.has("contact_email"):
            row.values["contact_email"] = row.email("contact_email")
        for column in ("moq_m", "capacity_m_month"):
            if row.has(column):
                row.values[column] = row.integer(column, 1, POSITIVE_INT_MAX)
        _common_values(row, EXHIBITOR_FACETS, index)
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
        _duplicate(row, "external_id", row.values.get("external_id", ""), seen_ids)
        _duplicate(row, "booth", booth, seen_booths)
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
            else:
                for name, value in values.items():
                    setattr(profile, name, value)
                changed.append(profile)
            pairs.append((profile, row))
        _profiles_save(Exhibitor, new, changed, fields)
        _ensure_pks(Exhibitor, expo, new)
        _facets_write(Exhibitor, expo, [(p.pk, row) for p, row in pairs], {p.pk for p in changed})
        _booths_write(expo, [(p, row.values["_booth"]) for p, row in pairs], booths, halls)
        _announce(Exhibitor, expo, "exhibitors", [p.pk for p, _row in pairs])

    return result, write


def _ensure_pks(model: type[models.Model], expo: Expo, new: list) -> None:
    """Fill in primary keys where the database could not return them from a bulk insert."""
    missing = [p for p in new if p.pk is None]
    if missing:
        pks = dict(model.objects.filter(expo=expo).exclude(external_id="").values_list("external_id", "pk"))
        for profile in missing:
            profile.pk = pks[profile.external_id]


def _booths_write(
    expo: Expo, assignments: list[tuple[Exhibitor, tuple[str, str, int]]], booths: dict, halls: dict
) -> None:
    """Give each exhibitor the file's booth (creating halls and booths as needed), release the booths
    it held before, and keep each booth's Table rows in step with its table count."""
    wanted = {code: hall for _p, (code, hall, _t) in assignments if code and hall and hall not in halls}
    new_halls = [Hall(expo=expo, code=code) for code in sorted(set(wanted.values()))]
    Hall.objects.bulk_create(new_halls)
    halls.update({h.code: h for h in new_halls})
    if any(h.pk is None for h in new_halls):
        halls.update({h.code: h for h in Hall.objects.filter(expo=expo)})

    moved = {profile.pk: code for profile, (code, _h, _t) in assignments if code}
    changed: dict[str, Booth] = {}
    for booth in booths.values():
        if booth.exhibitor_id in moved and moved[booth.exhibitor_id] != booth.code:
            booth.exhibitor_id = None  # released: the exhibitor moved to another booth
            changed[booth.code] = booth
    new: list[Booth] = []
    for profile, (code, hall, tables) in assignments:
        if not code:
            continue
        booth = booths.get(code)
        if booth is None:
            booth = Booth(expo=expo, code=code)
            new.append(booth)
        else:
            changed[code] = booth
        booth.exhibitor_id, booth.tables = profile.pk, tables
        if hall:
            booth.hall_id = halls[hall].pk
    Booth.objects.bulk_create(new, batch_size=1000)
    Booth.objects.bulk_update(list(changed.values()), ["exhibitor", "hall", "tables"], batch_size=500)
    if any(b.pk is None for b in new):
        pks = dict(Booth.objects.filter(expo=expo).values_list("code", "pk"))
        for booth in new:
            booth.pk = pks[booth.code]
    _tables_sync({b.pk: b.tables for b in [*new, *changed.values()] if b.exhibitor_id})


def _tables_sync(counts: dict[int, int]) -> None:
    """Bulk `booth_tables_sync`: add missing tables, retire surplus ones (kept, inactive), revive others."""
    if not counts:
        return
    highest: dict[int, int] = {}
    activate, retire = [], []
    for chunk in _chunks(list(counts)):
        for pk, booth_id, number, active in Table.objects.filter(booth_id__in=chunk).values_list(
            "pk", "booth_id", "number", "is_active"
        ):
            highest[booth_id] = max(highest.get(booth_id, 0), number)
            if number <= counts[booth_id] and not active:
                activate.append(pk)
            elif number > counts[booth_id] and active:
                retire.append(pk)
    for ids, active in ((activate, True), (retire, False)):
        for chunk in _chunks(ids):
            Table.objects.filter(pk__in=chunk).update(is_active=active)
    Table.objects.bulk_create(
        [
            Table(booth_id=booth_id, number=n)
            for booth_id, count in counts.items()
            for n in range(highest.get(booth_id, 0) + 1, count + 1)
        ],
        batch_size=2000,
    )


# --- Buyers --------------------------------------------------------------------------------------


def buyers_import(*, expo: Expo, file: IO[bytes], filename: str, dry_run: bool = False) -> ImportResult:
    """Create or update (by external_id) the buyers a CSV/XLSX file lists, creating their user accounts.

    A new email gets a buyer account with an unusable password (they set one by password reset);
    an existing account is reused as it is. Raises ImportFailed with every error, having written
    nothing. With `dry_run`, checks the file and reports what an import would do, without writing.
    """
    _present, data = _table(file, filename, BUYER_COLUMNS, BUYER_REQUIRED)
    try:
        with transaction.atomic():
            result, write = _buyers_check(expo, data)
            if not dry_run:
                write()
    except IntegrityError as exc:  # a concurrent change slipped between the check and the write
        raise _fail(_("The data changed while importing; try again.")) from exc
    return result


def _users_by_email(emails: list[str]) -> dict[str, User]:
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        for user in User.objects.annotate(email_key=Lower("email")).filter(email_key__in=chunk):
            users[user.email_key] = user
    return users


def _buyers_check(expo: Expo, data: list[tuple[int, dict[str, str]]]):
    Expo.objects.select_for_update().filter(pk=expo.pk).first()  # one import per expo at a time
    index = TermIndex()
    buyers = list(Buyer.objects.filter(expo=expo).select_related("user"))
    by_external = {b.external_id: b for b in buyers if b.external_id}
    by_user = {b.user_id: b for b in buyers}
    users = _users_by_email(sorted({cells.get("email", "").lower() for _n, cells in data} - {""}))
    name_max = _max_length(User, "name")
    errors: list[RowError] = []
    rows: list[tuple[_Row, Buyer | None]] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for number, cells in data:
        row = _Row(number, cells, errors)
        external_id = row.text("external_id", _max_length(Buyer, "external_id"), required=True)
        email = row.email("email", required=True).lower()
        row.values["_email"] = email
        row.values["_name"] = row.text("name", name_max)
        if row.has("company"):
            row.values["company"] = row.text("company", _max_length(Buyer, "company"))
        if row.has("country"):
            row.values["country"] = row.country("country", default="")
        if row.has("order_quantity_m"):
            row.values["order_quantity_m"] = row.integer("order_quantity_m", 1, POSITIVE_INT_MAX)
        if row.has("verified"):
            row.values["verified"] = row.boolean("verified")
        _common_values(row, BUYER_FACETS, index)
        _duplicate(row, "external_id", external_id, seen_ids)
        _duplicate(row, "email", email if "email" not in row.bad else "", seen_emails)

        profile = by_external.get(external_id)
        user = users.get(email)
        if profile is not None and email and "email" not in row.bad and profile.user.email.lower() != email:
            message = _("External ID “%(id)s” belongs to the buyer %(email)s at this expo.")
            row.error("email", message % {"id": external_id, "email": profile.user.email})
        elif profile is None and user is not None and user.pk in by_user:
            profile = by_user[user.pk]
            if profile.external_id:
                message = _("This email's buyer at this expo has external ID “%(id)s”.")
                row.error("external_id", message % {"id": profile.external_id})
        row.values["external_id"] = external_id
        row.price_range(profile)
        rows.append((row, profile))
    if errors:
        raise ImportFailed(errors)

    created = sum(1 for _row, profile in rows if profile is None)
    result = ImportResult(rows=len(rows), created=created, updated=len(rows) - created)

    def write() -> None:
        new_users = [
            User(
                email=row.values["_email"],
                name=row.values["_name"],
                company=row.values.get("company", ""),
                country=row.values.get("country", ""),
                role=Role.BUYER,
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            )
            for row, profile in rows
            if profile is None and row.values["_email"] not in users
        ]
        User.objects.bulk_create(new_users, batch_size=1000)
        if any(u.pk is None for u in new_users):
            users.update(_users_by_email([u.email for u in new_users]))
        else:
            users.update({u.email: u for u in new_users})
        fields = [name for name in rows[0][0].values if not name.startswith("_")]
        new, changed, pairs = [], [], []
        for row, profile in rows:
            values = {k: v for k, v in row.values.items() if not k.startswith("_")}
            if profile is None:
                profile = Buyer(expo=expo, user_id=users[row.values["_email"]].pk, **values)
                new.append(profile)
            else:
                for name, value in values.items():
                    setattr(profile, name, value)
                changed.append(profile)
            pairs.append((profile, row))
        _profiles_save(Buyer, new, changed, fields)
        _ensure_pks(Buyer, expo, new)
        _facets_write(Buyer, expo, [(p.pk, row) for p, row in pairs], {p.pk for p in changed})
        _announce(Buyer, expo, "buyers", [p.pk for p, _row in pairs])

    return result, write
