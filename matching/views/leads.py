"""The exhibitor's leads: buyers whose recommendations include the exhibitor, ranked by score,
with their feedback; staff invite a lead to a meeting from the page (the invitation service).

The API and the page live apart from the buyers' and organisers' views because they answer
exhibitor staff.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework import permissions
from rest_framework.generics import ListAPIView

from config.api import Conflict
from expo.models import Buyer, Exhibitor, Slot
from expo.selectors import exhibitor_for_user
from expo.selectors.agenda import default_day, expo_days, free_slots_on
from expo.services.meetings import meeting_invite
from expo.views.pages.meetings import refusal
from matching.models import Match
from matching.selectors import exhibitor_leads
from matching.serializers import LeadSerializer


class IsExhibitorStaff(permissions.BasePermission):
    message = gettext_lazy("Only exhibitor staff have leads.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user.is_authenticated and exhibitor_for_user(user=request.user))


class ExhibitorLeadListApi(ListAPIView):
    """The signed-in staff member's company's leads, best score first (buyers who said "not
    interested" are left out); `feedback` is `interested` where the buyer marked the exhibitor."""

    permission_classes = [IsExhibitorStaff]
    serializer_class = LeadSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        return exhibitor_leads(exhibitor=exhibitor_for_user(user=self.request.user))


def _exhibitor_or_403(request) -> Exhibitor:
    exhibitor = exhibitor_for_user(user=request.user)
    if exhibitor is None:
        raise PermissionDenied(_("Only exhibitor staff have leads."))
    return exhibitor


@login_required
def leads_page(request):
    """Leads as a list a phone can read; each with an invitation form over the company's free
    times on the chosen day."""
    exhibitor = _exhibitor_or_403(request)
    expo = exhibitor.expo
    days = expo_days(expo=expo)
    day = next((d for d in days if d.isoformat() == request.GET.get("date")), None) or default_day(expo=expo)
    page = Paginator(exhibitor_leads(exhibitor=exhibitor), 25).get_page(request.GET.get("page"))
    for lead in page:
        lead.percent = round(lead.score * 100)
    context = {
        "expo": expo,
        "exhibitor": exhibitor,
        "page": page,
        "days": days,
        "day": day,
        "free": free_slots_on(exhibitor=exhibitor, date=day),
    }
    return render(request, "matching/leads.html", context)


@login_required
@require_POST
def lead_invite_page(request, buyer_id: int):
    """Invite the lead `buyer_id` to the chosen `slot`; the buyer accepts or declines."""
    exhibitor = _exhibitor_or_403(request)
    buyer = Buyer.objects.select_related("expo", "user").filter(expo=exhibitor.expo, pk=buyer_id).first()
    if buyer is None or not exhibitor_leads(exhibitor=exhibitor).filter(buyer=buyer).exists():
        raise Http404(_("This buyer is not among your leads."))
    slot_id = request.POST.get("slot", "")
    slot = Slot.objects.filter(expo=exhibitor.expo, pk=slot_id).first() if slot_id.isdigit() else None
    try:
        if slot is None:
            raise DjangoValidationError({"slot": _("Choose one of the free times.")})
        meeting_invite(exhibitor=exhibitor, buyer=buyer, slot=slot, actor=request.user)
    except (DjangoValidationError, Conflict, PermissionDenied) as exc:
        messages.error(request, f"{buyer}: {refusal(exc)[0]}")
    else:
        messages.success(request, _("%(buyer)s is invited; they accept or decline.") % {"buyer": buyer})
    back = reverse("matching:leads")
    date = request.POST.get("date", "")
    return redirect(f"{back}?date={date}#lead-{buyer.pk}" if date else f"{back}#lead-{buyer.pk}")
