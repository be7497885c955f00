"""Full match runs on the database: chunks in any size and order, publishing, failures, retries, storage."""

from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from config.api import Conflict
from expo.models import Term
from matching import scoring
from matching.models import Match, MatchChunk, MatchRun, MatchWeights, RunStatus
from matching.selectors import match_list_for_buyer, match_run_served
from matching.services import feedback, runs, storage
from tests.factories.matching import buyer_with, exhibitor_with
from tests.matching.scenes import (
    CERTS,
    END_USES,
    FABRICS,
    FIBRES,
    PROCESSES,
    full_run,
    populate,
    served_lists,
)

pytestmark = pytest.mark.django_db


def test_full_run_ranks_the_fitting_exhibitor_first_with_reasons(expo):
    perfect = exhibitor_with(
        expo=expo, fabrics=["chiffon"], processes=["coating"], certifications=["oeko-tex-100"], moq_m=1000
    )
    partial = exhibitor_with(expo=expo, fabrics=["chiffon"], certifications=["oeko-tex-100"], moq_m=1000)
    exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])  # lacks the certification
    buyer = buyer_with(
        expo=expo,
        fabrics=["chiffon"],
        processes=["coating"],
        certifications_required=["oeko-tex-100"],
        order_quantity_m=5000,
        price_min_cny=Decimal("9.00"),
        price_max_cny=Decimal("16.00"),
        lead_time_days=30,
    )
    run = full_run(expo)
    assert run.status == RunStatus.COMPLETED
    assert run.progress == 100
    assert (run.buyers_count, run.exhibitors_count, run.matches_count, run.chunks_total) == (1, 3, 2, 1)
    assert {"load_exhibitors", "chunks_score", "chunks_write", "publish"} <= set(run.timings)
    matches = list(match_list_for_buyer(buyer=buyer))
    assert [(m.exhibitor_id, m.rank) for m in matches] == [(perfect.pk, 1), (partial.pk, 2)]
    assert matches[0].score > matches[1].score
    layout = scoring.Layout.from_json(run.layout)
    decoded = scoring.decode_terms(layout, np.frombuffer(bytes(matches[0].reason_terms), dtype="<u8"))
    assert decoded["fabric"] == [Term.objects.get(kind="fabric", slug="chiffon").pk]
    assert decoded["process"] == [Term.objects.get(kind="process", slug="coating").pk]
    assert decoded["certification"] == [Term.objects.get(kind="certification", slug="oeko-tex-100").pk]
    assert matches[0].reason_codes & scoring.REASON_CERTIFIED
    assert matches[0].reason_codes & scoring.REASON_MOQ_OK


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 1000])
def test_full_run_results_are_identical_for_any_chunk_size(expo, chunk_size):
    populate(expo, buyers=14, exhibitors=12)
    reference = served_lists(full_run(expo, chunk_size=1000).expo)
    run = full_run(expo, chunk_size=chunk_size)
    assert run.chunks_total == -(-14 // chunk_size)
    assert served_lists(expo) == reference
    assert sum(len(v) for v in reference.values()) == 57


def test_full_run_chunks_in_any_order_give_the_same_results(expo):
    populate(expo, buyers=10, exhibitors=9, seed=4)
    reference = served_lists(full_run(expo, chunk_size=100).expo)
    run = runs.match_run_start(expo=expo, dispatch=False)
    chunk_ids = runs.match_run_prepare(run=run, chunk_size=3, dispatch=False)
    for chunk in MatchChunk.objects.filter(pk__in=chunk_ids).order_by("-number"):  # as two workers might
        runs.match_chunk_score(chunk=chunk)
    runs.match_run_publish(run=run)
    assert served_lists(expo) == reference


def test_chunk_retry_replaces_its_own_rows(expo):
    populate(expo, buyers=6, exhibitors=5)
    run = runs.match_run_start(expo=expo, dispatch=False)
    (chunk_id,) = runs.match_run_prepare(run=run, chunk_size=100, dispatch=False)
    chunk = MatchChunk.objects.get(pk=chunk_id)
    first = runs.match_chunk_score(chunk=chunk)
    assert runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id)) == first  # done: no-op
    MatchChunk.objects.filter(pk=chunk_id).update(done=False)  # as if the acknowledgement was lost
    MatchRun.objects.filter(pk=run.pk).update(chunks_done=0, matches_count=0)
    assert runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id)) == first
    runs.match_run_publish(run=run)
    assert Match.objects.filter(run=run).count() == first
    assert MatchRun.objects.get(pk=run.pk).matches_count == first


def test_unpublished_run_stays_invisible_until_it_completes(expo, django_capture_on_commit_callbacks):
    buyers, _ = populate(expo, buyers=5, exhibitors=6)
    old = full_run(expo)
    before = served_lists(expo)
    exhibitor_with(
        expo=expo,
        fabrics=FABRICS,
        processes=PROCESSES,
        fibres=FIBRES,
        end_uses=END_USES,
        certifications=CERTS,
    )
    run = runs.match_run_start(expo=expo, dispatch=False)
    for chunk_id in runs.match_run_prepare(run=run, chunk_size=2, dispatch=False):
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))
    assert match_run_served(expo=expo) == old
    assert served_lists(expo) == before
    with django_capture_on_commit_callbacks(execute=True):
        runs.match_run_publish(run=run)
    assert match_run_served(expo=expo) == run
    assert served_lists(expo) != before
    assert MatchRun.objects.get(pk=old.pk).status == RunStatus.SUPERSEDED
    assert Match.objects.filter(run=old).count() == 0


def test_failed_chunk_fails_the_run_and_keeps_the_previous_results(expo, monkeypatch):
    populate(expo, buyers=5, exhibitors=4)
    old = full_run(expo)
    before = served_lists(expo)

    def broken(*args, **kwargs):
        raise RuntimeError("worker exploded")

    monkeypatch.setattr(scoring, "top_k", broken)
    run = runs.match_run_start(expo=expo, dispatch=False)
    with pytest.raises(RuntimeError):
        runs.match_run_execute(run=run, chunk_size=2)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "RuntimeError: worker exploded"
    assert match_run_served(expo=expo) == old
    assert served_lists(expo) == before
    assert Match.objects.filter(run=run).count() == 0


def test_publish_with_unfinished_chunks_fails_the_run(expo):
    populate(expo, buyers=4, exhibitors=3)
    run = runs.match_run_start(expo=expo, dispatch=False)
    runs.match_run_prepare(run=run, chunk_size=2, dispatch=False)
    runs.match_run_publish(run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "2 tasks did not finish."


def test_stale_run_is_marked_failed_and_a_new_run_may_start(expo):
    populate(expo, buyers=2, exhibitors=2)
    stuck = runs.match_run_start(expo=expo, dispatch=False)
    runs.match_run_prepare(run=stuck, dispatch=False)
    with pytest.raises(Conflict) as error:
        runs.match_run_start(expo=expo, dispatch=False)
    assert str(error.value.detail) == f"A match run of this expo is already in progress (#{stuck.pk})."
    MatchRun.objects.filter(pk=stuck.pk).update(heartbeat_at=timezone.now() - runs.STALE_AFTER * 2)
    fresh = runs.match_run_start(expo=expo, dispatch=False)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
    assert stuck.error == "No progress for 10 minutes: a worker was lost."
    assert fresh.status == RunStatus.PENDING


def test_run_start_through_celery_runs_everything_on_commit(expo, django_capture_on_commit_callbacks):
    populate(expo, buyers=7, exhibitors=5)
    MatchWeights.objects.create(expo=expo, chunk_size=100)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.match_run_start(expo=expo)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    assert run.chunks_total == 1
    assert run.chunks_done == 1


def test_weights_are_created_with_the_documented_defaults(expo):
    run = runs.match_run_start(expo=expo, dispatch=False)
    weights = MatchWeights.objects.get(expo=expo)
    assert (weights.fabric, weights.process, weights.fibre, weights.end_use) == (3.0, 2.0, 2.0, 1.0)
    assert (weights.quantity, weights.price, weights.lead_time, weights.demote_factor) == (1.0, 1.0, 1.0, 0.5)
    assert (weights.top_k, weights.chunk_size) == (20, 5000)
    assert run.weights["fabric"] == 3.0


def test_empty_expo_run_completes_with_nothing(expo):
    run = full_run(expo)
    assert (run.status, run.matches_count, run.chunks_total) == (RunStatus.COMPLETED, 0, 0)


def test_full_run_rows_are_numbered_by_run_buyer_offset_and_rank(expo):
    buyers, _ = populate(expo, buyers=7, exhibitors=6, seed=3)
    run = full_run(expo, chunk_size=3)
    first = min(b.pk for b in buyers)
    rows = list(Match.objects.filter(run=run).values_list("id", "buyer_id", "rank"))
    assert rows
    assert all(pk == (run.pk << 32) | ((buyer - first) << 7) | rank for pk, buyer, rank in rows)


def test_row_ids_fall_back_to_the_database_when_buyer_ids_spread_too_wide():
    rank = np.array([1, 1])
    assert storage.run_row_ids(run_id=3, buyer_offset=np.array([0, 2**25]), rank=rank) is None
    assert storage.run_row_ids(run_id=3, buyer_offset=np.array([0, 2**25 - 1]), rank=rank).tolist() == [
        (3 << 32) | 1,
        (3 << 32) | ((2**25 - 1) << 7) | 1,
    ]


def test_run_interrupted_mid_way_resumes_when_its_tasks_are_redelivered(expo):
    populate(expo, buyers=9, exhibitors=7, seed=5)
    reference = served_lists(full_run(expo, chunk_size=100).expo)
    run = runs.match_run_start(expo=expo, dispatch=False)
    chunk_ids = runs.match_run_prepare(run=run, chunk_size=3, dispatch=False)
    runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_ids[0]))  # then the worker dies
    assert served_lists(expo) == reference  # the previous run is still served, untouched
    assert runs.match_run_prepare(run=MatchRun.objects.get(pk=run.pk), dispatch=False) == chunk_ids
    for chunk_id in chunk_ids:  # the broker redelivers every unacknowledged task
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))
    runs.match_run_publish(run=run)
    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.progress) == (RunStatus.COMPLETED, 3, 100)
    assert served_lists(expo) == reference


def test_published_rows_are_indexed_by_exhibitor(expo, django_capture_on_commit_callbacks):
    from django.db import connection

    from matching.services import storage

    populate(expo, buyers=3, exhibitors=2)
    with django_capture_on_commit_callbacks(execute=True):
        run = full_run(expo)
    # PostgreSQL: the run's own partition (indexed after publishing) and the default one (ORM rows).
    tables = (
        [storage.stage_table(run.pk), "matching_match_default"]
        if storage.uses_partitions()
        else ["matching_match"]
    )
    with connection.cursor() as cursor:
        indexed = [
            [
                c["columns"]
                for c in connection.introspection.get_constraints(cursor, table).values()
                if c["index"] and not c["unique"]
            ]
            for table in tables
        ]
    assert indexed == [[["exhibitor_id"]]] * len(tables)


def test_not_interested_while_a_run_computes_never_reaches_its_published_rows(
    expo, django_capture_on_commit_callbacks
):
    first = exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    second = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    full_run(expo)
    run = runs.match_run_start(expo=expo, dispatch=False)
    for chunk_id in runs.match_run_prepare(run=run, chunk_size=5, dispatch=False):
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))  # scored with the pair
    match = match_list_for_buyer(buyer=buyer).get(exhibitor=first)
    with django_capture_on_commit_callbacks(execute=False):  # no rescoring, no catch-up: publishing alone
        feedback.match_feedback_set(match=match, value="not_interested")
        runs.match_run_publish(run=run)
    assert match_run_served(expo=expo).pk == run.pk
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [second.pk]
    assert MatchRun.objects.get(pk=run.pk).matches_count == 1


def test_a_buyer_committed_after_the_snapshot_inside_a_chunk_does_not_break_the_run(expo):
    """A registration in flight while the run is prepared can commit with an id inside a chunk's
    range: the chunk then holds one buyer more than it counted. Row ids must stay unique."""
    populate(expo, buyers=6, exhibitors=5)
    reference = served_lists(full_run(expo, chunk_size=100).expo)
    run = runs.match_run_start(expo=expo, dispatch=False)
    chunk_ids = runs.match_run_prepare(run=run, chunk_size=3, dispatch=False)
    first = MatchChunk.objects.get(pk=chunk_ids[0])
    MatchChunk.objects.filter(pk=first.pk).update(buyers_count=2)  # one of its buyers came late

    for chunk in MatchChunk.objects.filter(pk__in=chunk_ids).order_by("number"):
        runs.match_chunk_score(chunk=chunk)
    runs.match_run_publish(run=run)

    run.refresh_from_db()
    rows = list(Match.objects.filter(run=run).values_list("id", flat=True))
    assert run.status == RunStatus.COMPLETED
    assert len(rows) == len(set(rows)) == run.matches_count
    assert served_lists(expo) == reference
