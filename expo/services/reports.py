"""Deal totals: intended deals summed by exhibitor, buyer, fabric, buyer country or day, exact to the fen.

Each deal's CNY amount is stored in whole fen (rounded half-up once, when logged), so every sum
here is a sum of integers: exact in PostgreSQL and in SQLite alike. Withdrawn deals never count.
The groups of any grouping add up to the grand total, which is computed from the same rows.
Rows come from one GROUP BY query read in chunks, so a CSV of any size streams in constant memory.
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

from expo.models import Deal, DealStage, Expo, fen_text
from expo.selectors import exhibitor_leads, meeting_list, sample_list_for_user

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


@dataclass
class TotalsRow:
    key: str
    label: str
    fen: int
    deals: int
    metres: int

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "total_cny": fen_text(self.fen),
            "deals": self.deals,
            "metres": self.metres,
        }

    def as_list(self) -> list:
        return [self.key, self.label, fen_text(self.fen), self.deals, self.metres]


@dataclass
class Totals:
    fen: int = 0
    deals: int = 0
    metres: int = 0
    rows: list[TotalsRow] = field(default_factory=list)

    def add(self, row: TotalsRow) -> None:
        self.fen += row.fen
        self.deals += row.deals
        self.metres += row.metres


def counted_deals(spec: TotalsFilter) -> QuerySet[Deal]:
    """The deals a report counts: the expo's, in the chosen stages (never withdrawn), in the date range."""
    deals = Deal.objects.filter(expo=spec.expo, stage__in=list(spec.stages or COUNTED_STAGES))
    if spec.date_from:
        deals = deals.filter(date__gte=spec.date_from)
    if spec.date_to:
        deals = deals.filter(date__lte=spec.date_to)
    return deals


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
    for values in grouped.iterator(chunk_size=CHUNK):
        key, label = _key_label(spec.group_by, values, zh)
        yield TotalsRow(key, label, int(values["fen"]), values["deals"], int(values["metres"] or 0))


def deal_totals(spec: TotalsFilter) -> Totals:
    """Every row of the report and the grand total (the exact sum of the rows)."""
    totals = Totals()
    for row in deal_totals_rows(spec):
        totals.rows.append(row)
        totals.add(row)
    return totals


def deal_totals_json(spec: TotalsFilter) -> dict:
    totals = deal_totals(spec)
    return {
        "group_by": spec.group_by,
        "grand_total_cny": fen_text(totals.fen),
        "deals": totals.deals,
        "metres": totals.metres,
        "rows": [row.as_dict() for row in totals.rows],
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
        yield ("\ufeff" + writer.writerow(COLUMNS)).encode()
        totals = Totals()
        lines: list[str] = []
        for row in deal_totals_rows(spec):
            totals.add(row)
            lines.append(writer.writerow(row.as_list()))
            if len(lines) == CHUNK:
                yield "".join(lines).encode()
                lines = []
        lines.append(writer.writerow(["", _("Total"), fen_text(totals.fen), totals.deals, totals.metres]))
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
        sheet.append(list(COLUMNS))

        def money(fen: int) -> WriteOnlyCell:
            cell = WriteOnlyCell(sheet, value=Decimal(fen_text(fen)))
            cell.number_format = "#,##0.00"
            return cell

        totals = Totals()
        for row in deal_totals_rows(spec):
            totals.add(row)
            sheet.append([row.key, row.label, money(row.fen), row.deals, row.metres])
        sheet.append(["", str(_("Total")), money(totals.fen), totals.deals, totals.metres])
    output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (the caller streams it)
    workbook.save(output)
    output.seek(0)
    return output


def exhibitor_figures_xlsx(*, exhibitor, user, language: str) -> tempfile.SpooledTemporaryFile:
    """An exhibitor's own figures as an XLSX workbook (write-only mode): one sheet each for its
    meetings, leads, samples and deals, in a file positioned at its start. Nothing of any other exhibitor."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    zh = language.startswith("zh")
    tz = exhibitor.expo.tzinfo
    with translation.override(language):

        def sheet(title, header: list[str]):
            ws = workbook.create_sheet(title=str(title)[:31])
            ws.append(header)
            return ws

        def money(ws, fen: int) -> WriteOnlyCell:
            cell = WriteOnlyCell(ws, value=Decimal(fen_text(fen)))
            cell.number_format = "#,##0.00"
            return cell

        ws = sheet(_("Meetings"), ["id", "start", "end", "buyer", "buyer_country", "table", "status"])
        for meeting in (
            meeting_list(expo=exhibitor.expo).filter(exhibitor=exhibitor).iterator(chunk_size=CHUNK)
        ):
            ws.append(
                [
                    meeting.pk,
                    meeting.slot.start.astimezone(tz).replace(tzinfo=None),
                    meeting.slot.end.astimezone(tz).replace(tzinfo=None),
                    meeting.buyer.company,
                    meeting.buyer.country.code or "",
                    str(meeting.table),
                    str(meeting.get_status_display()),
                ]
            )
        ws = sheet(
            _("Leads"), ["buyer", "buyer_country", "meetings", "met", "samples", "interest", "deals_cny"]
        )
        for lead in exhibitor_leads(exhibitor=exhibitor):
            ws.append(
                [
                    lead["buyer"].company,
                    lead["buyer"].country.code or "",
                    lead["meetings"],
                    lead["met"],
                    lead["samples"],
                    lead["interest"],
                    money(ws, lead["fen"]),
                ]
            )
        ws = sheet(_("Samples"), ["id", "meeting", "buyer", "fabric", "quantity", "status", "note"])
        for sample in sample_list_for_user(user=user, expo=exhibitor.expo).filter(
            meeting__exhibitor=exhibitor
        ):
            ws.append(
                [
                    sample.pk,
                    sample.meeting_id,
                    sample.meeting.buyer.company,
                    sample.fabric.name_zh if zh else sample.fabric.name_en,
                    sample.quantity,
                    str(sample.get_status_display()),
                    sample.note,
                ]
            )
        ws = sheet(
            _("Intended deals"),
            [
                "id", "date", "buyer", "buyer_country", "category", "stage", "amount", "currency",
                "rate", "amount_cny", "quantity_m", "note",
            ],
        )  # fmt: skip
        deals = (
            Deal.objects.filter(exhibitor=exhibitor)
            .select_related("buyer", "category")
            .order_by("date", "id")
        )
        for deal in deals.iterator(chunk_size=CHUNK):
            ws.append(
                [
                    deal.pk,
                    deal.date,
                    deal.buyer.company,
                    deal.buyer.country.code or "",
                    deal.category.name_zh if zh else deal.category.name_en,
                    str(deal.get_stage_display()),
                    deal.amount,
                    deal.currency,
                    deal.rate,
                    money(ws, deal.amount_cny_fen),
                    deal.quantity_m,
                    deal.note,
                ]
            )
    output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (the caller streams it)
    workbook.save(output)
    output.seek(0)
    return output
