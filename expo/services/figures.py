"""An exhibitor's own figures as a spreadsheet: its meetings, leads, samples and deals, nothing of
any other exhibitor (the staff's download on their figures page)."""

import tempfile
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from expo.models import Deal, fen_text
from expo.selectors import exhibitor_leads, meeting_list, sample_list_for_user
from expo.services.reports import CHUNK


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
