"""The organiser's dashboard and close-of-expo summary, and an exhibitor's own figures (web pages)."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from expo.models import Expo, Interest, MeetingStatus, fen_text
from expo.selectors import (
    deal_list,
    exhibitor_for_user,
    exhibitor_leads,
    expo_current,
    expo_figures,
    meeting_list,
    meetings_per_hour,
    sample_list_for_user,
)
from expo.services.figures import exhibitor_figures_xlsx
from expo.services.reports import TotalsFilter, deal_totals

TOP = 10
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def money(fen: int) -> str:
    """Yuan with thousands separators and two decimals, exactly ("1,298,000,000.00")."""
    whole, cents = fen_text(fen).split(".")
    return f"{int(whole):,}.{cents}"


def _organiser_expo(request) -> Expo:
    if not request.user.is_organiser:
        raise PermissionDenied
    expo = expo_current(slug=request.GET.get("expo") or None)
    if expo is None:
        raise Http404(_("No such expo.") if request.GET.get("expo") else _("No expo is current."))
    return expo


def _rows(totals, limit: int | None = None) -> list[dict]:
    rows = totals.rows if limit is None else totals.rows[:limit]
    return [
        {
            "key": r.key,
            "label": r.label,
            "total": money(r.fen),
            "deals": r.deals,
            "metres": f"{r.metres:,}",
            "fen": r.fen,
        }
        for r in rows
    ]


def _context(expo: Expo) -> dict:
    figures = expo_figures(expo=expo)
    by_day = deal_totals(TotalsFilter(expo=expo, group_by="day", counts=False))
    by_fabric = deal_totals(TotalsFilter(expo=expo, group_by="category", counts=False))
    by_exhibitor = deal_totals(TotalsFilter(expo=expo, group_by="exhibitor", counts=False))
    by_country = deal_totals(TotalsFilter(expo=expo, group_by="country", counts=False))
    per_hour = meetings_per_hour(expo=expo)
    charts = {
        "hours": {"labels": [f"{hour:02d}:00" for hour, _n in per_hour], "values": [n for _h, n in per_hour]},
        "days": {
            "labels": [r.label for r in by_day.rows],
            "values": [fen_text(r.fen) for r in by_day.rows],
            "counts": [r.deals for r in by_day.rows],
        },
        "fabrics": {
            "labels": [r.label for r in by_fabric.rows],
            "values": [fen_text(r.fen) for r in by_fabric.rows],
        },
        "exhibitors": {
            "labels": [r.label for r in by_exhibitor.rows[:TOP]],
            "values": [fen_text(r.fen) for r in by_exhibitor.rows[:TOP]],
        },
        "text": {"cny": _("CNY"), "deals": _("Deals"), "meetings": _("Meetings")},
    }
    return {
        "expo": expo,
        "figures": figures,
        "grand_total": money(figures["deals"]["fen"]),
        "metres": f"{figures['deals']['metres']:,}",
        "days": _rows(by_day),
        "fabrics": _rows(by_fabric),
        "top_exhibitors": _rows(by_exhibitor, TOP),
        "countries": _rows(by_country, TOP),
        "charts": charts,
    }


@login_required
def dashboard_page(request):
    """Organisers: live figures of the expo with charts."""
    expo = _organiser_expo(request)
    return render(request, "expo/dashboard.html", _context(expo))


@login_required
def summary_page(request):
    """Organisers: the close-of-expo summary, laid out to print on A4."""
    expo = _organiser_expo(request)
    return render(request, "expo/dashboard_summary.html", _context(expo))


def _staff_exhibitor(request):
    exhibitor = exhibitor_for_user(user=request.user)
    if exhibitor is None:
        raise PermissionDenied
    return exhibitor


@login_required
def exhibitor_figures_page(request):
    """Exhibitor staff: their own company's meetings, leads, samples and deals (nothing of any other)."""
    exhibitor = _staff_exhibitor(request)
    deals = list(deal_list(expo=exhibitor.expo).filter(exhibitor=exhibitor))
    counted = [d for d in deals if d.stage != "withdrawn"]
    meetings = list(meeting_list(expo=exhibitor.expo).filter(exhibitor=exhibitor))
    by_status = Counter(m.status for m in meetings)
    leads = exhibitor_leads(exhibitor=exhibitor)
    interest = dict(Interest.choices)
    for lead in leads:
        lead["total"] = money(lead["fen"])
        lead["interest"] = interest.get(lead["interest"], "")
    samples = list(sample_list_for_user(user=request.user, expo=exhibitor.expo))
    context = {
        "exhibitor": exhibitor,
        "deals": deals,
        "deals_total": money(sum(d.amount_cny_fen for d in counted)),
        "deals_counted": len(counted),
        "meetings": meetings,
        "meetings_by_status": [(label, by_status.get(value, 0)) for value, label in MeetingStatus.choices],
        "leads": leads,
        "samples": samples,
        "samples_total": sum(sample.quantity for sample in samples),
    }
    return render(request, "expo/exhibitor_figures.html", context)


@login_required
def exhibitor_figures_download(request):
    """Exhibitor staff: the same figures as an XLSX workbook."""
    exhibitor = _staff_exhibitor(request)
    output = exhibitor_figures_xlsx(
        exhibitor=exhibitor, user=request.user, language=translation.get_language() or "en"
    )
    filename = f"figures-{exhibitor.expo.slug}-{exhibitor.pk}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
