"""Pure numerical scoring of buyer–exhibitor pairs: profiles → bitsets → scores → top-K per buyer.

No Django here (a test imports every module of this package in a fresh interpreter and checks):
it takes numpy arrays and returns numpy arrays, so the maths is testable in milliseconds.
`matching.services` turns querysets into these arrays and saves what comes back. The formula, its
four hard rules and a worked example are in docs/matching.md. One module per area:

- `encoding`: the term bit layout, `Weights`, the encoded `Buyers` and `Exhibitors`, per-pair
  `Adjustments`, the `TopK` result, `encode_bits` / `decode_terms`;
- `numpy_engine`: the formula as whole-array operations over blocks of buyers;
- `numba_engine` (with `kernel`, the compiled code): the same numbers from a compiled kernel;
- `explanation`: the reasons of a pair and the scores of single pairs.

Both engines compute exactly the same numbers (same float64 operations in the same order). Ties
are broken by exhibitor id (ascending), so results never depend on chunking or engine.
Everything is re-exported here: `from matching import scoring; scoring.top_k(...)`.
"""

from __future__ import annotations

import os

from matching.scoring.encoding import (
    CERT_KIND_INDEX,
    CERTIFICATION,
    EXCLUDED,
    FACET_KINDS,
    KINDS,
    Adjustments,
    Buyers,
    Exhibitors,
    Layout,
    TopK,
    Weights,
    decode_terms,
    encode_bits,
)
from matching.scoring.explanation import (
    REASON_CAPACITY_OK,
    REASON_CAPACITY_SHORT,
    REASON_CERTIFIED,
    REASON_EXISTING_CUSTOMER,
    REASON_LEAD_TIME_LONG,
    REASON_LEAD_TIME_OK,
    REASON_MOQ_OK,
    REASON_PRICE_IN_RANGE,
    REASON_PRICE_PARTIAL,
    explain,
    pair_scores,
)
from matching.scoring.numba_engine import _get_kernel, kernel_loaded, numba_available, top_k_numba
from matching.scoring.numpy_engine import score_matrix, select_top_k, top_k_numpy

__all__ = [
    "CERTIFICATION",
    "CERT_KIND_INDEX",
    "EXCLUDED",
    "FACET_KINDS",
    "KINDS",
    "REASON_CAPACITY_OK",
    "REASON_CAPACITY_SHORT",
    "REASON_CERTIFIED",
    "REASON_EXISTING_CUSTOMER",
    "REASON_LEAD_TIME_LONG",
    "REASON_LEAD_TIME_OK",
    "REASON_MOQ_OK",
    "REASON_PRICE_IN_RANGE",
    "REASON_PRICE_PARTIAL",
    "Adjustments",
    "Buyers",
    "Exhibitors",
    "Layout",
    "TopK",
    "Weights",
    "_get_kernel",
    "decode_terms",
    "default_engine",
    "encode_bits",
    "explain",
    "kernel_loaded",
    "numba_available",
    "pair_scores",
    "score_matrix",
    "select_top_k",
    "top_k",
]


def default_engine() -> str:
    """ "numba" when installed, unless SHUTTLE_SCORING_ENGINE says otherwise."""
    chosen = os.environ.get("SHUTTLE_SCORING_ENGINE", "auto")
    if chosen in ("numba", "numpy"):
        return chosen
    return "numba" if numba_available() else "numpy"


def top_k(
    buyers: Buyers,
    exhibitors: Exhibitors,
    layout: Layout,
    weights: Weights,
    *,
    k: int,
    adjustments: Adjustments | None = None,
    engine: str | None = None,
    block: int = 512,
) -> TopK:
    """The k best exhibitors of every buyer, by (score descending, exhibitor id ascending).

    `adjustments` (over the same buyers) removes or scales single pairs after scoring. `block`
    bounds the numpy engine's memory: a few arrays of block × n_exhibitors float64 at a time.
    """
    adjustments = adjustments or Adjustments.empty(len(buyers))
    engine = engine or default_engine()
    if engine == "numba" and layout.n_words != len(KINDS):
        engine = "numpy"  # more than 64 terms of one kind: the kernel's fixed layout does not fit
    if engine == "numba":
        return top_k_numba(buyers, exhibitors, layout, weights, adjustments, k)
    if engine == "numpy":
        return top_k_numpy(buyers, exhibitors, layout, weights, adjustments, k, block)
    raise ValueError(f"Unknown scoring engine: {engine!r}")
