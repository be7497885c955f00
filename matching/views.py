"""Matching API (recommendations, feedback, match runs) and pages (buyer's list, organiser's runs).

Exhibitor staff get 403 from `GET matches/`: buyers' lists are the buyers' own; staff manage their
company's existing customers and policy in the back office.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOrganiser
from config.api import Conflict
from expo.models import Buyer, Expo
from expo.selectors import expo_current
from expo.views.common import EXPO_PARAMETER, expo_or_404
from matching.cache import matches_buyer_remember, matches_cached, matches_lookup
from matching.filters import MatchFilter, MatchRunFilter
from matching.models import FeedbackValue, Match, MatchRun, RunStatus
from matching.reasons import reasons_text
from matching.selectors import (
    match_buyer_for_user,
    match_feedback_not_interested,
    match_feedback_of,
    match_list_for_buyer,
    match_run_list,
    match_run_served,
    match_run_served_ids,
    match_weights_id,
)
from matching.serializers import (
    MatchFeedbackInputSerializer,
    MatchFeedbackOutputSerializer,
    MatchRunSerializer,
    MatchRunStartInputSerializer,
    MatchSerializer,
)
from matching.services.feedback import match_feedback_clear, match_feedback_set
from matching.services.runs import STALE_AFTER, match_run_start

BUYER_PARAMETER = OpenApiParameter("buyer", int, description="Organisers: the buyer whose list to show.")


def _match_context(buyer: Buyer | None, run: MatchRun | None, matches: list[Match]) -> dict:
    if buyer is None or not matches:
        return {"reasons": {}, "feedback": {}}
    return {
        "reasons": reasons_text(matches, run),
        "feedback": match_feedback_of(buyer=buyer, exhibitor_ids=[m.exhibitor_id for m in matches]),
    }


def _own_served_match(*, user, pk: int) -> Match | None:
    """The match `pk` if it is in the served list of one of the user's buyer profiles."""
    buyers = list(Buyer.objects.filter(user=user).select_related("expo"))
    runs = [run for run in (match_run_served(expo=b.expo) for b in buyers) if run is not None]
    if not runs:
        return None
    return (
        Match.objects.filter(pk=pk, run__in=runs, buyer__in=buyers)
        .select_related("buyer", "exhibitor", "run")
        .first()
    )


# --- API ------------------------------------------------------------------------------------------


class _StaleHint(Exception):
    """The remembered buyer of a user was not the database's: answer afresh, store nothing."""


class MatchListApi(ListAPIView):
    """The signed-in buyer's ranked recommendations with reasons (organisers: `?buyer=ID`).

    Answers are cached per buyer (matching/cache.py): a repeated request costs the token's query.
    """

    serializer_class = MatchSerializer
    filterset_class = MatchFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Match.objects.none()
        if self.buyer is None:
            self.run = None
            return Match.objects.none()
        self.run = match_run_served(expo=self.expo)
        return match_list_for_buyer(buyer=self.buyer, run=self.run)

    def _who(self, request, lookup) -> tuple[int | None, str, Buyer | None]:
        """(buyer id or None, who asks, the buyer if it was read from the database)."""
        user = request.user
        if user.is_organiser:
            raw = request.query_params.get("buyer", "")
            if not raw:
                raise ValidationError({"buyer": [_("Organisers choose whose list to see: ?buyer=ID.")]})
            if not raw.isdigit():
                raise ValidationError({"buyer": [_("A valid integer is required.")]})
            return int(raw), "organiser", None
        if user.is_exhibitor_staff:
            raise PermissionDenied
        if lookup.hint is not None:
            return lookup.hint or None, f"user:{user.pk}", None
        buyer = match_buyer_for_user(user=user, expo=self.expo)
        matches_buyer_remember(user_id=user.pk, expo_id=self.expo.pk, buyer_id=buyer.pk if buyer else None)
        return (buyer.pk if buyer else None), f"user:{user.pk}", buyer

    def _buyer_checked(self, request, buyer_id: int, known: Buyer | None) -> Buyer:
        """The buyer `buyer_id` read from the database, confirmed visible to this request."""
        if known is not None:
            return known
        if request.user.is_organiser:
            buyer = Buyer.objects.select_related("expo").filter(expo=self.expo, pk=buyer_id).first()
            if buyer is None:
                raise NotFound(_("No buyer with this id at this expo."))
            return buyer
        buyer = match_buyer_for_user(user=request.user, expo=self.expo)
        if buyer is None or buyer.pk != buyer_id:
            raise _StaleHint
        return buyer

    def _list(self, request, buyer: Buyer | None):
        self.buyer = buyer
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), **_match_context(self.buyer, self.run, items)}
        data = MatchSerializer(items, many=True, context=context).data
        return self.get_paginated_response(data).data if page is not None else data

    @extend_schema(parameters=[EXPO_PARAMETER, BUYER_PARAMETER])
    def get(self, request, *args, **kwargs):
        slug = request.query_params.get("expo")
        user = request.user
        own = not (user.is_organiser or user.is_exhibitor_staff)
        lookup = matches_lookup(slug=slug, user_id=user.pk if own else None)
        self.expo = lookup.expo
        if self.expo is None:
            raise NotFound(_("No such expo.") if slug else _("No expo is current."))
        buyer_id, viewer, known = self._who(request, lookup)
        if buyer_id is None:
            return Response(self._list(request, None))
        try:
            data, _cached = matches_cached(
                request,
                lookup=lookup,
                buyer_id=buyer_id,
                viewer=viewer,
                build=lambda: self._list(request, self._buyer_checked(request, buyer_id, known)),
            )
        except _StaleHint:  # the profile changed hands or went: ask the database afresh
            buyer = match_buyer_for_user(user=user, expo=self.expo)
            matches_buyer_remember(
                user_id=user.pk, expo_id=self.expo.pk, buyer_id=buyer.pk if buyer else None
            )
            data = self._list(request, buyer)
        return Response(data)


class MatchFeedbackApi(APIView):
    """The buyer's verdict on one recommendation; "not_interested" removes it from the list at once.

    DELETE takes the verdict back (204), for a recommendation still in the list.
    """

    @extend_schema(request=MatchFeedbackInputSerializer, responses=MatchFeedbackOutputSerializer)
    def post(self, request, pk: int):
        if not request.user.is_buyer:
            raise PermissionDenied
        data = MatchFeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = _own_served_match(user=request.user, pk=pk)
        if match is None:
            raise NotFound(_("No such recommendation in your current list."))
        feedback = match_feedback_set(match=match, value=data.validated_data["value"])
        body = {"match": match.pk, "exhibitor": match.exhibitor_id, "value": feedback.value}
        return Response(MatchFeedbackOutputSerializer(body).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        """Take back the feedback on a recommendation still in the list (an "interested")."""
        if not request.user.is_buyer:
            raise PermissionDenied
        match = _own_served_match(user=request.user, pk=pk)
        if match is None:
            raise NotFound(_("No such recommendation in your current list."))
        match_feedback_clear(buyer=match.buyer, exhibitor_id=match.exhibitor_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MatchRunListApi(ListAPIView):
    """Match runs, newest first (`?expo=`, `?status=`); organisers only."""

    permission_classes = [IsOrganiser]
    serializer_class = MatchRunSerializer
    filterset_class = MatchRunFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MatchRun.objects.none()
        return match_run_list(expo=self._expo())

    def _expo(self) -> Expo | None:
        slug = self.request.query_params.get("expo")
        return expo_or_404(slug) if slug else None

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["served_run_ids"] = match_run_served_ids(expo=self._expo())
        return context

    @extend_schema(parameters=[EXPO_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MatchRunStartApi(APIView):
    """Start a full run of the expo (202); 409 while one is pending or running. Organisers only.

    Same path as the list (`POST match-runs/`, the contract), its own view (`config.api.route_by_method`).
    """

    permission_classes = [IsOrganiser]

    @extend_schema(request=MatchRunStartInputSerializer, responses={202: MatchRunSerializer})
    def post(self, request):
        data = MatchRunStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slug = data.validated_data.get("expo") or request.query_params.get("expo")
        expo = expo_current(slug=slug or None)
        if expo is None:
            raise ValidationError({"expo": [_("No such expo.") if slug else _("No expo is current.")]})
        run = match_run_start(expo=expo, requested_by=request.user)  # 409 while one is going
        return Response(MatchRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class MatchRunDetailApi(RetrieveAPIView):
    """A run's status and progress (0–100); `stale` once a pending or running run has made no
    progress for 10 minutes (its worker was lost: the periodic check marks it failed).

    A read never writes: the stale run is failed by Celery beat or by the next run's start.
    """

    permission_classes = [IsOrganiser]
    serializer_class = MatchRunSerializer

    def get_queryset(self):
        return match_run_list()

    def get_object(self):
        self.run = super().get_object()
        return self.run

    def get_serializer_context(self):
        context = super().get_serializer_context()
        run = getattr(self, "run", None)
        context["served_run_ids"] = match_run_served_ids(expo=run.expo) if run else set()
        return context


# --- pages ----------------------------------------------------------------------------------------


def _recommendation_rows(buyer: Buyer | None, run: MatchRun | None, matches: list[Match]) -> list[dict]:
    context = _match_context(buyer, run, matches)
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


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_POST
def recommendation_feedback_page(request, pk: int):
    """Feedback on one card. With htmx the card alone is answered (the page stays where it was);
    without, the list is shown again at the same card (or at the next one, if this one left)."""
    if not request.user.is_buyer:
        raise PermissionDenied
    match = _own_served_match(user=request.user, pk=pk)
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
        if _is_htmx(request):
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('matching:recommendations')}#match-{match.pk}")
    if _is_htmx(request):
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
    if _is_htmx(request):
        return render(request, "matching/_restored.html", {"note": note})
    messages.success(request, note)
    return redirect("matching:not-interested")


def _organiser_or_403(request) -> None:
    if not request.user.is_organiser:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def organiser_matching_page(request):
    """Organisers start a full run and watch its progress bar (htmx polls the progress partial)."""
    _organiser_or_403(request)
    slug = request.GET.get("expo")
    expo = expo_current(slug=slug or None)
    if expo is None:
        raise Http404(_("No such expo.") if slug else _("No expo is current."))
    if request.method == "POST":
        try:
            run = match_run_start(expo=expo, requested_by=request.user)
        except Conflict as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("Match run #%(id)s started.") % {"id": run.pk})
        return redirect("matching:organiser")
    runs = list(match_run_list(expo=expo)[:10])
    active = next((run for run in runs if run.status in (RunStatus.PENDING, RunStatus.RUNNING)), None)
    return render(
        request,
        "matching/organiser.html",
        {
            "expo": expo,
            "runs": runs,
            "active": active,
            "served": match_run_served(expo=expo),
            "stale_minutes": _stale_minutes(),
            "weights_url": _weights_admin_url(expo),
        },
    )


@login_required
def run_progress_partial(request, pk: int):
    _organiser_or_403(request)
    run = get_object_or_404(match_run_list(), pk=pk)
    return render(request, "matching/_run_progress.html", {"run": run, "stale_minutes": _stale_minutes()})


def _weights_admin_url(expo: Expo) -> str:
    """The expo's weights in the back office: its row, or the add form with the defaults."""
    weights = match_weights_id(expo=expo)
    if weights is not None:
        return reverse("admin:matching_matchweights_change", args=[weights])
    return f"{reverse('admin:matching_matchweights_add')}?expo={expo.pk}"


def _stale_minutes() -> int:
    return int(STALE_AFTER.total_seconds() // 60)
