"""Full match runs: start, prepare (snapshot + chunks), score chunks, publish, fail.

A run is split by buyer id ranges into chunks, one Celery task each (a chord whose body
publishes), so more workers finish sooner. Every chunk scores against the same exhibitor
snapshot, taken when the run is prepared, and results stay invisible until the publish step
flips the run to completed in one transaction (see `storage`); after its commit,
`incremental.match_run_after_publish` drops the replaced runs and catches up with the profiles
changed meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api import Conflict
from expo.models import Expo
from matching import scoring
from matching.models import (
    STALE_AFTER,
    FeedbackValue,
    Match,
    MatchChunk,
    MatchFeedback,
    MatchRun,
    RunStatus,
)
from matching.services import loading, storage
from matching.services.blocks import block_score, engine_for, run_weights

logger = logging.getLogger(__name__)

# Changes saved this long before a run started may still be missing from it: a row's `updated_at`
# is its save time, and a transaction saved just before the snapshot was read may commit only
# after it. Publishing removes the pairs refused in that window, the catch-up rescores the rest.
CATCH_UP_MARGIN = timedelta(seconds=5)
# What a progress report reads again after each chunk (not the run's encoded exhibitors).
PROGRESS_FIELDS = ["status", "progress", "chunks_done", "chunks_total", "matches_count", "heartbeat_at"]
PREPARED_PROGRESS = 5  # progress once the snapshot is taken; chunks fill 5 → 95, publishing → 100


# --- start ----------------------------------------------------------------------------------------


def match_runs_fail_stale(*, expo: Expo | None = None) -> int:
    """Mark runs without progress for STALE_AFTER as failed (their worker died); returns how many.

    Called by the periodic task and when a run starts, never by a page or API read.
    """
    stale = MatchRun.objects.stale()
    if expo is not None:
        stale = stale.filter(expo=expo)
    count = 0
    for run in stale:
        match_run_fail(
            run=run,
            error=_("No progress for %(minutes)s minutes: a worker was lost.")
            % {"minutes": int(STALE_AFTER.total_seconds() // 60)},
        )
        count += 1
    return count


@transaction.atomic
def match_run_start(
    *, expo: Expo, requested_by=None, dispatch: bool = True, chunk_size: int | None = None
) -> MatchRun:
    """Create a run of `expo` and queue its preparation on commit.

    Refused with `Conflict` (409) while another run of the expo is pending or running: the request
    is valid, the expo's state refuses it.
    `dispatch=False` leaves the work to the caller (`match_run_execute`, the benchmark).
    `chunk_size` overrides the expo's buyers per chunk for this run's workers.
    """
    Expo.objects.select_for_update().filter(pk=expo.pk).first()  # one start at a time per expo
    match_runs_fail_stale(expo=expo)
    active = MatchRun.objects.filter(expo=expo, status__in=[RunStatus.PENDING, RunStatus.RUNNING]).first()
    if active is not None:
        raise Conflict(_("A match run of this expo is already in progress (#%(id)s).") % {"id": active.pk})
    weights = loading.weights_get(expo=expo)
    run = MatchRun(
        expo=expo,
        requested_by=requested_by,
        top_k=weights.top_k,
        weights=asdict(loading.weights_array(weights)),
        heartbeat_at=timezone.now(),
    )
    run.full_clean()
    run.save()
    if dispatch:
        from matching import tasks

        transaction.on_commit(
            lambda: tasks.match_run_prepare_task.delay(run_id=run.pk, chunk_size=chunk_size)
        )
    return run


# --- prepare ----------------------------------------------------------------------------------------


def _chunk_bounds(buyer_ids: np.ndarray, size: int) -> list[tuple[int, int, int]]:
    """(first id, last id, count) of consecutive groups of `size` buyers."""
    return [
        (
            int(buyer_ids[start]),
            int(buyer_ids[min(start + size, len(buyer_ids)) - 1]),
            min(size, len(buyer_ids) - start),
        )
        for start in range(0, len(buyer_ids), size)
    ]


def match_run_prepare(
    *,
    run: MatchRun,
    chunk_size: int | None = None,
    dispatch: bool = True,
    on_layout: Callable[[scoring.Layout], None] | None = None,
) -> list[int]:
    """Snapshot the exhibitors and taxonomy layout, split the buyers into chunks; returns chunk ids.

    Idempotent: a run already prepared returns its chunks again (a redelivered task).
    `on_layout` is called with the run's layout as soon as it is read (after the catch-up's
    cut-off is taken), so a caller may start reading the buyers meanwhile.
    """
    if run.status == RunStatus.RUNNING:
        return list(run.chunks.values_list("pk", flat=True))
    if run.status != RunStatus.PENDING:
        return []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    started_at = timezone.now()  # before the snapshot is read: the catch-up's cut-off
    expo = run.expo
    layout = loading.layout_current()
    if on_layout is not None:
        on_layout(layout)
    exhibitors = loading.exhibitors_encode(expo=expo, layout=layout)
    buyer_ids = loading.buyer_ids(expo=expo)
    timings["load_exhibitors"] = time.perf_counter() - started
    size = chunk_size or loading.weights_read(expo=expo).chunk_size
    bounds = _chunk_bounds(buyer_ids, size)
    started = time.perf_counter()
    with transaction.atomic():
        locked = MatchRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.PENDING:
            return list(locked.chunks.values_list("pk", flat=True))
        storage.run_storage_prepare(run=run)
        chunks = MatchChunk.objects.bulk_create(
            [
                MatchChunk(run=run, number=n, buyer_id_from=lo, buyer_id_to=hi, buyers_count=count)
                for n, (lo, hi, count) in enumerate(bounds)
            ]
        )
        timings["prepare_storage"] = time.perf_counter() - started
        now = timezone.now()
        run.status = RunStatus.RUNNING
        run.started_at = started_at
        run.heartbeat_at = now
        run.progress = PREPARED_PROGRESS
        run.layout = layout.to_json()
        run.exhibitor_snapshot = exhibitors.to_npz_bytes()
        run.buyers_count = len(buyer_ids)
        run.exhibitors_count = len(exhibitors)
        run.chunks_total = len(chunks)
        run.engine = engine_for(size * len(exhibitors))
        run.timings = timings
        run.save()
        chunk_ids = [chunk.pk for chunk in chunks]
        if dispatch:
            from matching import tasks

            transaction.on_commit(lambda: tasks.match_run_dispatch(run_id=run.pk, chunk_ids=chunk_ids))
    return chunk_ids


# --- chunks -------------------------------------------------------------------------------------------


def _run_first_buyer_id(run: MatchRun) -> int:
    """The lowest buyer id of the run's snapshot (its first chunk's): the base of its row ids."""
    return (
        MatchChunk.objects.filter(run_id=run.pk, number=0).values_list("buyer_id_from", flat=True).first()
        or 0
    )


def match_chunk_score(*, chunk: MatchChunk) -> int:
    """Score one chunk's buyers and write their rows (replacing any of this chunk); returns the row count.

    A chunk already done, or of a run no longer running, is left alone, so retries are harmless.
    """
    run = MatchRun.objects.select_related("expo").get(pk=chunk.run_id)
    if run.status != RunStatus.RUNNING or chunk.done:
        return chunk.matches_count
    timings: dict[str, float] = {}
    started = time.perf_counter()
    layout = scoring.Layout.from_json(run.layout)
    exhibitors = scoring.Exhibitors.from_npz_bytes(run.exhibitor_snapshot)
    buyers = loading.buyers_encode(
        expo=run.expo, layout=layout, id_from=chunk.buyer_id_from, id_to=chunk.buyer_id_to
    )
    first_buyer_id = _run_first_buyer_id(run)
    timings["load"] = time.perf_counter() - started
    rows = block_score(
        expo=run.expo,
        layout=layout,
        weights=run_weights(run),
        buyers=buyers,
        exhibitors=exhibitors,
        k=run.top_k,
        timings=timings,
        id_base=(run.pk, first_buyer_id),
    )
    return chunk_rows_write(run=run, chunk=chunk, rows=rows, timings=timings)


def chunk_rows_write(*, run: MatchRun, chunk: MatchChunk, rows: storage.MatchRows, timings: dict) -> int:
    """Write a scored chunk's rows and mark it done, in one transaction; returns its row count.

    A chunk done meanwhile (a redelivered task got there first), or a run no longer running, is
    left alone.
    """
    started = time.perf_counter()
    with transaction.atomic():
        locked = MatchChunk.objects.select_for_update().get(pk=chunk.pk)
        current = MatchRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
        if locked.done or current != RunStatus.RUNNING:
            return locked.matches_count
        storage.run_rows_write(
            run=run, buyer_id_from=chunk.buyer_id_from, buyer_id_to=chunk.buyer_id_to, rows=rows
        )
        timings["write"] = time.perf_counter() - started
        locked.done = True
        locked.attempts += 1
        locked.matches_count = len(rows)
        locked.timings = {name: round(value, 4) for name, value in timings.items()}
        locked.save()
        span = 100 - PREPARED_PROGRESS - 5
        MatchRun.objects.filter(pk=run.pk).update(
            chunks_done=F("chunks_done") + 1,
            matches_count=F("matches_count") + len(rows),
            progress=Least(95, PREPARED_PROGRESS + (F("chunks_done") + 1) * span / F("chunks_total")),
            heartbeat_at=timezone.now(),
        )
    chunk.done, chunk.matches_count = True, len(rows)
    return len(rows)


def match_chunk_attempt_failed(*, chunk: MatchChunk) -> None:
    MatchChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)


# --- publish and fail ---------------------------------------------------------------------------------


def _sum_chunk_timings(run: MatchRun) -> dict[str, float]:
    totals: dict[str, float] = {}
    for timings in run.chunks.values_list("timings", flat=True):
        for name, value in (timings or {}).items():
            totals[name] = totals.get(name, 0.0) + value
    return totals


def match_run_publish(*, run: MatchRun) -> MatchRun:
    """Make a run's results the served ones, all at once; drop the rows of the runs it replaces."""
    started = time.perf_counter()
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().select_related("expo").get(pk=run.pk)
        if run.status != RunStatus.RUNNING:
            return run
        missing = run.chunks.filter(done=False).count()
        if not missing:
            _publish_locked(run=run, started=started)
    if missing:
        return match_run_fail(run=run, error=_("%(count)s tasks did not finish.") % {"count": missing})
    return run


def _publish_locked(*, run: MatchRun, started: float) -> None:
    """Attach the run's rows and mark it completed (the caller holds the run's row lock)."""
    storage.run_storage_publish(run=run)
    replaced = list(
        MatchRun.objects.filter(expo=run.expo, status=RunStatus.COMPLETED).values_list("pk", flat=True)
    )
    MatchRun.objects.filter(pk__in=replaced).update(status=RunStatus.SUPERSEDED)
    refused = _pairs_refused_meanwhile_remove(run=run)
    timings = dict(run.timings)
    timings.update({f"chunks_{name}": round(value, 4) for name, value in _sum_chunk_timings(run).items()})
    timings["publish"] = round(time.perf_counter() - started, 4)
    run.status = RunStatus.COMPLETED
    run.progress = 100
    run.finished_at = timezone.now()
    run.heartbeat_at = run.finished_at
    snapshot = run.exhibitor_snapshot
    run.exhibitor_snapshot = None
    run.timings = timings
    run.matches_count = sum(run.chunks.values_list("matches_count", flat=True)) - refused
    run.save()
    from matching.services import incremental  # it builds on this module

    transaction.on_commit(
        lambda: incremental.match_run_after_publish(run=run, replaced=replaced, snapshot=snapshot)
    )


def _pairs_refused_meanwhile_remove(*, run: MatchRun) -> int:
    """Delete the run's rows of pairs marked "not interested" since it started; returns how many.

    Its chunks read the feedback before that, so such a pair would come back with the run. Called
    after the replaced runs are marked superseded: that update waits for every feedback that was
    acting on them (they share-lock the served run), so this read sees those feedbacks, and later
    ones act on this run. The catch-up then refills the freed ranks.
    """
    if run.started_at is None:
        return 0
    pairs = list(
        MatchFeedback.objects.filter(
            buyer__expo=run.expo,
            value=FeedbackValue.NOT_INTERESTED,
            updated_at__gte=run.started_at - CATCH_UP_MARGIN,
        ).values_list("buyer_id", "exhibitor_id")
    )
    removed = 0
    for start in range(0, len(pairs), 500):
        either = Q()
        for buyer_id, exhibitor_id in pairs[start : start + 500]:
            either |= Q(buyer_id=buyer_id, exhibitor_id=exhibitor_id)
        removed += Match.objects.filter(either, run=run).delete()[0]
    return removed


def match_run_fail(*, run: MatchRun, error: str) -> MatchRun:
    """Mark a run failed and drop its unpublished rows; the previously served run stays served."""
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run.pk)
        if run.status in (RunStatus.COMPLETED, RunStatus.SUPERSEDED, RunStatus.FAILED):
            return run
        run.status = RunStatus.FAILED
        run.error = error[:2000]
        run.finished_at = timezone.now()
        run.exhibitor_snapshot = None
        run.save()
    with transaction.atomic():
        storage.run_storage_drop(run_id=run.pk)
    logger.warning("Match run %s failed: %s", run.pk, error)
    return run
