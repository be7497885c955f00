"""Explanation: the reasons of a pair (flags and matched terms) and the scores of single pairs.

Reasons come from the same bitsets and numbers the score used; `matching.reasons` (Django side)
turns the flags and term bits into sentences. `pair_scores` scores a small block pair by pair
(every pair, no top-K), for incremental updates that compare one exhibitor with every buyer.
"""

from __future__ import annotations

import numpy as np

from matching.scoring.encoding import CERT_KIND_INDEX, Adjustments, Buyers, Exhibitors, Layout, Weights
from matching.scoring.numpy_engine import apply_adjustments, score_matrix

# Reason codes: bit flags stored with each match (the matched terms are stored as bits beside them).
REASON_CERTIFIED = 1 << 0  # holds every certification the buyer requires
REASON_MOQ_OK = 1 << 1  # minimum order at or below the buyer's order quantity
REASON_CAPACITY_OK = 1 << 2  # capacity covers the order within the buyer's lead time
REASON_CAPACITY_SHORT = 1 << 3  # capacity stated but covers only part of the order in time
REASON_PRICE_IN_RANGE = 1 << 4  # the whole price range lies inside the buyer's target range
REASON_PRICE_PARTIAL = 1 << 5  # price ranges overlap in part
REASON_LEAD_TIME_OK = 1 << 6  # delivers within the buyer's lead time
REASON_LEAD_TIME_LONG = 1 << 7  # needs longer than the buyer's lead time
REASON_EXISTING_CUSTOMER = 1 << 8  # already trades with the buyer (demoted by the exhibitor's policy)


def pair_scores(
    buyers: Buyers,
    exhibitors: Exhibitors,
    layout: Layout,
    weights: Weights,
    *,
    adjustments: Adjustments | None = None,
) -> np.ndarray:
    """Scores of every pair (numpy engine), EXCLUDED where removed; for small blocks only."""
    scores = score_matrix(buyers, exhibitors, layout, weights)
    apply_adjustments(scores, adjustments or Adjustments.empty(len(buyers)))
    return scores


def explain(
    buyers: Buyers,
    exhibitors: Exhibitors,
    layout: Layout,
    *,
    buyer_idx: np.ndarray,
    exhibitor_idx: np.ndarray,
    demoted: np.ndarray | None = None,
    engine: str = "numpy",
) -> tuple[np.ndarray, np.ndarray]:
    """Reasons of the given pairs, from the same bitsets and numbers the score used.

    Returns (codes int32 (n,), terms uint64 (n, n_words)): `codes` are REASON_* flags, `terms`
    the bits of the buyer's wanted terms the exhibitor offers (and the required certifications it
    holds). `demoted` (bool per pair) marks existing customers shown lower. `engine="numba"` gives
    the same arrays from the compiled kernel, on every core, without copying rows per pair.
    """
    if engine == "numba":
        from matching.scoring.numba_engine import explain_numba

        codes, terms = explain_numba(buyers, exhibitors, layout, buyer_idx, exhibitor_idx, _FLAGS)
    else:
        codes, terms = _explain_numpy(buyers, exhibitors, layout, buyer_idx, exhibitor_idx)
    if demoted is not None:
        codes |= np.where(demoted, REASON_EXISTING_CUSTOMER, 0).astype(np.int32)
    return codes, terms


# The flags the compiled explanation sets, in the order `kernel._explain_one` documents.
_FLAGS = np.array(
    [
        REASON_CERTIFIED,
        REASON_MOQ_OK,
        REASON_CAPACITY_OK,
        REASON_CAPACITY_SHORT,
        REASON_PRICE_IN_RANGE,
        REASON_PRICE_PARTIAL,
        REASON_LEAD_TIME_OK,
        REASON_LEAD_TIME_LONG,
    ],
    dtype=np.int64,
)


def _explain_numpy(
    buyers: Buyers, exhibitors: Exhibitors, layout: Layout, buyer_idx: np.ndarray, exhibitor_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    b = buyers.take(buyer_idx)
    e = exhibitors.take(exhibitor_idx)
    terms = b.bits & e.bits
    codes = np.zeros(len(buyer_idx), dtype=np.int32)
    cert_words = slice(layout.word_start[CERT_KIND_INDEX], layout.word_start[CERT_KIND_INDEX + 1])
    requires_cert = (b.bits[:, cert_words] != 0).any(axis=1)
    codes |= np.where(requires_cert, REASON_CERTIFIED, 0).astype(np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        known_qty = (b.quantity == b.quantity) & (e.moq == e.moq)
        codes |= np.where(known_qty & (e.moq <= b.quantity), REASON_MOQ_OK, 0).astype(np.int32)
        months = np.where(b.lead_time == b.lead_time, np.maximum(1.0, b.lead_time / 30.0), 1.0)
        known_cap = (b.quantity == b.quantity) & (e.capacity == e.capacity)
        covers = e.capacity * months >= b.quantity
        codes |= np.where(known_cap & covers, REASON_CAPACITY_OK, 0).astype(np.int32)
        codes |= np.where(known_cap & ~covers, REASON_CAPACITY_SHORT, 0).astype(np.int32)
        has_price = ((b.price_min == b.price_min) | (b.price_max == b.price_max)) & (
            e.price_min == e.price_min
        )
        lo_b = np.where(b.price_min == b.price_min, b.price_min, 0.0)
        hi_b = np.where(b.price_max == b.price_max, b.price_max, np.inf)
        hi_e = np.where(e.price_max == e.price_max, e.price_max, e.price_min)
        inside = (e.price_min >= lo_b) & (hi_e <= hi_b)
        overlaps = (e.price_min <= hi_b) & (hi_e >= lo_b)
        codes |= np.where(has_price & inside, REASON_PRICE_IN_RANGE, 0).astype(np.int32)
        codes |= np.where(has_price & ~inside & overlaps, REASON_PRICE_PARTIAL, 0).astype(np.int32)
        known_lead = (b.lead_time == b.lead_time) & (e.lead_time == e.lead_time)
        on_time = e.lead_time <= b.lead_time
        codes |= np.where(known_lead & on_time, REASON_LEAD_TIME_OK, 0).astype(np.int32)
        codes |= np.where(known_lead & ~on_time, REASON_LEAD_TIME_LONG, 0).astype(np.int32)
    return codes, terms
