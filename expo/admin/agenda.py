"""The exhibitor's agenda in the admin: one expo day as a grid of slots × tables, each request
with accept / decline buttons that call the meeting services.

Staff see only their own company (`scoping.request_exhibitor`); organisers pick an exhibitor
(`?exhibitor=ID`). Hooked into the admin's URLs by `ExhibitorAdmin.get_urls` as `admin:expo_agenda`.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.permissions import is_organiser
from config.api import Conflict
from expo.admin.scoping import request_exhibitor
from expo.models import Exhibitor, Meeting
from expo.selectors import expo_current
from expo.selectors.agenda import default_day, exhibitor_agenda, expo_days
from expo.services import meetings as services
from expo.views.pages.meetings import refusal


def _exhibitor(request) -> Exhibitor | None:
    if is_organiser(request):
        pk = request.GET.get("exhibitor") or request.POST.get("exhibitor") or ""
        return Exhibitor.objects.select_related("expo").filter(pk=pk).first() if pk.isdigit() else None
    exhibitor = request_exhibitor(request)
    if exhibitor is None:
        raise PermissionDenied
    return exhibitor


def _answer(request, exhibitor: Exhibitor) -> None:
    pk = request.POST.get("meeting", "")
    meeting = Meeting.objects.filter(exhibitor=exhibitor, pk=pk).first() if pk.isdigit() else None
    if meeting is None:
        messages.error(request, _("No such meeting."))
        return
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            services.meeting_accept(meeting=meeting, actor=request.user)
            messages.success(request, _("Accepted: %(buyer)s.") % {"buyer": meeting.buyer})
        elif answer == "decline":
            reason = request.POST.get("reason", "")[:500]
            services.meeting_decline(meeting=meeting, actor=request.user, reason=reason)
            messages.success(request, _("Declined: %(buyer)s.") % {"buyer": meeting.buyer})
        else:
            raise ValidationError({"answer": _("Accept or decline.")})
    except (ValidationError, Conflict, PermissionDenied) as exc:
        messages.error(request, f"{meeting.buyer}: {refusal(exc)[0]}")


def agenda_view(request):
    exhibitor = _exhibitor(request)
    if request.method == "POST":
        if exhibitor is None:
            raise PermissionDenied
        _answer(request, exhibitor)
        query = f"?date={request.POST.get('date', '')}"
        if is_organiser(request):
            query += f"&exhibitor={exhibitor.pk}"
        return redirect(reverse("admin:expo_agenda") + query)
    context = {
        **admin.site.each_context(request),
        "title": _("Meeting agenda"),
        "exhibitor": exhibitor,
        "is_organiser": is_organiser(request),
    }
    if exhibitor is None:
        expo = expo_current()
        context["exhibitors"] = Exhibitor.objects.filter(expo=expo).order_by("name_en") if expo else []
        return TemplateResponse(request, "admin/expo/agenda.html", context)
    expo = exhibitor.expo
    days = expo_days(expo=expo)
    asked = request.GET.get("date")
    day = next((d for d in days if d.isoformat() == asked), None)
    status = 200
    if day is None:
        day = default_day(expo=expo)
        if asked:  # a typed or stale address: say so, rather than quietly showing another day
            status = 400
            messages.error(
                request,
                _("date: %(value)s is not a day of this expo; the agenda shows %(day)s.")
                % {"value": asked[:40], "day": formats.date_format(day, "SHORT_DATE_FORMAT")},
            )
    tables, rows = exhibitor_agenda(exhibitor=exhibitor, date=day)
    context.update({"expo": expo, "days": days, "day": day, "tables": tables, "rows": rows})
    return TemplateResponse(request, "admin/expo/agenda.html", context, status=status)
