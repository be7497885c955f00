"""Scoring a block of buyers into match rows: shared by full runs (a chunk) and incremental updates.

The block's pair rules (existing customers, feedback) are read from the database, the scoring
package computes the top-K and the reasons, and the result comes back as `storage.MatchRows`.
"""

from __future__ import annotations

import time

import numpy as np

from expo.models import Expo
from matching import scoring
from matching.models import MatchRun
from matching.services import loading, storage

# Below this many pairs the numpy engine answers faster than loading the compiled kernel.
NUMBA_MIN_PAIRS = 2_000_000


def engine_for(n_pairs: int) -> str:
    # Small blocks never ask for numba: asking imports it (about half a second in a fresh process).
    return "numpy" if n_pairs < NUMBA_MIN_PAIRS else scoring.default_engine()


def block_score(
    *,
    expo: Expo,
    layout: scoring.Layout,
    weights: scoring.Weights,
    buyers: scoring.Buyers,
    exhibitors: scoring.Exhibitors,
    k: int,
    timings: dict[str, float] | None = None,
    id_base: tuple[int, int] | None = None,
    rules: loading.PairRules | None = None,
) -> storage.MatchRows:
    """Score a block of buyers against the exhibitors: top-k rows with their reasons.

    `id_base` (run id, the run's first buyer id) numbers the rows of a full run by each buyer's
    id offset from it (`storage.run_row_ids`); without it, or where the offsets do not fit, the
    database numbers them. `rules` (over these very
    buyers) spares reading them again when the caller read them for many blocks at once.
    """
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    if rules is None:
        rules = loading.pair_rules(expo=expo, buyers=buyers, exhibitors=exhibitors, weights=weights)
    timings["rules"] = timings.get("rules", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    engine = engine_for(len(buyers) * len(exhibitors))
    top = scoring.top_k(
        buyers, exhibitors, layout, weights, k=k, adjustments=rules.adjustments, engine=engine
    )
    timings["score"] = timings.get("score", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    b_idx, e_idx, rank, score = top.pairs()
    buyer_ids, exhibitor_ids = buyers.ids[b_idx], exhibitors.ids[e_idx]
    demoted = None
    if rules.demoted:
        keys = buyer_ids.astype(np.int64) * (1 << 32) + exhibitor_ids
        demoted = np.isin(keys, rules.demoted_keys)
    codes, terms = scoring.explain(
        buyers,
        exhibitors,
        layout,
        buyer_idx=b_idx,
        exhibitor_idx=e_idx,
        demoted=demoted,
        engine="numba" if top.engine == "numba" else "numpy",
    )
    timings["explain"] = timings.get("explain", 0.0) + time.perf_counter() - started
    ids = None
    if id_base is not None:
        ids = storage.run_row_ids(run_id=id_base[0], buyer_offset=buyer_ids - id_base[1], rank=rank)
    return storage.MatchRows(
        id=ids,
        buyer_id=buyer_ids,
        exhibitor_id=exhibitor_ids,
        rank=rank,
        score=score,
        reason_codes=codes,
        reason_terms=terms,
    )


def run_weights(run: MatchRun) -> scoring.Weights:
    return scoring.Weights(**run.weights)
