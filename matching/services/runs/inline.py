"""A full run in this process, without Celery workers: the `rescore` command and the benchmarks.

The same steps as the workers' (`steps`): prepare, every chunk, publish; on PostgreSQL outside a
transaction the buyers are read while the run is prepared, the kernel and the reasons use every
core, and writer connections write finished chunks while the next one is scored.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable

import numpy as np
from django.db import connection

from expo.models import Expo
from matching import scoring
from matching.models import MatchChunk, MatchRun, RunStatus
from matching.services import loading, storage
from matching.services.blocks import block_score, run_weights
from matching.services.runs.steps import (
    PROGRESS_FIELDS,
    chunk_rows_write,
    match_chunk_score,
    match_run_fail,
    match_run_prepare,
    match_run_publish,
)

logger = logging.getLogger(__name__)


def _parallel_writes_possible() -> bool:
    """Other connections see the run's table: PostgreSQL, and not inside a transaction."""
    return storage.uses_partitions() and not connection.in_atomic_block


def _writer(jobs: queue.Queue, done: queue.Queue) -> None:
    """Write the chunks put on `jobs` on this thread's own connection until a None arrives."""
    try:
        while (job := jobs.get()) is not None:
            run, chunk, rows, timings = job
            try:
                chunk_rows_write(run=run, chunk=chunk, rows=rows, timings=timings)
                done.put(None)
            except Exception as exc:  # reported by the scoring thread, which fails the run
                done.put(exc)
    finally:
        connection.close()  # each thread has its own connection


class _BuyersRead:
    """Every buyer of a run's expo, read on a thread of its own (its own connection) while the
    run is prepared; `result()` waits for them."""

    def __init__(self, expo: Expo) -> None:
        self.expo = expo
        self.layout: scoring.Layout | None = None
        self.buyers: scoring.Buyers | None = None
        self.error: Exception | None = None
        self.seconds = 0.0
        self.thread: threading.Thread | None = None

    def start(self, layout: scoring.Layout) -> None:
        self.layout = layout
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        started = time.perf_counter()
        try:
            self.buyers = loading.buyers_encode(expo=self.expo, layout=self.layout)
        except Exception as exc:  # raised again by `result()`, in the run's thread
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started
            connection.close()

    def result(self, layout: scoring.Layout) -> scoring.Buyers | None:
        """The buyers, if they were read with `layout`; None if they were not read at all."""
        if self.thread is None:
            return None
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.buyers if self.layout == layout else None


def _chunks_score_inline(
    *,
    run: MatchRun,
    on_progress: Callable[[MatchRun], None] | None,
    writers: int,
    read: _BuyersRead | None = None,
) -> dict[str, float]:
    """Score every chunk not done yet in this process, the way a worker would but without repeating
    work: the buyers and their pair rules are read once for the whole run (two COPYs and two
    queries), the kernel and the reasons use every core, and `writers` connections write the rows
    of finished chunks while the next one is scored. Returns the run-level timings it adds.

    Each chunk's rows are computed from the same rows a chunk task reads (its id range, read at
    the same point of the run), so the results are those of the workers.
    """
    chunks = list(MatchChunk.objects.filter(run=run).order_by("number"))
    first_buyer_id = chunks[0].buyer_id_from if chunks else 0
    chunks = [chunk for chunk in chunks if not chunk.done]
    if not chunks:
        return {}
    started = time.perf_counter()
    layout = scoring.Layout.from_json(run.layout)
    exhibitors = scoring.Exhibitors.from_npz_bytes(run.exhibitor_snapshot)
    weights = run_weights(run)
    buyers = read.result(layout) if read is not None else None
    if buyers is None:
        buyers = loading.buyers_encode(
            expo=run.expo, layout=layout, id_from=chunks[0].buyer_id_from, id_to=chunks[-1].buyer_id_to
        )
    rules = loading.pair_rules(expo=run.expo, buyers=buyers, exhibitors=exhibitors, weights=weights)
    added = {"load_buyers": round(time.perf_counter() - started, 4)}
    if read is not None:
        added["read_buyers_meanwhile"] = round(read.seconds, 4)

    def report() -> None:
        if on_progress:
            run.refresh_from_db(fields=PROGRESS_FIELDS)
            on_progress(run)

    jobs: queue.Queue = queue.Queue(maxsize=writers)
    done: queue.Queue = queue.Queue()
    threads = [threading.Thread(target=_writer, args=(jobs, done), daemon=True) for _ in range(writers)]
    for thread in threads:
        thread.start()
    waiting, errors = 0, []

    def collect(block: bool) -> None:
        nonlocal waiting
        while waiting:
            try:
                outcome = done.get(block=block)
            except queue.Empty:
                return
            waiting -= 1
            if outcome is not None:
                errors.append(outcome)
            else:
                report()

    try:
        for chunk in chunks:
            lo, hi = np.searchsorted(buyers.ids, [chunk.buyer_id_from, chunk.buyer_id_to + 1])
            timings: dict[str, float] = {}
            rows = block_score(
                expo=run.expo,
                layout=layout,
                weights=weights,
                buyers=buyers.take(slice(lo, hi)),
                exhibitors=exhibitors,
                k=run.top_k,
                timings=timings,
                id_base=(run.pk, first_buyer_id),
                rules=rules.take_buyers(lo, hi),
            )
            collect(block=False)
            if errors:
                break
            jobs.put((run, chunk, rows, timings))  # waits while every writer is busy
            waiting += 1
    finally:
        for _ in threads:
            jobs.put(None)
        collect(block=True)
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return added


def match_run_execute(
    *,
    run: MatchRun,
    chunk_size: int | None = None,
    on_progress: Callable[[MatchRun], None] | None = None,
    threads: int = 1,
) -> MatchRun:
    """Run every step of a started run in this process, reporting progress after each chunk.

    The buyers are read once, the kernel and the reasons use every core, and `threads` > 1
    connections write finished chunks while the next is scored, then build the run's indexes side
    by side before publishing; both need committed data and PostgreSQL, so inside a transaction or
    elsewhere one connection does it all (same results).
    """
    try:
        writers = max(1, threads) if _parallel_writes_possible() else 0
        # The buyers are read on another connection while the run is prepared: the same rows the
        # chunks would read (they are taken by each chunk's id range), read after the same cut-off.
        read = _BuyersRead(run.expo) if writers else None
        match_run_prepare(
            run=run, chunk_size=chunk_size, dispatch=False, on_layout=read.start if read else None
        )
        run.refresh_from_db()
        if on_progress:
            on_progress(run)
        if writers:
            added = _chunks_score_inline(run=run, on_progress=on_progress, writers=writers, read=read)
            started = time.perf_counter()
            storage.run_storage_index(run_id=run.pk, connections=writers)
            added["index"] = round(time.perf_counter() - started, 4)
            MatchRun.objects.filter(pk=run.pk).update(timings={**run.timings, **added})
        else:
            _chunks_score_serially(run=run, on_progress=on_progress)
        started = time.perf_counter()
        run = match_run_publish(run=run)
        if run.status == RunStatus.COMPLETED:  # the after-commit step (indexes, statistics, catch-up)
            finish = time.perf_counter() - started - run.timings.get("publish", 0.0)
            run.timings = {**run.timings, "finish": round(finish, 4)}
            MatchRun.objects.filter(pk=run.pk).update(timings=run.timings)
    except Exception as exc:
        match_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    if on_progress:
        on_progress(run)
    return run


def _chunks_score_serially(*, run: MatchRun, on_progress: Callable[[MatchRun], None] | None) -> None:
    """Every chunk in turn on this connection, as a worker would (inside a transaction, SQLite)."""
    for chunk in MatchChunk.objects.filter(run=run, done=False).order_by("number"):
        match_chunk_score(chunk=chunk)
        if on_progress:
            run.refresh_from_db(fields=PROGRESS_FIELDS)
            on_progress(run)
