"""The buyer's recommendation pages: the list with reasons, feedback per card, "not interested"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expo.models import Buyer, Expo
from expo.selectors import expo_current
from matching.models import FeedbackValue, Match, MatchRun
from matching.selectors import (
    match_buyer_for_user,
    match_feedback_not_interested,
    match_list_for_buyer,
    match_run_served,
)
from matching.services.feedback import match_feedback_clear, match_feedback_set
from matching.views.common import is_htmx, match_context, own_served_match


def _recommendation_rows(buyer: Buyer | None, run: MatchRun | None, matches: list[Match]) -> list[dict]:
    context = match_context(buyer, run, matches)
    return [
        {
            "match": match,
            "percent": round(match.score * 100),
            "reasons": context["reasons"].get(match.pk, []),
            "feedback": context["feedback"].get(match.exhibitor_id),
            "booth": next(iter(match.exhibitor.booths.all()), None),
        }
        for match in matches
    ]


def _buyer_at_current_expo(request) -> tuple[Buyer | None, Expo]:
    if not request.user.is_buyer:
        raise PermissionDenied
    slug = request.GET.get("expo")
    expo = expo_current(slug=slug or None)
    if expo is None:
        raise Http404(_("No such expo.") if slug else _("No expo is current."))
    return match_buyer_for_user(user=request.user, expo=expo), expo


@login_required
def recommendations_page(request):
    """The buyer's recommendations: score bars, reasons in the page's language, feedback buttons."""
    if request.user.is_organiser:
        return redirect("matching:organiser")
    buyer, expo = _buyer_at_current_expo(request)
    run = match_run_served(expo=expo)
    matches = list(match_list_for_buyer(buyer=buyer, run=run)) if buyer else []
    hidden = match_feedback_not_interested(buyer=buyer).count() if buyer else 0
    return render(
        request,
        "matching/recommendations.html",
        {
            "expo": expo,
            "buyer": buyer,
            "run": run,
            "rows": _recommendation_rows(buyer, run, matches),
            "not_interested_count": hidden,
        },
    )


@login_required
@require_POST
def recommendation_feedback_page(request, pk: int):
    """Feedback on one card. With htmx the card alone is answered (the page stays where it was);
    without, the list is shown again at the same card (or at the next one, if this one left)."""
    if not request.user.is_buyer:
        raise PermissionDenied
    match = own_served_match(user=request.user, pk=pk)
    if match is None:
        raise Http404(_("No such recommendation in your current list."))
    value = request.POST.get("value", "")
    name = match.exhibitor.display_name
    next_match = (
        Match.objects.filter(run_id=match.run_id, buyer_id=match.buyer_id, rank__gt=match.rank)
        .order_by("rank")
        .values_list("pk", flat=True)
        .first()
    )
    try:
        if value == "none":
            match_feedback_clear(buyer=match.buyer, exhibitor_id=match.exhibitor_id)
            note = _("You took back “interested” for %(name)s.") % {"name": name}
        else:
            match_feedback_set(match=match, value=value)
            if value == FeedbackValue.NOT_INTERESTED:
                note = _("%(name)s will not be recommended to you again.") % {"name": name}
            else:
                note = _("Noted: you are interested in %(name)s.") % {"name": name}
    except DjangoValidationError as exc:
        if is_htmx(request):
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('matching:recommendations')}#match-{match.pk}")
    if is_htmx(request):
        if value == FeedbackValue.NOT_INTERESTED:
            return render(request, "matching/_match_removed.html", {"match": match, "note": note})
        match = (
            Match.objects.select_related("exhibitor", "run").prefetch_related("exhibitor__booths").get(pk=pk)
        )
        row = _recommendation_rows(match.buyer, match.run, [match])[0]
        return render(request, "matching/_match_card.html", {"row": row, "note": note})
    messages.success(request, note)
    anchor = match.pk if value != FeedbackValue.NOT_INTERESTED else next_match
    return redirect(reverse("matching:recommendations") + (f"#match-{anchor}" if anchor else ""))


@login_required
def not_interested_page(request):
    """The exhibitors the buyer marked "not interested", each with a button to restore it."""
    buyer, expo = _buyer_at_current_expo(request)
    rows = list(match_feedback_not_interested(buyer=buyer)) if buyer else []
    return render(request, "matching/not_interested.html", {"expo": expo, "buyer": buyer, "rows": rows})


@login_required
@require_POST
def not_interested_restore_page(request, exhibitor_id: int):
    """Restore an exhibitor marked "not interested": it may be recommended again after rescoring."""
    buyer, _expo = _buyer_at_current_expo(request)
    feedback = (
        match_feedback_not_interested(buyer=buyer).filter(exhibitor_id=exhibitor_id).first()
        if buyer
        else None
    )
    if feedback is None:
        raise Http404(_("You did not mark this exhibitor as not interested."))
    match_feedback_clear(buyer=buyer, exhibitor_id=exhibitor_id)
    note = _("%(name)s is back: it can be recommended to you again.") % {
        "name": feedback.exhibitor.display_name
    }
    if is_htmx(request):
        return render(request, "matching/_restored.html", {"note": note})
    messages.success(request, note)
    return redirect("matching:not-interested")
