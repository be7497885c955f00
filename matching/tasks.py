"""Celery tasks of the matching app: thin (load ids, call one service), retries live here.

A full run is a chord: one `match_chunk_task` per chunk of buyers in the header, and
`match_run_publish_task` as the body, so any number of workers share the chunks and the run is
published once all are done. A chunk that fails for good fails the run (the previous results stay
served); a worker killed mid-chunk loses nothing: the task is acknowledged late and requeued
(CELERY_TASK_REJECT_ON_WORKER_LOST), and the chunk is idempotent. A run whose worker died for good
is failed by the periodic `match_runs_fail_stale_task`.
"""

import logging

from celery import chord, shared_task
from celery.signals import worker_process_init
from django.db import OperationalError

from expo.models import Expo
from matching.models import MatchChunk, MatchRun
from matching.services import incremental, runs

logger = logging.getLogger(__name__)


@worker_process_init.connect(dispatch_uid="matching.warm_kernel")
def warm_scoring_kernel(**kwargs) -> None:
    """Each worker process loads the compiled kernel when it starts (worker lifecycle, not domain
    flow), so the first chunk it scores does not pay about a second for it, and what a rescoring
    reads on first use: the current expo's encoded exhibitors, the term table (matching/warmup.py)."""
    from matching.warmup import process_warm

    process_warm(kernel=True)


@shared_task(acks_late=True)
def match_run_prepare_task(*, run_id: int, chunk_size: int | None = None) -> None:
    run = MatchRun.objects.select_related("expo").filter(pk=run_id).first()
    if run is None:
        logger.info("Match run %s is gone", run_id)
        return
    try:
        runs.match_run_prepare(run=run, chunk_size=chunk_size)
    except Exception as exc:
        runs.match_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise


def match_run_dispatch(*, run_id: int, chunk_ids: list[int]) -> None:
    """Queue the chunk tasks of a prepared run with the publishing step as the chord's body."""
    publish = match_run_publish_task.si(run_id=run_id)
    if not chunk_ids:
        publish.delay()
        return
    header = [match_chunk_task.si(chunk_id=chunk_id) for chunk_id in chunk_ids]
    chord(header)(publish.on_error(match_run_failed_task.si(run_id=run_id)))


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=5)
def match_chunk_task(self, *, chunk_id: int) -> int:
    chunk = MatchChunk.objects.filter(pk=chunk_id).first()
    if chunk is None:
        logger.info("Match chunk %s is gone", chunk_id)
        return 0
    try:
        return runs.match_chunk_score(chunk=chunk)
    except OperationalError as exc:  # a lost connection or a lock timeout: worth another try
        runs.match_chunk_attempt_failed(chunk=chunk)
        raise self.retry(exc=exc) from exc
    except Exception as exc:
        run = MatchRun.objects.filter(pk=chunk.run_id).first()
        if run is not None:
            runs.match_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(acks_late=True)
def match_run_publish_task(*, run_id: int) -> None:
    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.info("Match run %s is gone", run_id)
        return
    try:
        runs.match_run_publish(run=run)
    except Exception as exc:
        runs.match_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task
def match_runs_fail_stale_task() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE, every minute): fail the runs whose worker died, so a new
    run may start without anyone having to look at the dead one first."""
    return runs.match_runs_fail_stale()


@shared_task
def match_run_failed_task(*args, run_id: int) -> None:
    """Error callback of the chord: a chunk failed for good, so the run fails."""
    run = MatchRun.objects.filter(pk=run_id).first()
    if run is not None:
        runs.match_run_fail(run=run, error="A chunk task failed.")


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=2)
def match_rescore_buyers_task(self, *, expo_id: int, buyer_ids: list[int]) -> int:
    expo = Expo.objects.filter(pk=expo_id).first()
    if expo is None:
        logger.info("Expo %s is gone", expo_id)
        return 0
    try:
        return incremental.match_rescore_buyers(expo=expo, buyer_ids=buyer_ids)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=2)
def match_rescore_exhibitor_task(self, *, exhibitor_id: int, expo_id: int | None = None) -> int:
    expo = (
        Expo.objects.filter(pk=expo_id).first()
        if expo_id
        else incremental.exhibitor_expo(exhibitor_id=exhibitor_id)
    )
    if expo is None:
        logger.info("Exhibitor %s (or its expo) is gone", exhibitor_id)
        return 0
    try:
        return incremental.match_rescore_exhibitor(exhibitor_id=exhibitor_id, expo=expo)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def match_after_import_task(*, expo_id: int, kind: str, ids: list[int]) -> str:
    expo = Expo.objects.filter(pk=expo_id).first()
    if expo is None:
        logger.info("Expo %s is gone", expo_id)
        return "none"
    return incremental.match_after_import(expo=expo, kind=kind, ids=ids)
