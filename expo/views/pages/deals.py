"""What came of a meeting, on the web: its intended deal, sample requests and each side's feedback.

The buyer does this on the schedule page (`/meetings/`), exhibitor staff on the floor page
(`/floor/`): each accepted or checked-in meeting card carries the forms (`attach_follow_ups`), which
post to the pages below. Each POST calls one service of expo/services/deals.py, the same as the
API's: `deal_create` (or `deal_update` once the meeting holds its deal, keeping history),
`sample_request_create`, `meeting_feedback_set`. On success the reader goes back to the card; a
refusal comes back in a page of its own with each message next to its field (400), nothing
written. Organisers log deals in the back office, not here.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.api import Conflict
from config.middleware import form_shows_unstorable_text
from expo.forms import DealForm, FeedbackForm, SampleForm, fabric_choices
from expo.models import Deal, Meeting, MeetingStatus, SampleRequest, SampleStatus, Side, fen_text
from expo.selectors import MET_STATUSES, exhibitor_for_user, expo_current, meeting_list
from expo.selectors.deals import expo_currencies, meeting_follow_ups
from expo.services.deals import (
    deal_create,
    deal_update,
    expo_today,
    meeting_feedback_set,
    sample_request_create,
    sample_request_update,
)

# Feedback is also given on a meeting that did not take place (a no-show), as the service allows.
FEEDBACK_STATUSES = (*MET_STATUSES, MeetingStatus.NO_SHOW)


def amount_text(amount: Decimal) -> str:
    """An amount with thousands separators and its two decimals ("12,345.67"), exactly."""
    return f"{amount:,.2f}"


def cny_text(fen: int) -> str:
    whole, cents = fen_text(fen).split(".")
    return f"{int(whole):,}.{cents}"


@dataclass
class FollowUp:
    """One meeting's deal, samples and feedback with the forms its card shows."""

    meeting: Meeting
    side: str
    next_url: str
    deal: Deal | None = None
    samples: list = field(default_factory=list)
    feedback: object = None
    deal_form: DealForm | None = None
    sample_form: SampleForm | None = None
    feedback_form: FeedbackForm | None = None
    open: str = ""  # the form shown unfolded: "deal", "samples" or "feedback"
    refusal: str = ""

    @property
    def amount(self) -> str:
        return amount_text(self.deal.amount) if self.deal else ""

    @property
    def amount_cny(self) -> str:
        return cny_text(self.deal.amount_cny_fen) if self.deal else ""


def _side(user) -> str:
    if user.is_organiser:
        raise PermissionDenied(_("Organisers log deals, samples and feedback in the back office."))
    if user.is_buyer:
        return Side.BUYER
    if user.is_exhibitor_staff:
        return Side.EXHIBITOR
    raise PermissionDenied


def _initial_deal(deal: Deal | None, today) -> dict:
    if deal is None:
        return {"date": today}
    return {
        "amount": f"{deal.amount:.2f}",
        "currency": deal.currency,
        "quantity_m": deal.quantity_m,
        "category": deal.category.slug,
        "stage": deal.stage,
        "date": deal.date,
        "note": deal.note,
    }


def _initial_feedback(feedback) -> dict:
    if feedback is None:
        return {}
    return {
        "took_place": "yes" if feedback.took_place else "no",
        "interest": feedback.interest,
        "note": feedback.note,
    }


def _build(
    meeting: Meeting,
    side: str,
    found: dict,
    *,
    next_url: str,
    currencies: list[str],
    fabrics: list,
    today,
    bound=None,
) -> FollowUp:
    """The card's follow-up; `bound` = (form name, the submitted form) to show instead of a fresh one."""
    follow_up = FollowUp(meeting=meeting, side=side, next_url=next_url, **found)
    for sample in follow_up.samples:
        sample.next_status = _next_sample_status(sample, side)
        sample.next_label = SampleStatus(sample.next_status).label if sample.next_status else ""
    pk = meeting.pk
    if follow_up.deal is not None or meeting.status in MET_STATUSES:
        follow_up.deal_form = DealForm(
            initial=_initial_deal(follow_up.deal, today),
            currencies=_with(currencies, follow_up.deal),
            fabrics=fabrics,
            auto_id=f"deal{pk}_%s",
        )
    if meeting.status in MET_STATUSES:
        follow_up.sample_form = SampleForm(fabrics=fabrics, auto_id=f"sample{pk}_%s")
    if meeting.status in FEEDBACK_STATUSES:
        follow_up.feedback_form = FeedbackForm(
            initial=_initial_feedback(follow_up.feedback), auto_id=f"feedback{pk}_%s"
        )
    if bound is not None:
        name, form = bound
        setattr(follow_up, f"{name}_form", form)
        follow_up.open = {"deal": "deal", "sample": "samples", "feedback": "feedback"}[name]
    return follow_up


def _next_sample_status(sample: SampleRequest, side: str) -> str:
    """The step this side takes a sample on: staff send it, the buyer receives it."""
    if side == Side.EXHIBITOR and sample.status == SampleStatus.REQUESTED:
        return SampleStatus.SENT
    if side == Side.BUYER and sample.status != SampleStatus.RECEIVED:
        return SampleStatus.RECEIVED
    return ""


def _with(currencies: list[str], deal: Deal | None) -> list[str]:
    """The expo's currencies, plus the deal's own if its rate has since been removed (it keeps it)."""
    if deal is not None and deal.currency not in currencies:
        return [*currencies, deal.currency]
    return currencies


def attach_follow_ups(*, request, meetings: list[Meeting]) -> None:
    """Give each meeting card of the schedule or floor page its follow-up (`meeting.follow_up`):
    the deal with its CNY amount, the samples asked for, this side's feedback and the forms."""
    try:
        side = _side(request.user)
    except PermissionDenied:
        return
    shown = [meeting for meeting in meetings if meeting.status in FEEDBACK_STATUSES]
    if not shown:
        return
    expo = shown[0].expo
    found = meeting_follow_ups(meetings=shown, side=side)
    currencies, fabrics, today = expo_currencies(expo=expo), fabric_choices(), expo_today(expo)
    here = request.get_full_path()
    for meeting in shown:
        meeting.follow_up = _build(
            meeting,
            side,
            found[meeting.pk],
            next_url=here,
            currencies=currencies,
            fabrics=fabrics,
            today=today,
        )


def _meeting(request, pk: int) -> tuple[Meeting, str]:
    """Meeting `pk` of the signed-in buyer (at the current expo) or of the staff member's company."""
    side = _side(request.user)
    if side == Side.BUYER:
        expo = expo_current()
        meetings = (
            meeting_list(expo=expo).filter(buyer__user=request.user) if expo else Meeting.objects.none()
        )
    else:
        exhibitor = exhibitor_for_user(user=request.user)
        if exhibitor is None:
            raise PermissionDenied(_("Only exhibitor staff use the floor page."))
        meetings = meeting_list(expo=exhibitor.expo).filter(exhibitor=exhibitor)
    meeting = meetings.select_related("expo").filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting, side


def _back(request, meeting: Meeting, side: str) -> str:
    """Where the reader came from (`next`, this site only), else their list; at the meeting's card."""
    fallback = reverse("expo:schedule") if side == Side.BUYER else reverse("expo:floor")
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    if not (target and allowed) or "\x00" in target:
        target = fallback
    return f"{target.split('#')[0]}#meeting-{meeting.pk}"


def _add_errors(form: django_forms.Form, exc: ValidationError, *, aliases: dict | None = None) -> None:
    """The service's findings next to the fields they name; the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, found in exc.message_dict.items():
        name = (aliases or {}).get(name, name)
        form.add_error(name if name in form.fields and name not in form.errors else None, found)


def _page(request, meeting: Meeting, side: str, *, bound=None, status: int = 200, refusal: str = ""):
    expo = meeting.expo
    found = meeting_follow_ups(meetings=[meeting], side=side)[meeting.pk]
    back = _back(request, meeting, side)
    follow_up = _build(
        meeting,
        side,
        found,
        next_url=back.split("#")[0],
        currencies=expo_currencies(expo=expo),
        fabrics=fabric_choices(),
        today=expo_today(expo),
        bound=bound,
    )
    follow_up.refusal = refusal
    context = {"expo": expo, "meeting": meeting, "side": side, "follow_up": follow_up, "back": back}
    return render(request, "expo/meeting_follow_up.html", context, status=status)


@form_shows_unstorable_text
@login_required
def meeting_deal_page(request, pk: int):
    """GET: the meeting's deal, samples and feedback forms on a page of their own; POST: log the
    meeting's intended deal, or change it once it has one (the history keeps each change)."""
    meeting, side = _meeting(request, pk)
    deal = Deal.objects.filter(meeting=meeting).select_related("category").first()
    if deal is None and meeting.status not in MET_STATUSES:
        refusal = _("Only an accepted or checked-in meeting can hold a deal.")
        return _page(request, meeting, side, status=409 if request.method != "POST" else 400, refusal=refusal)
    if request.method != "POST":
        return _page(request, meeting, side)
    form = DealForm(
        request.POST,
        currencies=_with(expo_currencies(expo=meeting.expo), deal),
        auto_id=f"deal{meeting.pk}_%s",
    )
    status = 400
    if form.is_valid():
        values = form.cleaned_data
        try:
            if deal is None:
                deal = deal_create(
                    user=request.user,
                    expo=meeting.expo,
                    buyer=meeting.buyer,
                    exhibitor=meeting.exhibitor,
                    meeting=meeting,
                    **values,
                )
            else:
                deal = deal_update(user=request.user, deal=deal, data=values)
        except ValidationError as exc:
            _add_errors(form, exc)
        except Conflict:
            # The other side logged this meeting's deal since the form was shown: show theirs.
            refusal = _("This meeting got its deal in the meantime: check it below and change it there.")
            return _page(request, meeting, side, status=409, refusal=refusal)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
            status = 403
        else:
            text = _("The intended deal is saved: %(amount)s %(currency)s.") % {
                "amount": amount_text(deal.amount),
                "currency": deal.currency,
            }
            if deal.currency != "CNY":
                text = _("The intended deal is saved: %(amount)s %(currency)s, %(cny)s CNY.") % {
                    "amount": amount_text(deal.amount),
                    "currency": deal.currency,
                    "cny": cny_text(deal.amount_cny_fen),
                }
            messages.success(request, text)
            return redirect(_back(request, meeting, side))
    return _page(request, meeting, side, bound=("deal", form), status=status)


@form_shows_unstorable_text
@login_required
@require_POST
def meeting_sample_page(request, pk: int):
    """Log samples asked for at the meeting (fabric, swatches or hangers, note)."""
    meeting, side = _meeting(request, pk)
    form = SampleForm(request.POST, auto_id=f"sample{meeting.pk}_%s")
    status = 400
    if form.is_valid():
        try:
            sample = sample_request_create(user=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
            status = 403
        else:
            messages.success(
                request,
                _("Samples logged: %(quantity)s × %(fabric)s.")
                % {"quantity": sample.quantity, "fabric": sample.fabric.name},
            )
            return redirect(_back(request, meeting, side))
    return _page(request, meeting, side, bound=("sample", form), status=status)


@form_shows_unstorable_text
@login_required
@require_POST
def meeting_feedback_page(request, pk: int):
    """Set this side's feedback on the meeting (took place or not, interest, note); it replaces any earlier."""
    meeting, side = _meeting(request, pk)
    form = FeedbackForm(request.POST, auto_id=f"feedback{meeting.pk}_%s")
    status = 400
    if form.is_valid():
        try:
            meeting_feedback_set(user=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
            status = 403
        else:
            messages.success(request, _("Your feedback on the meeting is saved."))
            return redirect(_back(request, meeting, side))
    return _page(request, meeting, side, bound=("feedback", form), status=status)


@login_required
@require_POST
def sample_status_page(request, pk: int):
    """Move a sample forward (`status`): staff mark it sent, the buyer received. Back to the card,
    with the refusal as a message when the service refuses (e.g. a step back)."""
    side = _side(request.user)
    samples = SampleRequest.objects.select_related("meeting", "fabric")
    if side == Side.BUYER:
        samples = samples.filter(meeting__buyer__user=request.user)
    else:
        samples = samples.filter(meeting__exhibitor=exhibitor_for_user(user=request.user))
    sample = samples.filter(pk=pk).first()
    if sample is None:
        raise Http404(_("No such sample request."))
    try:
        sample = sample_request_update(
            user=request.user, sample=sample, data={"status": request.POST.get("status")}
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(
            request,
            _("Samples of %(fabric)s: %(status)s.")
            % {"fabric": sample.fabric.name, "status": sample.get_status_display()},
        )
    return redirect(_back(request, sample.meeting, side))
