"""Deal totals: intended deals summed by exhibitor, buyer, fabric, buyer country or day, exact to the fen.

Each deal's CNY amount is stored in whole fen (rounded half-up once, when logged), so every sum
here is a sum of integers: exact in PostgreSQL and in SQLite alike. Withdrawn deals never count.
The groups of any grouping add up to the grand total, which is computed from the same rows.
Rows come from one GROUP BY query read in chunks, so a CSV of any size streams in constant memory.

Rows also count the group's **samples** (sample requests logged at its meetings; by fabric for
`category`) and **meetings** (meetings held: accepted or checked in, the rule that lets either side
log a deal), whether or not they led to a deal, on the days of the date range (a meeting's day is
its slot's, in the expo's time zone); the stage filter is the deals' alone. Each is one GROUP BY
query per report (not one per row), held as a dict by group key while the deal rows stream. A meeting
names no fabric, so `category` rows have no meetings column; `deal` rows (one per deal) have
neither column. Only groups with counted deals have a row.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from expo.models import Deal, DealStage, Expo, Meeting, SampleRequest, fen_text
from expo.selectors import MET_STATUSES

GROUPINGS: dict[str, object] = {
    "exhibitor": gettext_lazy("Exhibitor"),
    "buyer": gettext_lazy("Buyer"),
    "category": gettext_lazy("Fabric"),
    "country": gettext_lazy("Buyer country"),
    "day": gettext_lazy("Day"),
    "deal": gettext_lazy("Deal"),
}
COUNTED_STAGES = [s for s in DealStage.values if s != DealStage.WITHDRAWN]
COLUMNS = ("key", "label", "total_cny", "deals", "metres")
# The count columns each grouping carries after COLUMNS (see the module's docstring).
COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "exhibitor": ("samples", "meetings"),
    "buyer": ("samples", "meetings"),
    "category": ("samples",),
    "country": ("samples", "meetings"),
    "day": ("samples", "meetings"),
    "deal": (),
}
CHUNK = 2000

# Per grouping: the values() the query groups by; the key and label are taken from them.
_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "exhibitor": ("exhibitor_id", "exhibitor__name_en", "exhibitor__name_zh"),
    "buyer": ("buyer_id", "buyer__company"),
    "category": ("category__slug", "category__name_en", "category__name_zh"),
    "country": ("buyer__country",),
    "day": ("date",),
    # One row per deal: where every yuan came from. Grouping by the primary key keeps one query shape.
    "deal": ("id", "buyer__company", "exhibitor__name_en", "exhibitor__name_zh"),
}


@dataclass(frozen=True)
class TotalsFilter:
    expo: Expo
    group_by: str
    stages: tuple[str, ...] = ()  # empty: every counted stage
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    counts: bool = True  # False: leave the count columns empty (no queries), for charts of money alone


def columns_for(group_by: str) -> tuple[str, ...]:
    """The report's columns for a grouping, in order: the same in JSON rows, CSV and XLSX."""
    return COLUMNS + COUNT_COLUMNS[group_by]


@dataclass
class TotalsRow:
    key: str
    label: str
    fen: int
    deals: int
    metres: int
    counts: tuple[int, ...] = ()  # the grouping's COUNT_COLUMNS, in order

    def as_dict(self, names: tuple[str, ...] = ()) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "total_cny": fen_text(self.fen),
            "deals": self.deals,
            "metres": self.metres,
            **dict(zip(names, self.counts, strict=True)),
        }

    def as_list(self) -> list:
        return [self.key, self.label, fen_text(self.fen), self.deals, self.metres, *self.counts]


@dataclass
class Totals:
    fen: int = 0
    deals: int = 0
    metres: int = 0
    counts: list[int] = field(default_factory=list)
    rows: list[TotalsRow] = field(default_factory=list)

    def add(self, row: TotalsRow) -> None:
        self.fen += row.fen
        self.deals += row.deals
        self.metres += row.metres
        if len(self.counts) < len(row.counts):
            self.counts.extend([0] * (len(row.counts) - len(self.counts)))
        for i, count in enumerate(row.counts):
            self.counts[i] += count

    def total_list(self, group_by: str, label: str) -> list:
        """The last row of the CSV and XLSX: empty key, "Total", the sums of every column."""
        counts = self.counts or [0] * len(COUNT_COLUMNS[group_by])
        return ["", label, fen_text(self.fen), self.deals, self.metres, *counts]


def counted_deals(spec: TotalsFilter) -> QuerySet[Deal]:
    """The deals a report counts: the expo's, in the chosen stages (never withdrawn), in the date range."""
    deals = Deal.objects.filter(expo=spec.expo, stage__in=list(spec.stages or COUNTED_STAGES))
    if spec.date_from:
        deals = deals.filter(date__gte=spec.date_from)
    if spec.date_to:
        deals = deals.filter(date__lte=spec.date_to)
    return deals


def _day_bounds(spec: TotalsFilter) -> dict:
    """Filters on a meeting's slot start for the date range: whole days in the expo's time zone."""
    tz = spec.expo.tzinfo
    bounds = {}
    if spec.date_from:
        bounds["slot__start__gte"] = datetime.datetime.combine(spec.date_from, datetime.time.min, tzinfo=tz)
    if spec.date_to:
        after = spec.date_to + datetime.timedelta(days=1)
        bounds["slot__start__lt"] = datetime.datetime.combine(after, datetime.time.min, tzinfo=tz)
    return bounds


# Per grouping: what a held meeting's and a sample's group key is (`day`: its slot's day).
_MEETING_KEYS = {"exhibitor": "exhibitor_id", "buyer": "buyer_id", "country": "buyer__country"}
_SAMPLE_KEYS = {
    "exhibitor": "meeting__exhibitor_id",
    "buyer": "meeting__buyer_id",
    "country": "meeting__buyer__country",
    "category": "fabric__slug",
}


def _grouped_counts(
    queryset: QuerySet, key: str | None, slot_field: str, days: dict[int, str]
) -> dict[str, int]:
    """{group key (as the report's `key`): count}, from one GROUP BY query.

    By day (`key` None), rows are counted by slot and the slots' days summed here: grouping by the
    slot id needs no time-zone conversion of every row (and, for meetings, no join).
    """
    grouped = queryset.order_by().values_list(key or slot_field).annotate(n=Count("pk"))
    counts: dict[str, int] = {}
    for value, n in grouped:
        text = days[value] if key is None else "" if value is None else str(value)
        counts[text] = counts.get(text, 0) + n
    return counts


def group_counts(spec: TotalsFilter) -> list[dict[str, int]]:
    """For each of the grouping's COUNT_COLUMNS, the counts by group key: one GROUP BY query each.

    (One query joining meetings to their pre-aggregated samples was measured slower on PostgreSQL
    at 300,000 meetings: see docs/benchmarks.md.)
    """
    bounds = _day_bounds(spec)
    columns = COUNT_COLUMNS[spec.group_by] if spec.counts else ()
    days: dict[int, str] = {}
    if spec.group_by == "day" and columns:
        tz = spec.expo.tzinfo
        days = {
            pk: start.astimezone(tz).date().isoformat()
            for pk, start in spec.expo.slots.values_list("pk", "start")
        }
    counts = []
    for column in columns:
        if column == "meetings":
            queryset = Meeting.objects.filter(expo=spec.expo, status__in=MET_STATUSES, **bounds)
            counts.append(_grouped_counts(queryset, _MEETING_KEYS.get(spec.group_by), "slot_id", days))
        else:
            queryset = SampleRequest.objects.filter(
                meeting__expo=spec.expo, **{f"meeting__{k}": v for k, v in bounds.items()}
            )
            counts.append(
                _grouped_counts(queryset, _SAMPLE_KEYS.get(spec.group_by), "meeting__slot_id", days)
            )
    return counts


def _key_label(group_by: str, values: dict, zh: bool) -> tuple[str, str]:
    if group_by == "exhibitor":
        name = (values["exhibitor__name_zh"] if zh else "") or values["exhibitor__name_en"]
        return str(values["exhibitor_id"]), name
    if group_by == "buyer":
        return str(values["buyer_id"]), values["buyer__company"] or ""
    if group_by == "category":
        name = values["category__name_zh"] if zh else values["category__name_en"]
        return values["category__slug"], name
    if group_by == "country":
        code = values["buyer__country"] or ""
        return code, (str(countries.name(code)) if code else _("Unknown"))
    if group_by == "deal":
        exhibitor = (values["exhibitor__name_zh"] if zh else "") or values["exhibitor__name_en"]
        return str(values["id"]), f"{values['buyer__company'] or ''} → {exhibitor}"
    day = values["date"]
    return day.isoformat(), day.isoformat()


def deal_totals_rows(spec: TotalsFilter) -> Iterator[TotalsRow]:
    """One row per group, largest total first (by date for `day`, by id for `deal`), read in chunks."""
    fields = _GROUP_FIELDS[spec.group_by]
    order = {"day": ["date"], "deal": ["id"]}.get(spec.group_by, ["-fen", fields[0]])
    grouped = (
        counted_deals(spec)
        .order_by()
        .values(*fields)
        .annotate(fen=Sum("amount_cny_fen"), deals=Count("id"), metres=Sum("quantity_m"))
        .order_by(*order)
    )
    zh = (translation.get_language() or "").startswith("zh")
    counts = group_counts(spec)
    for values in grouped.iterator(chunk_size=CHUNK):
        key, label = _key_label(spec.group_by, values, zh)
        yield TotalsRow(
            key,
            label,
            int(values["fen"]),
            values["deals"],
            int(values["metres"] or 0),
            tuple(column.get(key, 0) for column in counts),
        )


def deal_totals(spec: TotalsFilter) -> Totals:
    """Every row of the report and the grand total (the exact sum of the rows)."""
    totals = Totals()
    for row in deal_totals_rows(spec):
        totals.rows.append(row)
        totals.add(row)
    return totals


def deal_totals_json(spec: TotalsFilter) -> dict:
    totals = deal_totals(spec)
    names = COUNT_COLUMNS[spec.group_by]
    return {
        "group_by": spec.group_by,
        "grand_total_cny": fen_text(totals.fen),
        "deals": totals.deals,
        "metres": totals.metres,
        **dict(zip(names, totals.counts or [0] * len(names), strict=True)),
        "rows": [row.as_dict(names) for row in totals.rows],
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def deal_totals_csv(spec: TotalsFilter, *, language: str) -> Iterator[bytes]:
    """The report as CSV in UTF-8 with a byte-order mark, yielded a chunk of rows at a time.

    The columns are the JSON's; a last row (empty key, label "Total") carries the grand total.
    """
    writer = csv.writer(_Echo())
    with translation.override(language):
        yield ("\ufeff" + writer.writerow(columns_for(spec.group_by))).encode()
        totals = Totals()
        lines: list[str] = []
        for row in deal_totals_rows(spec):
            totals.add(row)
            lines.append(writer.writerow(row.as_list()))
            if len(lines) == CHUNK:
                yield "".join(lines).encode()
                lines = []
        lines.append(writer.writerow(totals.total_list(spec.group_by, _("Total"))))
        yield "".join(lines).encode()


def deal_totals_xlsx(spec: TotalsFilter, *, language: str) -> tempfile.SpooledTemporaryFile:
    """The report as an XLSX workbook (openpyxl write-only mode), in a file positioned at its start.

    Same columns as the JSON, money as numbers with two decimals; a last row carries the total.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    with translation.override(language):
        sheet = workbook.create_sheet(title=str(_("Deal totals"))[:31])
        sheet.append(list(columns_for(spec.group_by)))

        def money(fen: int) -> WriteOnlyCell:
            cell = WriteOnlyCell(sheet, value=Decimal(fen_text(fen)))
            cell.number_format = "#,##0.00"
            return cell

        totals = Totals()
        for row in deal_totals_rows(spec):
            totals.add(row)
            sheet.append([row.key, row.label, money(row.fen), row.deals, row.metres, *row.counts])
        last = totals.total_list(spec.group_by, str(_("Total")))
        last[2] = money(totals.fen)
        sheet.append(last)
    output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (the caller streams it)
    workbook.save(output)
    output.seek(0)
    return output
