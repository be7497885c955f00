"""Incremental rescoring of the served run: a saved buyer, a saved exhibitor, an import, and the
catch-up after a full run is published (profiles changed while it computed).

The served run is updated in place (delete + insert of the affected buyers' rows in one
transaction), scored with the run's own layout and weights so that the list stays consistent.
"""

from __future__ import annotations

import logging

import numpy as np
from django.db import connection, transaction

from config.api import Conflict
from expo.models import Buyer, Exhibitor, Expo
from matching import scoring
from matching.cache import matches_buyers_changed
from matching.models import CustomerLink, CustomerPolicy, Match, MatchFeedback, MatchRun, RunStatus
from matching.selectors import match_run_served
from matching.services import loading, storage
from matching.services.blocks import block_score, run_weights
from matching.services.runs import CATCH_UP_MARGIN, match_run_start

logger = logging.getLogger(__name__)

# An import of more profiles than this starts a full run instead of incremental rescoring.
IMPORT_INCREMENTAL_BUYERS = 2000
IMPORT_INCREMENTAL_EXHIBITORS = 20


def _buyers_lock(*, expo: Expo, buyer_ids: list[int]) -> list[int]:
    """Lock the buyers' rows until the transaction ends; returns the ids still at the expo.

    Ascending order, so two rescorings of overlapping buyers never deadlock. A profile save, a
    feedback and another rescoring of these buyers wait for the lock, so what is read after it is
    the newest committed data and no older computation can write after a newer one.
    """
    ordered, locked = sorted(buyer_ids), []
    for at in range(0, len(ordered), loading.IDS_PER_QUERY):  # batches in ascending order too
        batch = ordered[at : at + loading.IDS_PER_QUERY]
        locked += (
            Buyer.objects.select_for_update()
            .filter(expo=expo, pk__in=batch)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return locked


def _rescore_in_run(*, run: MatchRun, buyer_ids: list[int]) -> int:
    """Rescore `buyer_ids` in the served `run` and replace their rows; -1 if `run` is no longer served.

    Everything the rows depend on (profiles, exhibitors, feedback, existing customers) is read
    under the buyers' row locks, held until the rows are written.
    """
    layout = scoring.Layout.from_json(run.layout)
    with transaction.atomic():
        locked_ids = _buyers_lock(expo=run.expo, buyer_ids=buyer_ids)
        exhibitors = loading.exhibitors_encode_cached(expo=run.expo, layout=layout)
        buyers = loading.buyers_encode(expo=run.expo, layout=layout, ids=locked_ids)
        rows = block_score(
            expo=run.expo,
            layout=layout,
            weights=run_weights(run),
            buyers=buyers,
            exhibitors=exhibitors,
            k=run.top_k,
        )
        locked = MatchRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or locked.status != RunStatus.COMPLETED:
            return -1  # a newer run was published meanwhile: the caller retries against it
        storage.served_rows_replace(run=run, buyer_ids=buyer_ids, rows=rows)
        matches_buyers_changed(buyer_ids=buyer_ids)  # at once and on commit
    return len(rows)


def match_rescore_buyers(*, expo: Expo, buyer_ids: list[int]) -> int:
    """Rescore some buyers of the served run against all exhibitors; returns the rows written."""
    for _attempt in range(3):
        run = match_run_served(expo=expo)
        if run is None or not buyer_ids:
            return 0
        written = _rescore_in_run(run=run, buyer_ids=sorted(set(buyer_ids)))
        if written >= 0:
            return written
    return 0


def _affected_buyers(
    *, run: MatchRun, exhibitor_id: int, buyers: scoring.Buyers, new_scores: np.ndarray
) -> list[int]:
    """Buyers whose list holds the exhibitor now, or that its new score would enter."""
    k = run.top_k
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT buyer_id, rank, score, exhibitor_id FROM matching_match "
            "WHERE run_id = %s AND (rank = %s OR exhibitor_id = %s)",
            [run.pk, k, exhibitor_id],
        )
        rows = cursor.fetchall()
    holding = {buyer for buyer, _rank, _score, exhibitor in rows if exhibitor == exhibitor_id}
    last = {buyer: (score, exhibitor) for buyer, rank, score, exhibitor in rows if rank == k}
    kth_score = np.array([last.get(int(b), (-1.0, 0))[0] for b in buyers.ids], dtype=np.float64)
    kth_exhibitor = np.array([last.get(int(b), (-1.0, 0))[1] for b in buyers.ids], dtype=np.int64)
    full = np.array([int(b) in last for b in buyers.ids], dtype=bool)
    enters = (new_scores >= 0.0) & (
        ~full | (new_scores > kth_score) | ((new_scores == kth_score) & (exhibitor_id < kth_exhibitor))
    )
    return sorted(holding | {int(b) for b in buyers.ids[enters]})


def _short_lists(*, run: MatchRun, buyers: scoring.Buyers, exhibitor_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT buyer_id FROM matching_match WHERE run_id = %s GROUP BY buyer_id "
            "HAVING COUNT(*) >= %s AND SUM(CASE WHEN exhibitor_id = %s THEN 1 ELSE 0 END) = 0",
            [run.pk, run.top_k, exhibitor_id],
        )
        full = {row[0] for row in cursor.fetchall()}
    return [int(b) for b in buyers.ids if int(b) not in full]


def match_rescore_exhibitor(*, exhibitor_id: int, expo: Expo) -> int:
    """Reflect one exhibitor's change in every list it enters or leaves; returns the buyers rescored.

    Its new score against every buyer is compared with each buyer's K-th score; the buyers whose
    list holds it or would take it are rescored in full (the next-best exhibitor fills a freed rank).
    """
    for _attempt in range(3):
        run = match_run_served(expo=expo)
        if run is None:
            return 0
        layout = scoring.Layout.from_json(run.layout)
        weights = run_weights(run)
        exhibitors = loading.exhibitors_encode_cached(expo=expo, layout=layout)
        buyers = loading.buyers_encode_cached(expo=expo, layout=layout)
        position = int(np.searchsorted(exhibitors.ids, exhibitor_id))
        if position < len(exhibitors) and exhibitors.ids[position] == exhibitor_id:
            one = exhibitors.take(np.array([position]))
            rules = loading.pair_rules(
                expo=expo, buyers=buyers, exhibitors=one, weights=weights, exhibitor_ids=[exhibitor_id]
            )
            new_scores = scoring.pair_scores(buyers, one, layout, weights, adjustments=rules.adjustments)[
                :, 0
            ]
            affected = _affected_buyers(
                run=run, exhibitor_id=exhibitor_id, buyers=buyers, new_scores=new_scores
            )
        else:
            # Deleted (its rows went with it) or moved to another expo: the lists it left are
            # now short, so every buyer without a full list is rescored.
            affected = _short_lists(run=run, buyers=buyers, exhibitor_id=exhibitor_id)
        if not affected:
            return 0
        written = _rescore_in_run(run=run, buyer_ids=affected)
        if written >= 0:
            return len(affected)
    return 0


def match_after_import(*, expo: Expo, kind: str, ids: list[int]) -> str:
    """After a spreadsheet import: rescore a few profiles, or start a full run for many.

    Returns what it did: "full", "incremental", "skipped" (a run in progress will pick the
    changes up when it publishes) or "none".
    """
    served = match_run_served(expo=expo)
    few = len(ids) <= (IMPORT_INCREMENTAL_BUYERS if kind == "buyers" else IMPORT_INCREMENTAL_EXHIBITORS)
    if served is not None and few:
        if kind == "buyers":
            match_rescore_buyers(
                expo=expo,
                buyer_ids=list(Buyer.objects.filter(pk__in=ids, expo=expo).values_list("pk", flat=True)),
            )
        else:
            for exhibitor_id in ids:
                match_rescore_exhibitor(exhibitor_id=exhibitor_id, expo=expo)
        return "incremental"
    if not ids:
        return "none"
    try:
        match_run_start(expo=expo)
    except Conflict:  # a run already going includes the change
        return "skipped"
    return "full"


def exhibitor_expo(*, exhibitor_id: int) -> Expo | None:
    exhibitor = Exhibitor.objects.select_related("expo").filter(pk=exhibitor_id).first()
    return exhibitor.expo if exhibitor else None


# --- the catch-up after a full run is published -------------------------------------------------


def match_run_after_publish(*, run: MatchRun, replaced: list[int], snapshot: bytes | None = None) -> None:
    """After a run's publishing commit: index its rows by exhibitor and gather their statistics,
    drop the runs it replaced, and rescore what changed while it computed."""
    storage.run_storage_finish(run_id=run.pk)
    for run_id in replaced:
        with transaction.atomic():
            storage.run_storage_drop(run_id=run_id)
    _queue_changes_since(run=run, snapshot=snapshot)


def _exhibitors_unlike_snapshot(*, run: MatchRun, ids: set[int], snapshot: bytes | None) -> set[int]:
    """Those of `ids` that differ from the run's exhibitor snapshot (or are new, or gone), so an
    import that itself started the run is not rescored again one exhibitor at a time."""
    if not ids or snapshot is None:
        return ids
    before = scoring.Exhibitors.from_npz_bytes(snapshot)
    if not len(before):
        return ids
    layout = scoring.Layout.from_json(run.layout)
    now = loading.exhibitors_encode(expo=run.expo, layout=layout, ids=sorted(ids))
    changed = ids - {int(pk) for pk in now.ids}  # deleted meanwhile
    at = np.searchsorted(before.ids, now.ids)
    known = (at < len(before)) & (before.ids[np.minimum(at, len(before) - 1)] == now.ids)
    changed |= {int(pk) for pk in now.ids[~known]}
    old, new = before.take(at[known]), now.take(np.flatnonzero(known))
    same = (old.bits == new.bits).all(axis=1)
    for name in ("moq", "capacity", "price_min", "price_max", "lead_time"):
        a, b = getattr(old, name), getattr(new, name)
        same &= (a == b) | (np.isnan(a) & np.isnan(b))
    changed |= {int(pk) for pk in new.ids[~same]}
    return changed


def _buyers_holding_deleted_exhibitors(*, run: MatchRun, snapshot: bytes | None) -> set[int]:
    """Buyers whose new lists hold an exhibitor deleted while the run computed: on PostgreSQL its
    rows sat in the run's table, not yet attached, out of reach of the deletion's cascade."""
    if snapshot is None:
        return set()
    before = {int(pk) for pk in scoring.Exhibitors.from_npz_bytes(snapshot).ids}
    gone = before - set(Exhibitor.objects.filter(expo=run.expo).values_list("pk", flat=True))
    if not gone:
        return set()
    return set(
        Match.objects.filter(run=run, exhibitor_id__in=sorted(gone)).values_list("buyer_id", flat=True)
    )


def _queue_changes_since(*, run: MatchRun, snapshot: bytes | None = None) -> None:
    """Profiles changed while the run was computing may be missing from it: rescore them now.

    "While" starts CATCH_UP_MARGIN before the snapshot was read (`started_at`), for saves that
    committed after it; exhibitors are compared with the snapshot, buyers rescored in one task.
    """
    from matching import tasks

    if run.started_at is None:
        return
    since = run.started_at - CATCH_UP_MARGIN
    buyer_ids = set(Buyer.objects.filter(expo=run.expo, updated_at__gte=since).values_list("pk", flat=True))
    buyer_ids |= _buyers_holding_deleted_exhibitors(run=run, snapshot=snapshot)
    buyer_ids |= set(
        MatchFeedback.objects.filter(buyer__expo=run.expo, updated_at__gte=since).values_list(
            "buyer_id", flat=True
        )
    )
    buyer_ids |= set(
        CustomerLink.objects.filter(buyer__expo=run.expo, created_at__gte=since).values_list(
            "buyer_id", flat=True
        )
    )
    exhibitor_ids = set(
        Exhibitor.objects.filter(expo=run.expo, updated_at__gte=since).values_list("pk", flat=True)
    )
    exhibitor_ids = _exhibitors_unlike_snapshot(run=run, ids=exhibitor_ids, snapshot=snapshot)
    exhibitor_ids |= set(
        CustomerPolicy.objects.filter(exhibitor__expo=run.expo, updated_at__gte=since).values_list(
            "exhibitor_id", flat=True
        )
    )
    if buyer_ids:
        tasks.match_rescore_buyers_task.delay(expo_id=run.expo_id, buyer_ids=sorted(buyer_ids))
    for exhibitor_id in sorted(exhibitor_ids):
        tasks.match_rescore_exhibitor_task.delay(exhibitor_id=exhibitor_id)
