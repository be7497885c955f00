"""Full match runs: the organisers' API (list, start, status) and page (start, progress bar)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOrganiser
from config.api import Conflict
from expo.models import Expo
from expo.selectors import expo_current
from expo.views.common import EXPO_PARAMETER, expo_or_404
from matching.filters import MatchRunFilter
from matching.models import MatchRun, RunStatus
from matching.selectors import (
    match_run_list,
    match_run_served,
    match_run_served_ids,
    match_weights_id,
)
from matching.serializers import (
    MatchRunSerializer,
    MatchRunStartInputSerializer,
)
from matching.services.runs import STALE_AFTER, match_run_start


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
