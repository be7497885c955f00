"""Buyer recommendations page and the organiser's matching page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Match, MatchChunk, MatchFeedback, MatchRun, MatchWeights, RunStatus
from matching.services import runs
from tests.factories.accounts import OrganiserFactory
from tests.factories.matching import MatchRunFactory, buyer_with, exhibitor_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(expo, buyer_user):
    fit = exhibitor_with(
        expo=expo,
        name_en="Shengze Chiffon Mill",
        name_zh="盛泽雪纺厂",
        fabrics=["chiffon"],
        processes=["coating"],
    )
    buyer = buyer_with(expo=expo, user=buyer_user, fabrics=["chiffon"], processes=["coating"])
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    return {"fit": fit, "buyer": buyer}


def test_recommendations_page_shows_score_bar_reasons_and_link(client, buyer_user, scene):
    client.force_login(buyer_user)
    response = client.get(reverse("matching:recommendations"))
    assert response.status_code == 200
    html = response.content.decode()
    match = Match.objects.get(buyer=scene["buyer"])
    assert f'href="/exhibitors/{scene["fit"].pk}/"' in html
    assert f'<progress value="{round(match.score * 100)}" max="100"' in html
    assert "Makes the fabrics you want: Chiffon" in html
    assert "Offers the processes you need: Coating" in html


def test_recommendations_page_in_chinese(client, buyer_user, scene):
    buyer_user.preferred_language = "zh-hans"  # the saved language decides, not the browser's
    buyer_user.save()
    client.force_login(buyer_user)
    response = client.get(reverse("matching:recommendations"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "盛泽雪纺厂" in html
    assert "生产您需要的面料：雪纺" in html  # a translated reason, not just the mill's name
    assert "提供您需要的工艺：涂层" in html
    assert "Makes the fabrics you want" not in html


def test_recommendations_page_without_run_says_so(client, expo):
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    client.force_login(buyer.user)
    response = client.get(reverse("matching:recommendations"))
    assert response.status_code == 200
    assert "Recommendations are not ready yet" in response.content.decode()


def test_recommendations_feedback_form_removes_the_exhibitor(
    client, buyer_user, scene, django_capture_on_commit_callbacks
):
    client.force_login(buyer_user)
    match = Match.objects.get(buyer=scene["buyer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matching:recommendation-feedback", args=[match.pk]), {"value": "not_interested"}
        )
    assert response.status_code == 302
    assert MatchFeedback.objects.get().value == "not_interested"
    assert Match.objects.filter(buyer=scene["buyer"]).count() == 0
    page = client.get(reverse("matching:recommendations")).content.decode()
    assert "will not be recommended to you again" in page


def test_recommendations_page_requires_login_and_a_buyer(client, exhibitor_staff, scene):
    assert client.get(reverse("matching:recommendations")).status_code == 302
    client.force_login(exhibitor_staff)
    assert client.get(reverse("matching:recommendations")).status_code == 403


def test_organiser_page_starts_a_run_and_shows_progress(client, expo, django_capture_on_commit_callbacks):
    buyer_with(expo=expo, fabrics=["chiffon"])
    exhibitor_with(expo=expo, fabrics=["chiffon"])
    client.force_login(OrganiserFactory())
    page = client.get(reverse("matching:organiser"))
    assert page.status_code == 200
    assert "Start a full run" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:organiser"))
    assert response.status_code == 302
    run = MatchRun.objects.get()
    assert run.status == RunStatus.COMPLETED
    partial = client.get(reverse("matching:run-progress", args=[run.pk])).content.decode()
    assert '<progress value="100" max="100"' in partial
    assert "hx-trigger" not in partial  # finished: polling stops


def test_organiser_progress_partial_polls_while_running(client, expo):
    run = MatchRunFactory(
        expo=expo, status=RunStatus.RUNNING, progress=40, chunks_total=5, chunks_done=2, finished_at=None
    )
    MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=run.created_at)
    client.force_login(OrganiserFactory())
    partial = client.get(reverse("matching:run-progress", args=[run.pk])).content.decode()
    assert '<progress value="40" max="100"' in partial
    assert 'hx-trigger="every 1s"' in partial
    assert "2 of 5 tasks done" in partial
    page = client.get(reverse("matching:organiser")).content.decode()
    assert "Start a full run" not in page


def test_organiser_pages_forbidden_to_others(client, buyer_user, exhibitor_staff, expo):
    run = MatchRunFactory(expo=expo)
    for user in (buyer_user, exhibitor_staff):
        client.force_login(user)
        assert client.get(reverse("matching:organiser")).status_code == 403
        assert client.post(reverse("matching:organiser")).status_code == 403
        assert client.get(reverse("matching:run-progress", args=[run.pk])).status_code == 403


def test_organiser_pages_show_a_stale_run_and_write_nothing(client, expo):
    served = runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    MatchWeights.objects.all().delete()  # an expo never given weights: the defaults apply
    stale = MatchRunFactory(expo=expo, status=RunStatus.RUNNING, progress=40, finished_at=None)
    MatchRun.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now() - runs.STALE_AFTER * 1.5)
    before = rows_and_statuses()
    client.force_login(OrganiserFactory())

    page = client.get(reverse("matching:organiser")).content.decode()
    partial = client.get(reverse("matching:run-progress", args=[stale.pk])).content.decode()
    for name in ("matchrun", "matchweights"):
        assert client.get(reverse(f"admin:matching_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:matching_matchrun_change", args=[served.pk])).status_code == 200

    assert rows_and_statuses() == before
    notice = "No progress for 10 minutes: a worker was lost."
    assert notice in partial
    assert notice in page
    assert "Start a full run" in page  # starting one fails the stale run first
    assert f'href="{reverse("admin:matching_matchweights_add")}?expo={expo.pk}"' in page


def test_organiser_page_links_to_the_expos_weights_row(client, expo):
    weights = MatchWeights.objects.create(expo=expo)
    client.force_login(OrganiserFactory())
    page = client.get(reverse("matching:organiser")).content.decode()
    assert f'href="{reverse("admin:matching_matchweights_change", args=[weights.pk])}"' in page


def rows_and_statuses() -> dict:
    return {
        "runs": list(MatchRun.objects.order_by("pk").values_list("pk", "status", "progress", "error")),
        "chunks": MatchChunk.objects.count(),
        "matches": Match.objects.count(),
        "weights": MatchWeights.objects.count(),
    }


def _running(expo):
    """A run of `expo` going now (fresh heartbeat): another start is refused."""
    from django.utils import timezone

    from matching.models import MatchRun, RunStatus
    from tests.factories.matching import MatchRunFactory

    run = MatchRunFactory(expo=expo, status=RunStatus.RUNNING, finished_at=None)
    MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    return run


def test_organiser_page_start_while_a_run_goes_says_so(client, expo):
    from django.contrib.messages import get_messages

    running = _running(expo)
    client.force_login(OrganiserFactory())
    response = client.post(reverse("matching:organiser"))

    assert response.status_code == 302
    assert [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)] == [
        ("error", f"A match run of this expo is already in progress (#{running.pk}).")
    ]
    assert list(MatchRun.objects.values_list("pk", flat=True)) == [running.pk]
