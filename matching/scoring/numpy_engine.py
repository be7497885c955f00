"""The numpy engine: the formula as whole-array operations over a block of buyers, then a
deterministic top-K (`argpartition` for the K-th value, then an exact sort of the survivors).

The per-buyer and per-exhibitor constants of the formula (`buyer_terms`, `exhibitor_terms`,
`inverse_denominator`) are computed here for both engines, so the compiled kernel starts from the
very same numbers; its operations then follow `score_matrix` in the same order, so both engines
give bit-identical scores.
"""

from __future__ import annotations

import numpy as np

from matching.scoring.encoding import (
    CERT_KIND_INDEX,
    EXCLUDED,
    FACET_KINDS,
    Adjustments,
    Buyers,
    Exhibitors,
    Layout,
    TopK,
    Weights,
)


def _popcount(words: np.ndarray) -> np.ndarray:
    return np.bitwise_count(words).astype(np.int64)


def buyer_terms(buyers: Buyers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-buyer constants of the formula: (months per metre ordered, price floor, price ceiling)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lead = buyers.lead_time
        months = np.where(lead == lead, np.maximum(1.0, lead / 30.0), 1.0)
        months_per_metre = months / buyers.quantity
    low = np.where(buyers.price_min == buyers.price_min, buyers.price_min, 0.0)
    high = np.where(buyers.price_max == buyers.price_max, buyers.price_max, np.inf)
    return months_per_metre, low, high


def exhibitor_terms(exhibitors: Exhibitors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-exhibitor constants: (highest price, 1 / price range width or 0, 1 / lead time or 0)."""
    pmin, pmax, lead = exhibitors.price_min, exhibitors.price_max, exhibitors.lead_time
    high = np.where(pmax == pmax, pmax, pmin)
    width = high - pmin
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_width = np.where(width > 0.0, 1.0 / width, 0.0)
        inv_lead = np.where(lead > 0.0, 1.0 / lead, 0.0)
    return high, inv_width, inv_lead


def inverse_denominator(buyers: Buyers, layout: Layout, w: np.ndarray) -> np.ndarray:
    """1 / the sum of the weights of the components each buyer stated (0 if none), shape (n_buyers,)."""
    den = np.zeros(len(buyers), dtype=np.float64)
    for k in range(len(FACET_KINDS)):
        wanted = _popcount(buyers.bits[:, layout.word_start[k] : layout.word_start[k + 1]]).sum(axis=1)
        den = den + np.where(wanted > 0, w[k], 0.0)
    den = den + np.where(buyers.quantity == buyers.quantity, w[4], 0.0)
    has_price = (buyers.price_min == buyers.price_min) | (buyers.price_max == buyers.price_max)
    den = den + np.where(has_price, w[5], 0.0)
    den = den + np.where(buyers.lead_time == buyers.lead_time, w[6], 0.0)
    with np.errstate(divide="ignore"):
        return np.where(den > 0.0, 1.0 / den, 0.0)


def score_matrix(buyers: Buyers, exhibitors: Exhibitors, layout: Layout, weights: Weights) -> np.ndarray:
    """Scores of every pair of a block, shape (n_buyers, n_exhibitors); EXCLUDED where a hard rule fails.

    Memory is a few arrays of the output's size: call it on blocks of buyers (see `top_k`). The
    operations and their order are those of the numba kernel, so both give bit-identical scores.
    """
    w = weights.as_array()
    nb, ne = len(buyers), len(exhibitors)
    starts = layout.word_start
    num = np.zeros((nb, ne), dtype=np.float64)
    matched_total = np.zeros((nb, ne), dtype=np.int64)
    for k in range(len(FACET_KINDS)):
        b = buyers.bits[:, starts[k] : starts[k + 1]]
        wanted = _popcount(b).sum(axis=1)[:, None]
        matched = np.zeros((nb, ne), dtype=np.int64)
        for word in range(starts[k], starts[k + 1]):
            matched += _popcount(buyers.bits[:, word][:, None] & exhibitors.bits[:, word][None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            per_term = np.where(wanted > 0, w[k] / wanted, 0.0)  # one matched term's weight
        num = num + matched * per_term
        matched_total += matched
    missing_cert = np.zeros((nb, ne), dtype=bool)
    for word in range(starts[CERT_KIND_INDEX], starts[CERT_KIND_INDEX + 1]):
        missing_cert |= (buyers.bits[:, word][:, None] & ~exhibitors.bits[:, word][None, :]) != 0

    months_per_metre, lo_b, hi_b = (a[:, None] for a in buyer_terms(buyers))
    hi_e, inv_width, inv_lead = (a[None, :] for a in exhibitor_terms(exhibitors))
    qty, b_pmax, b_lead = buyers.quantity[:, None], buyers.price_max[:, None], buyers.lead_time[:, None]
    has_price = (buyers.price_min[:, None] == buyers.price_min[:, None]) | (b_pmax == b_pmax)
    moq, cap = exhibitors.moq[None, :], exhibitors.capacity[None, :]
    lo_e, e_lead = exhibitors.price_min[None, :], exhibitors.lead_time[None, :]

    # Hard rules; NaN compares false, so an unstated value never excludes.
    excluded = (matched_total == 0) | missing_cert | (moq > qty) | (lo_e > b_pmax)
    with np.errstate(invalid="ignore"):
        # Quantity: the share of the order the capacity covers in the buyer's time (at least a month).
        q = np.where(cap == cap, np.minimum(cap * months_per_metre, 1.0), 0.5)
        # Price: the share of the exhibitor's price range inside the buyer's target range.
        overlap = np.minimum(hi_e, hi_b) - np.maximum(lo_e, lo_b)
        ranged = np.minimum(np.maximum(overlap * inv_width, 0.0), 1.0)
        point = np.where((lo_b <= lo_e) & (lo_e <= hi_b), 1.0, 0.0)
        p = np.where(lo_e == lo_e, np.where(inv_width > 0.0, ranged, point), 0.5)
        # Lead time: full marks within the buyer's deadline, then in proportion.
        lead = np.where(e_lead == e_lead, np.where(e_lead <= b_lead, 1.0, b_lead * inv_lead), 0.5)
        numeric = np.where(qty == qty, w[4] * q, 0.0) + np.where(has_price, w[5] * p, 0.0)
        numeric = numeric + np.where(b_lead == b_lead, w[6] * lead, 0.0)
    score = (num + numeric) * inverse_denominator(buyers, layout, w)[:, None]
    return np.where(excluded, EXCLUDED, score)


def apply_adjustments(scores: np.ndarray, adjustments: Adjustments) -> None:
    if len(adjustments.exhibitor) == 0:
        return
    rows = np.repeat(np.arange(len(adjustments.indptr) - 1), np.diff(adjustments.indptr))
    cols = adjustments.exhibitor
    current = scores[rows, cols]
    factor = adjustments.factor
    scores[rows, cols] = np.where(current < 0.0, EXCLUDED, np.where(factor > 0.0, current * factor, EXCLUDED))


def select_top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k per row by (score descending, column ascending), skipping EXCLUDED; -1 pads short rows."""
    nb, ne = scores.shape
    out_idx = np.full((nb, k), -1, dtype=np.int64)
    out_score = np.zeros((nb, k), dtype=np.float64)
    if nb == 0 or ne == 0 or k == 0:
        return out_idx, out_score
    kk = min(k, ne)
    kth = -np.partition(-scores, kk - 1, axis=1)[:, kk - 1] if kk < ne else scores.min(axis=1)
    keep = (scores >= kth[:, None]) & (scores >= 0.0)
    rows, cols = np.nonzero(keep)
    values = scores[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    starts = np.searchsorted(rows, np.arange(nb))
    position = np.arange(len(rows)) - starts[rows]
    take = position < k
    out_idx[rows[take], position[take]] = cols[take]
    out_score[rows[take], position[take]] = values[take]
    return out_idx, out_score


def top_k_numpy(
    buyers: Buyers,
    exhibitors: Exhibitors,
    layout: Layout,
    weights: Weights,
    adjustments: Adjustments,
    k: int,
    block: int,
) -> TopK:
    nb = len(buyers)
    out_idx = np.full((nb, k), -1, dtype=np.int64)
    out_score = np.zeros((nb, k), dtype=np.float64)
    for start in range(0, nb, block):
        stop = min(nb, start + block)
        scores = score_matrix(buyers.take(slice(start, stop)), exhibitors, layout, weights)
        apply_adjustments(scores, adjustments.take_buyers(start, stop))
        out_idx[start:stop], out_score[start:stop] = select_top_k(scores, k)
    return TopK(exhibitor=out_idx, score=out_score, engine="numpy")
