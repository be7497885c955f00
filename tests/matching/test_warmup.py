"""A process loads at start what its first request would (matching/warmup.py), and a saved profile
is reflected in the buyer's list at once, without waiting for a worker."""

import runpy
import types
from pathlib import Path

import pytest

from config.celery_app import app as celery_app
from matching.services import loading, runs
from tests.factories.matching import buyer_with, exhibitor_with

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def full_run(expo):
    return runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))


def test_a_warmed_process_holds_the_current_expos_encoded_exhibitors(expo):
    first = exhibitor_with(expo=expo, fabrics=["chiffon"])
    second = exhibitor_with(expo=expo, fabrics=["satin"])
    buyer_with(expo=expo, fabrics=["chiffon"])
    full_run(expo)
    loading.exhibitors_cache_clear()

    from matching.warmup import process_warm

    took = process_warm(kernel=False)

    assert list(took) == ["connections", "urls", "languages", "tables", "exhibitors"]
    key, encoded = loading._exhibitor_cache["exhibitors"]
    assert key[2] == expo.pk
    assert [int(pk) for pk in encoded.ids] == [first.pk, second.pk]


def test_gunicorns_worker_hook_warms_the_worker(expo):
    exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer_with(expo=expo, fabrics=["chiffon"])
    full_run(expo)
    loading.exhibitors_cache_clear()
    logged = []
    worker = types.SimpleNamespace(pid=1234, log=types.SimpleNamespace(info=lambda *a: logged.append(a)))

    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"](worker)

    assert "exhibitors" in loading._exhibitor_cache
    assert logged[0][:2] == ("worker %s warmed in %.3f s", 1234)


def test_a_saved_profile_is_listed_at_once_without_a_worker(
    client_for, expo, buyer_user, django_capture_on_commit_callbacks
):
    """With tasks going to a broker (no eager run, no worker), the buyer's own save is rescored in
    the request itself."""
    chiffon = exhibitor_with(expo=expo, fabrics=["chiffon"])
    satin = exhibitor_with(expo=expo, fabrics=["satin"])
    buyer_with(expo=expo, user=buyer_user, fabrics=["chiffon"])
    full_run(expo)
    client = client_for(buyer_user)
    assert [r["exhibitor"]["id"] for r in client.get("/api/v1/matches/").json()["results"]] == [chiffon.pk]
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, "memory://"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.patch("/api/v1/buyers/me/", {"fabrics": ["satin"]}, format="json")
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved

    assert response.status_code == 200
    assert response.json()["fabrics"] == ["satin"]
    assert [r["exhibitor"]["id"] for r in client.get("/api/v1/matches/").json()["results"]] == [satin.pk]
