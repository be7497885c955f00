"""Incremental rescoring of the served run: a saved buyer, a saved exhibitor, an import.

The served run is updated in place (delete + insert of the affected buyers' rows in one
transaction), scored with the run's own layout and weights so that the list stays consistent.
"""

from __future__ import annotations

import logging

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from expo.models import Buyer, Exhibitor, Expo
from matching import scoring
from matching.models import MatchRun, RunStatus
from matching.selectors import match_run_served
from matching.services import loading, storage
from matching.services.runs import block_score, match_run_start, run_weights

logger = logging.getLogger(__name__)

# An import of more profiles than this starts a full run instead of incremental rescoring.
IMPORT_INCREMENTAL_BUYERS = 2000
IMPORT_INCREMENTAL_EXHIBITORS = 20


def _rescore_in_run(
    *,
    run: MatchRun,
    buyer_ids: list[int],
    exhibitors: scoring.Exhibitors,
    buyers: scoring.Buyers | None = None,
) -> int:
    """Rescore `buyer_ids` (taken from `buyers` when given, else loaded) and replace their rows."""
    layout = scoring.Layout.from_json(run.layout)
    if buyers is None:
        buyers = loading.buyers_encode(expo=run.expo, layout=layout, ids=buyer_ids)
    else:
        buyers = buyers.take(np.flatnonzero(np.isin(buyers.ids, np.asarray(buyer_ids, dtype=np.int64))))
    rows = block_score(
        expo=run.expo,
        layout=layout,
        weights=run_weights(run),
        buyers=buyers,
        exhibitors=exhibitors,
        k=run.top_k,
    )
    with transaction.atomic():
        locked = MatchRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or locked.status != RunStatus.COMPLETED:
            return -1  # a newer run was published meanwhile: the caller retries against it
        storage.served_rows_replace(run=run, buyer_ids=buyer_ids, rows=rows)
    return len(rows)


def match_rescore_buyers(*, expo: Expo, buyer_ids: list[int]) -> int:
    """Rescore some buyers of the served run against all exhibitors; returns the rows written."""
    for _attempt in range(3):
        run = match_run_served(expo=expo)
        if run is None or not buyer_ids:
            return 0
        layout = scoring.Layout.from_json(run.layout)
        exhibitors = loading.exhibitors_encode_cached(expo=expo, layout=layout)
        written = _rescore_in_run(run=run, buyer_ids=sorted(set(buyer_ids)), exhibitors=exhibitors)
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
        written = _rescore_in_run(run=run, buyer_ids=affected, exhibitors=exhibitors, buyers=buyers)
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
    except ValidationError:
        return "skipped"
    return "full"


def exhibitor_expo(*, exhibitor_id: int) -> Expo | None:
    exhibitor = Exhibitor.objects.select_related("expo").filter(pk=exhibitor_id).first()
    return exhibitor.expo if exhibitor else None
