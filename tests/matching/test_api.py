"""Matching API: the buyer's list with reasons in two languages, feedback, match runs; roles per endpoint."""

import pytest
from django.utils import timezone

from matching.models import Match, MatchChunk, MatchRun, MatchWeights, RunStatus
from matching.services import runs
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import BoothFactory
from tests.factories.matching import MatchRunFactory, buyer_with, exhibitor_with

pytestmark = pytest.mark.django_db


def full_run(expo) -> MatchRun:
    return runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))


@pytest.fixture
def scene(expo, buyer_user):
    fit = exhibitor_with(
        expo=expo,
        name_en="Shengze Chiffon Mill",
        name_zh="盛泽雪纺厂",
        fabrics=["chiffon", "georgette"],
        processes=["coating"],
        certifications=["oeko-tex-100"],
        moq_m=1000,
        capacity_m_month=200_000,
        lead_time_days=20,
    )
    BoothFactory(expo=expo, exhibitor=fit, code="B201")
    other = exhibitor_with(expo=expo, fabrics=["chiffon"], certifications=["oeko-tex-100"], moq_m=None)
    buyer = buyer_with(
        expo=expo,
        user=buyer_user,
        fabrics=["chiffon"],
        processes=["coating"],
        certifications_required=["oeko-tex-100"],
        order_quantity_m=20_000,
        lead_time_days=30,
    )
    full_run(expo)
    return {"fit": fit, "other": other, "buyer": buyer}


def test_matches_list_buyer_sees_own_ranked_list_with_reasons(client_for, buyer_user, scene):
    response = client_for(buyer_user).get("/api/v1/matches/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    match = Match.objects.get(buyer=scene["buyer"], rank=1)
    assert first["id"] == match.pk
    assert first["rank"] == 1
    assert first["score"] == round(match.score, 4)
    assert first["exhibitor"] == {"id": scene["fit"].pk, "name": "Shengze Chiffon Mill", "booth": "B201"}
    assert first["feedback"] is None
    assert first["reasons"] == [
        "Makes the fabrics you want: Chiffon",
        "Offers the processes you need: Coating",
        "Holds the certifications you require: OEKO-TEX Standard 100",
        "Minimum order of 1,000 m fits your order of 20,000 m",
        "Capacity of 200,000 m a month covers your order in time",
        "Price of 8.50–15.00 CNY/m partly overlaps your target",
        "Delivers in 20 days, within the 30 days you need",
    ]
    assert [r["exhibitor"]["id"] for r in body["results"]] == [scene["fit"].pk, scene["other"].pk]


def test_matches_list_reasons_in_chinese(client_for, buyer_user, scene):
    buyer_user.preferred_language = "zh-hans"  # a token's user is answered in their saved language
    buyer_user.save()
    response = client_for(buyer_user).get("/api/v1/matches/")
    first = response.json()["results"][0]
    assert first["exhibitor"]["name"] == "盛泽雪纺厂"
    assert first["reasons"][:2] == ["生产您需要的面料：雪纺", "提供您需要的工艺：涂层"]


def test_matches_list_organiser_passes_buyer(client_for, scene):
    organiser = OrganiserFactory()
    response = client_for(organiser).get(f"/api/v1/matches/?buyer={scene['buyer'].pk}")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    missing = client_for(organiser).get("/api/v1/matches/")
    assert missing.status_code == 400
    assert missing.json() == {
        "detail": "buyer: Organisers choose whose list to see: ?buyer=ID.",
        "buyer": ["Organisers choose whose list to see: ?buyer=ID."],
    }
    assert client_for(organiser).get("/api/v1/matches/?buyer=abc").status_code == 400
    assert client_for(organiser).get("/api/v1/matches/?buyer=999999").status_code == 404


def test_matches_list_exhibitor_staff_forbidden(client_for, exhibitor_staff, scene):
    assert client_for(exhibitor_staff).get("/api/v1/matches/").status_code == 403


def test_matches_list_anonymous_unauthorised(api_client, scene):
    assert api_client.get("/api/v1/matches/").status_code == 401


def test_matches_list_buyer_without_profile_or_run_gets_empty_list(client_for, expo):
    assert client_for(UserFactory()).get("/api/v1/matches/").json()["count"] == 0
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    assert client_for(buyer.user).get("/api/v1/matches/").json()["count"] == 0


def test_matches_list_never_mixes_runs(client_for, buyer_user, scene, expo):
    stale = MatchRunFactory(expo=expo, status=RunStatus.FAILED)
    Match.objects.create(run=stale, buyer=scene["buyer"], exhibitor=scene["other"], rank=1, score=1.0)
    ids = [r["id"] for r in client_for(buyer_user).get("/api/v1/matches/").json()["results"]]
    assert set(ids) == set(
        Match.objects.filter(buyer=scene["buyer"]).exclude(run=stale).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("n", [1, 3])
def test_matches_list_query_count(client_for, expo, django_assert_num_queries, n):
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    for _ in range(n):
        BoothFactory(expo=expo, exhibitor=exhibitor_with(expo=expo, fabrics=["chiffon"]))
    full_run(expo)
    client = client_for(buyer.user)
    # token + user, expo, buyer, served run, count, matches, booths, terms, feedback
    with django_assert_num_queries(9):
        response = client.get("/api/v1/matches/")
    assert response.json()["count"] == n


def test_feedback_not_interested_removes_the_match(
    client_for, buyer_user, scene, django_capture_on_commit_callbacks
):
    match = Match.objects.get(buyer=scene["buyer"], rank=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(buyer_user).post(
            f"/api/v1/matches/{match.pk}/feedback/", {"value": "not_interested"}, format="json"
        )
    assert response.status_code == 200
    assert response.json() == {"match": match.pk, "exhibitor": scene["fit"].pk, "value": "not_interested"}
    listed = client_for(buyer_user).get("/api/v1/matches/").json()["results"]
    assert [r["exhibitor"]["id"] for r in listed] == [scene["other"].pk]


def test_feedback_interested_is_shown_in_the_list(client_for, buyer_user, scene):
    match = Match.objects.get(buyer=scene["buyer"], rank=2)
    client_for(buyer_user).post(
        f"/api/v1/matches/{match.pk}/feedback/", {"value": "interested"}, format="json"
    )
    listed = client_for(buyer_user).get("/api/v1/matches/").json()["results"]
    assert [r["feedback"] for r in listed] == [None, "interested"]


def test_feedback_rejects_bad_value_and_others_matches(client_for, buyer_user, scene, expo):
    match = Match.objects.get(buyer=scene["buyer"], rank=1)
    bad = client_for(buyer_user).post(
        f"/api/v1/matches/{match.pk}/feedback/", {"value": "meh"}, format="json"
    )
    assert bad.status_code == 400
    assert list(bad.json()) == ["detail", "value"]
    stranger = buyer_with(expo=expo, fabrics=["chiffon"])
    other = client_for(stranger.user).post(
        f"/api/v1/matches/{match.pk}/feedback/", {"value": "interested"}, format="json"
    )
    assert other.status_code == 404
    organiser = client_for(OrganiserFactory()).post(
        f"/api/v1/matches/{match.pk}/feedback/", {"value": "interested"}, format="json"
    )
    assert organiser.status_code == 403


def test_match_run_start_and_progress_for_organisers(client_for, expo, django_capture_on_commit_callbacks):
    buyer_with(expo=expo, fabrics=["chiffon"])
    exhibitor_with(expo=expo, fabrics=["chiffon"])
    client = client_for(OrganiserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/match-runs/", {}, format="json")
    assert response.status_code == 202
    run_id = response.json()["id"]
    detail = client.get(f"/api/v1/match-runs/{run_id}/").json()
    assert (detail["status"], detail["progress"], detail["matches_count"], detail["served"]) == (
        "completed",
        100,
        1,
        True,
    )
    assert client.get("/api/v1/match-runs/").json()["count"] == 1


def test_match_run_list_marks_only_the_served_run(client_for, expo, django_capture_on_commit_callbacks):
    buyer_with(expo=expo, fabrics=["chiffon"])
    exhibitor_with(expo=expo, fabrics=["chiffon"])
    client = client_for(OrganiserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/api/v1/match-runs/", {}, format="json").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post("/api/v1/match-runs/", {}, format="json").json()["id"]

    listed = client.get("/api/v1/match-runs/").json()["results"]
    by_expo = client.get("/api/v1/match-runs/", {"expo": expo.slug}).json()["results"]

    assert [(run["id"], run["served"]) for run in listed] == [(second, True), (first, False)]
    assert [(run["id"], run["served"]) for run in by_expo] == [(second, True), (first, False)]


def test_match_run_start_conflict_while_running(client_for, expo):
    running = MatchRunFactory(expo=expo, status=RunStatus.RUNNING, heartbeat_at=None, finished_at=None)
    MatchRun.objects.filter(pk=running.pk).update(heartbeat_at=running.created_at)
    response = client_for(OrganiserFactory()).post("/api/v1/match-runs/", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": f"A match run of this expo is already in progress (#{running.pk})."}


def test_match_run_reads_show_a_stale_run_without_failing_it(client_for, expo):
    served = full_run(expo)
    stale = MatchRunFactory(expo=expo, status=RunStatus.RUNNING, progress=40, finished_at=None)
    MatchRun.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now() - runs.STALE_AFTER * 1.5)
    before = rows_and_statuses()
    client = client_for(OrganiserFactory())

    detail = client.get(f"/api/v1/match-runs/{stale.pk}/").json()
    listed = client.get("/api/v1/match-runs/").json()["results"]

    assert (detail["status"], detail["progress"], detail["stale"], detail["served"]) == (
        "running",
        40,
        True,
        False,
    )
    assert [(run["id"], run["status"], run["stale"]) for run in listed] == [
        (stale.pk, "running", True),
        (served.pk, "completed", False),
    ]
    assert rows_and_statuses() == before  # a read writes nothing: failing it is beat's job


def rows_and_statuses() -> dict:
    return {
        "runs": list(MatchRun.objects.order_by("pk").values_list("pk", "status", "progress", "error")),
        "chunks": MatchChunk.objects.count(),
        "matches": Match.objects.count(),
        "weights": MatchWeights.objects.count(),
    }


def test_match_run_start_unknown_expo_names_the_field(client_for, expo):
    response = client_for(OrganiserFactory()).post("/api/v1/match-runs/", {"expo": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "expo: No such expo.", "expo": ["No such expo."]}


@pytest.mark.parametrize("role", ["buyer", "staff"])
def test_match_runs_forbidden_to_buyers_and_staff(client_for, expo, exhibitor_staff, buyer_user, role):
    user = buyer_user if role == "buyer" else exhibitor_staff
    run = MatchRunFactory(expo=expo)
    client = client_for(user)
    assert client.post("/api/v1/match-runs/", {}, format="json").status_code == 403
    assert client.get(f"/api/v1/match-runs/{run.pk}/").status_code == 403
    assert client.get("/api/v1/match-runs/").status_code == 403


@pytest.mark.parametrize("n", [1, 3])
def test_match_run_list_query_count(client_for, expo, django_assert_num_queries, n):
    for _ in range(n):
        MatchRunFactory(expo=expo)
    client = client_for(OrganiserFactory())
    with django_assert_num_queries(4):  # token + user, count, runs (expo joined), served run ids
        response = client.get("/api/v1/match-runs/")
    assert response.json()["count"] == n


def test_schema_lists_the_matching_endpoints(client_for):
    schema = client_for(OrganiserFactory()).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = set(schema.json()["paths"])
    assert {
        "/api/v1/matches/",
        "/api/v1/matches/{id}/feedback/",
        "/api/v1/match-runs/",
        "/api/v1/match-runs/{id}/",
    } <= paths


def test_buyer_profile_patch_changes_the_buyers_match_list(
    client_for, expo, buyer_user, django_capture_on_commit_callbacks
):
    chiffon = exhibitor_with(expo=expo, fabrics=["chiffon"])
    satin = exhibitor_with(expo=expo, fabrics=["satin"], processes=["dyeing"])
    buyer_with(expo=expo, user=buyer_user, fabrics=["chiffon"])
    full_run(expo)
    client = client_for(buyer_user)
    assert [r["exhibitor"]["id"] for r in client.get("/api/v1/matches/").json()["results"]] == [chiffon.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch("/api/v1/buyers/me/", {"fabrics": ["satin"]}, format="json")

    assert response.status_code == 200
    assert [r["exhibitor"]["id"] for r in client.get("/api/v1/matches/").json()["results"]] == [satin.pk]
