"""Celery wiring: the chord of chunk tasks on a real worker and Redis broker, and the receivers."""

import time

import pytest
from django.db import transaction

from config.api import Conflict
from expo.signals import buyer_profile_changed
from matching.models import Match, MatchRun, MatchWeights, RunStatus
from matching.selectors import match_run_served
from matching.services import runs
from matching.services.runs import inline
from matching.tasks import match_chunk_task, match_run_prepare_task, match_runs_fail_stale_task
from tests.factories.matching import buyer_with, exhibitor_with

FABRICS = ["chiffon", "georgette", "satin", "taffeta"]


def _populate(expo, n_buyers: int, n_exhibitors: int) -> None:
    for i in range(n_exhibitors):
        exhibitor_with(expo=expo, fabrics=FABRICS[i % 4 : i % 4 + 2], moq_m=500 * (i % 3 + 1))
    for i in range(n_buyers):
        buyer_with(expo=expo, fabrics=[FABRICS[i % 4]], order_quantity_m=1000 * (i % 5 + 1))


def _lists(run) -> list[tuple]:
    return list(
        Match.objects.filter(run=run)
        .order_by("buyer_id", "rank")
        .values_list("buyer_id", "exhibitor_id", "score")
    )


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_full_run_on_a_real_celery_worker_with_redis(committed_db, expo):
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    _populate(expo, n_buyers=23, n_exhibitors=9)
    MatchWeights.objects.create(expo=expo, chunk_size=5)  # below the admin's floor of 100: five chunks
    reference = runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False), chunk_size=5)
    expected = _lists(reference)

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            run = runs.match_run_start(expo=expo)  # queued to Redis on commit
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                run.refresh_from_db()
                if run.is_finished:
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = eager
    assert run.status == RunStatus.COMPLETED, run.error
    assert (run.chunks_total, run.chunks_done, run.progress) == (5, 5, 100)
    assert match_run_served(expo=expo) == run
    assert _lists(run) == expected
    assert MatchRun.objects.get(pk=reference.pk).status == RunStatus.SUPERSEDED


@pytest.mark.django_db
def test_tasks_skip_rows_that_are_gone():
    assert match_run_prepare_task.delay(run_id=987654).get() is None
    assert match_chunk_task.delay(chunk_id=987654).get() == 0


@pytest.mark.django_db
def test_buyer_signal_queues_a_rescore_only_on_commit(expo, django_capture_on_commit_callbacks):
    exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["satin"])
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    buyer.fabrics.set(exhibitor.fabrics.all())
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        buyer_profile_changed.send(sender=type(buyer), buyer=buyer)
        assert Match.objects.filter(buyer=buyer).count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert list(Match.objects.filter(buyer=buyer).values_list("exhibitor_id", flat=True)) == [exhibitor.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_full_run_results_are_the_same_for_one_or_two_worker_threads(committed_db, expo):
    _populate(expo, n_buyers=30, n_exhibitors=12)
    one = runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False), chunk_size=4)
    expected = _lists(one)
    two = runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False), chunk_size=7, threads=2)
    assert two.status == RunStatus.COMPLETED
    assert two.chunks_total == 5
    assert _lists(two) == expected
    assert len(expected) > 30


def test_beat_schedule_runs_the_stale_check_every_minute_before_redelivery():
    from django.conf import settings

    from config.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["matching-fail-stale-runs"]
    assert entry["task"] == match_runs_fail_stale_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    # A dead worker's tasks come back after the run was failed, and then do nothing.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > runs.STALE_AFTER.total_seconds() + 60


@pytest.mark.django_db
def test_periodic_stale_check_fails_a_dead_run_keeps_results_and_frees_the_expo(expo):
    from django.utils import timezone

    from matching.models import MatchChunk

    _populate(expo, 4, 3)
    served = runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    before = _lists(served)
    dead = runs.match_run_start(expo=expo, dispatch=False)
    chunk_ids = runs.match_run_prepare(run=dead, chunk_size=2, dispatch=False)
    runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_ids[0]))  # then the worker dies
    assert match_runs_fail_stale_task.apply().get() == 0  # still fresh: left alone
    with pytest.raises(
        Conflict, match=rf"^A match run of this expo is already in progress \(#{dead.pk}\)\.$"
    ):
        runs.match_run_start(expo=expo, dispatch=False)

    MatchRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - runs.STALE_AFTER * 1.1)
    assert match_runs_fail_stale_task.apply().get() == 1

    dead.refresh_from_db()
    assert (dead.status, dead.error) == (RunStatus.FAILED, "No progress for 10 minutes: a worker was lost.")
    assert match_run_served(expo=expo).pk == served.pk
    assert _lists(served) == before
    runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_ids[1]))  # redelivered late: no-op
    assert _lists(served) == before
    assert runs.match_run_start(expo=expo, dispatch=False).status == RunStatus.PENDING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_process_run_with_parallel_connections_publishes_an_indexed_analysed_table(committed_db, expo):
    """The rescore command's path: rows written by two connections while scoring goes on, both
    indexes built side by side before publishing, the statistics gathered; the same lists as a
    run done chunk by chunk on one connection."""
    from django.db import connection

    from matching.services import storage

    _populate(expo, n_buyers=23, n_exhibitors=9)
    serial = runs.match_run_start(expo=expo, dispatch=False)
    runs.match_run_prepare(run=serial, chunk_size=5, dispatch=False)
    inline._chunks_score_serially(run=serial, on_progress=None)
    expected = _lists(runs.match_run_publish(run=serial))
    run = runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False), chunk_size=5, threads=2)
    assert (run.status, run.chunks_total, run.chunks_done, run.progress) == (RunStatus.COMPLETED, 5, 5, 100)
    assert _lists(run) == expected
    assert {"load_buyers", "index", "chunks_score", "chunks_write", "publish", "finish"} <= set(run.timings)
    table = storage.stage_table(run.pk)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        cursor.execute(
            "SELECT count(DISTINCT staattnum) > 0 FROM pg_statistic WHERE starelid = %s::regclass", [table]
        )
        analysed = cursor.fetchone()[0]
    indexes = sorted((c["columns"], c["unique"]) for c in constraints.values() if c["index"] or c["unique"])
    assert indexes == [(["exhibitor_id"], False), (["run_id", "buyer_id", "rank"], True)]
    assert analysed is True
