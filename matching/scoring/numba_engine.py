"""The numba engine: the compiled bitset kernel (`kernel.py`) over every buyer of a block.

One pass over the exhibitors per buyer, branch-light, with a streaming top-K (no score matrix at
all). The kernel is compiled lazily on first use and cached on disk, so importing the scoring
package never imports numba and never compiles; Celery worker processes load it when they start.
It takes the same per-row constants as the numpy engine (`numpy_engine.buyer_terms`…) and does
the same float64 operations in the same order, so both engines give bit-identical results.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from matching.scoring.encoding import (
    CERT_KIND_INDEX,
    KINDS,
    Adjustments,
    Buyers,
    Exhibitors,
    Layout,
    TopK,
    Weights,
)
from matching.scoring.numpy_engine import buyer_terms, exhibitor_terms, inverse_denominator

_loaded = None  # the kernel function chosen by `_build_kernel`, once per process
_loaded_lock = threading.Lock()


def numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _build_kernel():
    """Import (and so compile, or load from the on-disk cache) the bitset kernel on first use.

    The parallel variant spreads buyers over the cores with a thread-safe threading layer
    (OpenMP or TBB); where neither loads, or SHUTTLE_SCORING_THREADS=1, the one-thread kernel
    runs. Buyers are independent, so both give the same results.
    """
    import numba

    from matching.scoring import kernel

    if os.environ.get("SHUTTLE_SCORING_THREADS") == "1":
        return kernel.kernel
    if os.environ.get("NUMBA_THREADING_LAYER") is None:
        numba.config.THREADING_LAYER = "threadsafe"
    try:
        tiny = np.zeros((1, len(KINDS)), dtype=np.uint64)
        one, none, ints = np.zeros(1), np.zeros(0), np.zeros(1, dtype=np.int64)
        kernel.kernel_parallel(
            tiny, one, one, one, one, one, one, one, one, np.ascontiguousarray(tiny.T), one, one, one, one, one, one, one,
            np.zeros(8), np.zeros(2, dtype=np.int64), ints[:0], none, 1,
            np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1)),
        )  # fmt: skip
    except Exception:  # no thread-safe threading layer here: one thread it is
        return kernel.kernel
    return kernel.kernel_parallel


def kernel_loaded() -> bool:
    """Whether this process has loaded the parallel kernel already (no loading here): the other
    compiled helpers (`kernel.copy_rows`) are then worth calling."""
    return _loaded is not None and _loaded.__name__ == "kernel_parallel"


def _get_kernel():
    """The kernel function, built on first use (thread-safe)."""
    global _loaded
    with _loaded_lock:
        if _loaded is None:
            _loaded = _build_kernel()
    return _loaded


def top_k_numba(
    buyers: Buyers,
    exhibitors: Exhibitors,
    layout: Layout,
    weights: Weights,
    adjustments: Adjustments,
    k: int,
) -> TopK:
    nb = len(buyers)
    out_idx = np.full((nb, k), -1, dtype=np.int64)
    out_score = np.zeros((nb, k), dtype=np.float64)
    if nb and len(exhibitors) and k:
        w = weights.as_array()
        months_per_metre, lo_b, hi_b = buyer_terms(buyers)
        hi_e, inv_width, inv_lead = exhibitor_terms(exhibitors)
        _get_kernel()(
            np.ascontiguousarray(buyers.bits),
            buyers.quantity,
            buyers.price_min,
            buyers.price_max,
            buyers.lead_time,
            months_per_metre,
            lo_b,
            hi_b,
            inverse_denominator(buyers, layout, w),
            np.ascontiguousarray(exhibitors.bits.T),
            exhibitors.moq,
            exhibitors.capacity,
            exhibitors.price_min,
            hi_e,
            inv_width,
            exhibitors.lead_time,
            inv_lead,
            w,
            adjustments.indptr,
            adjustments.exhibitor,
            adjustments.factor,
            k,
            out_idx,
            out_score,
        )
    return TopK(exhibitor=out_idx, score=out_score, engine="numba")


def explain_numba(
    buyers: Buyers,
    exhibitors: Exhibitors,
    layout: Layout,
    buyer_idx: np.ndarray,
    exhibitor_idx: np.ndarray,
    flags: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`explanation.explain` by the compiled kernel: (codes int32 (n,), terms uint64 (n, n_words))."""
    from matching.scoring import kernel

    explain = (
        kernel.explain_pairs_parallel if _get_kernel() is kernel.kernel_parallel else kernel.explain_pairs
    )
    n = len(buyer_idx)
    codes = np.zeros(n, dtype=np.int32)
    terms = np.zeros((n, layout.n_words), dtype=np.uint64)
    if n:
        cert = CERT_KIND_INDEX
        explain(
            np.ascontiguousarray(buyer_idx, dtype=np.int64),
            np.ascontiguousarray(exhibitor_idx, dtype=np.int64),
            np.ascontiguousarray(buyers.bits),
            buyers.quantity,
            buyers.price_min,
            buyers.price_max,
            buyers.lead_time,
            np.ascontiguousarray(exhibitors.bits),
            exhibitors.moq,
            exhibitors.capacity,
            exhibitors.price_min,
            exhibitors.price_max,
            exhibitors.lead_time,
            layout.word_start[cert],
            layout.word_start[cert + 1],
            flags,
            codes,
            terms,
        )
    return codes, terms
