"""Pure numerical scoring of buyer–exhibitor pairs: profiles → bitsets → scores → top-K per buyer.

No Django here (a test imports this module in a fresh interpreter and checks): it takes numpy
arrays and returns numpy arrays, so the maths is testable in milliseconds. `matching.services`
turns querysets into these arrays and saves what comes back. The formula, its four hard rules and
a worked example are in docs/matching.md.

Encoding. Every taxonomy term a run knows gets one bit; the terms of one kind fill whole 64-bit
words (fabric: 44 terms → one word), so a profile is a row of `n_words` uint64 words and the
overlap of two profiles on a kind is the popcount of the AND of that kind's words. Unknown numbers
(no MOQ stated, no lead time…) are NaN.

Two engines compute exactly the same numbers (same float64 operations in the same order):
- "numba": a compiled kernel, one pass over the exhibitors per buyer, branch-light, with a
  streaming top-K (no score matrix at all); compiled lazily on first use and cached on disk, so
  importing this module stays cheap and never compiles.
- "numpy": the same formula as whole-array operations over a block of buyers, then a
  deterministic top-K (`argpartition` for the K-th value, then an exact sort of the survivors).
Ties are broken by exhibitor id (ascending), so results never depend on chunking or engine.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field, fields
from typing import Self

import numpy as np

# Facet kinds in bit-layout order; the first four are scored by overlap, the last is a hard rule.
FACET_KINDS: tuple[str, ...] = ("fabric", "process", "fibre", "end_use")
CERTIFICATION = "certification"
KINDS: tuple[str, ...] = (*FACET_KINDS, CERTIFICATION)
CERT_KIND_INDEX = len(FACET_KINDS)

EXCLUDED = -1.0  # score marker of a pair removed by a hard rule, a hidden customer or feedback

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


@dataclass(frozen=True)
class Weights:
    """Relative weights of the score's components and the demotion factor for existing customers."""

    fabric: float = 3.0
    process: float = 2.0
    fibre: float = 2.0
    end_use: float = 1.0
    quantity: float = 1.0
    price: float = 1.0
    lead_time: float = 1.0
    demote_factor: float = 0.5

    def as_array(self) -> np.ndarray:
        return np.array(
            [
                self.fabric,
                self.process,
                self.fibre,
                self.end_use,
                self.quantity,
                self.price,
                self.lead_time,
                self.demote_factor,
            ],
            dtype=np.float64,
        )


@dataclass(frozen=True)
class Layout:
    """Which bit stands for which term: kind `k` owns words `word_start[k]` … `word_start[k+1]-1`."""

    term_ids: dict[str, tuple[int, ...]]  # kind → term ids in bit order
    word_start: tuple[int, ...]  # len(KINDS) + 1 offsets into the word axis

    @classmethod
    def from_terms(cls, term_ids: dict[str, list[int] | tuple[int, ...]]) -> Layout:
        ordered = {kind: tuple(sorted(term_ids.get(kind, ()))) for kind in KINDS}
        starts = [0]
        for kind in KINDS:
            starts.append(starts[-1] + max(1, math.ceil(len(ordered[kind]) / 64)))
        return cls(term_ids=ordered, word_start=tuple(starts))

    @property
    def n_words(self) -> int:
        return self.word_start[-1]

    def bit_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, global bit positions) of every term in the layout."""
        ids, positions = [], []
        for k, kind in enumerate(KINDS):
            terms = self.term_ids[kind]
            ids.extend(terms)
            positions.extend(self.word_start[k] * 64 + i for i in range(len(terms)))
        return np.asarray(ids, dtype=np.int64), np.asarray(positions, dtype=np.int64)

    def term_at(self, position: int) -> tuple[str, int] | None:
        """(kind, term id) of a global bit position, or None for padding bits."""
        word, bit = divmod(position, 64)
        for k, kind in enumerate(KINDS):
            if self.word_start[k] <= word < self.word_start[k + 1]:
                index = (word - self.word_start[k]) * 64 + bit
                terms = self.term_ids[kind]
                return (kind, terms[index]) if index < len(terms) else None
        return None

    def to_json(self) -> dict:
        return {
            "term_ids": {k: list(v) for k, v in self.term_ids.items()},
            "word_start": list(self.word_start),
        }

    @classmethod
    def from_json(cls, data: dict) -> Layout:
        return cls(
            term_ids={k: tuple(data["term_ids"].get(k, ())) for k in KINDS},
            word_start=tuple(data["word_start"]),
        )


def encode_bits(*, layout: Layout, n_rows: int, rows: np.ndarray, term_ids: np.ndarray) -> np.ndarray:
    """Bitsets of shape (n_rows, n_words) from (row index, term id) pairs; unknown terms are ignored."""
    bits = np.zeros((n_rows, layout.n_words), dtype=np.uint64)
    known_ids, positions = layout.bit_positions()
    if len(rows) == 0 or len(known_ids) == 0:
        return bits
    order = np.argsort(known_ids)
    known_ids, positions = known_ids[order], positions[order]
    rows = np.asarray(rows, dtype=np.int64)
    term_ids = np.asarray(term_ids, dtype=np.int64)
    at = np.searchsorted(known_ids, term_ids)
    at = np.minimum(at, len(known_ids) - 1)
    found = known_ids[at] == term_ids
    pos = positions[at[found]]
    np.bitwise_or.at(
        bits,
        (rows[found], pos // 64),
        np.left_shift(np.uint64(1), (pos % 64).astype(np.uint64)),
    )
    return bits


class _Rows:
    """Row selection shared by the encoded profile tables: every field is an array indexed by row."""

    def take(self, index: np.ndarray | slice) -> Self:
        return type(self)(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Buyers(_Rows):
    """Encoded buyer profiles; `ids` ascending. NaN marks a value the buyer did not state."""

    ids: np.ndarray  # int64 (n,)
    bits: np.ndarray  # uint64 (n, n_words): wanted facets and required certifications
    quantity: np.ndarray  # float64 (n,) order quantity, metres
    price_min: np.ndarray  # float64 (n,) CNY per metre
    price_max: np.ndarray
    lead_time: np.ndarray  # float64 (n,) days


@dataclass(frozen=True)
class Exhibitors(_Rows):
    """Encoded exhibitor profiles; `ids` ascending (ties between equal scores go to the lower id)."""

    ids: np.ndarray  # int64 (n,)
    bits: np.ndarray  # uint64 (n, n_words): offered facets and held certifications
    moq: np.ndarray  # float64 (n,) metres
    capacity: np.ndarray  # float64 (n,) metres per month
    price_min: np.ndarray  # float64 (n,) CNY per metre
    price_max: np.ndarray
    lead_time: np.ndarray  # float64 (n,) days

    def to_npz_bytes(self) -> bytes:
        import io

        buffer = io.BytesIO()
        np.savez(buffer, **{name: getattr(self, name) for name in self.__dataclass_fields__})
        return buffer.getvalue()

    @classmethod
    def from_npz_bytes(cls, data: bytes) -> Exhibitors:
        import io

        with np.load(io.BytesIO(bytes(data))) as arrays:
            return cls(**{name: arrays[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Adjustments:
    """Per-pair factors in CSR form over the buyers of a block: 0 removes the pair, 0.5 halves it.

    Built from hidden/demoted existing customers and "not interested" feedback; `exhibitor` holds
    indexes into the Exhibitors arrays.
    """

    indptr: np.ndarray  # int64 (n_buyers + 1,)
    exhibitor: np.ndarray  # int64 (nnz,)
    factor: np.ndarray  # float64 (nnz,)

    @classmethod
    def empty(cls, n_buyers: int) -> Adjustments:
        return cls(
            indptr=np.zeros(n_buyers + 1, dtype=np.int64),
            exhibitor=np.zeros(0, dtype=np.int64),
            factor=np.zeros(0, dtype=np.float64),
        )

    @classmethod
    def from_pairs(
        cls, *, n_buyers: int, buyer: np.ndarray, exhibitor: np.ndarray, factor: np.ndarray
    ) -> Adjustments:
        """Several factors of one pair multiply (a hidden customer stays hidden whatever else applies)."""
        buyer = np.asarray(buyer, dtype=np.int64)
        exhibitor = np.asarray(exhibitor, dtype=np.int64)
        factor = np.asarray(factor, dtype=np.float64)
        order = np.lexsort((exhibitor, buyer))
        buyer, exhibitor, factor = buyer[order], exhibitor[order], factor[order]
        if len(buyer):
            first = np.ones(len(buyer), dtype=bool)
            first[1:] = (buyer[1:] != buyer[:-1]) | (exhibitor[1:] != exhibitor[:-1])
            starts = np.flatnonzero(first)
            factor = np.multiply.reduceat(factor, starts)
            buyer, exhibitor = buyer[starts], exhibitor[starts]
        counts = np.bincount(buyer, minlength=n_buyers)
        indptr = np.zeros(n_buyers + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(indptr=indptr, exhibitor=exhibitor, factor=factor)

    def take_buyers(self, start: int, stop: int) -> Adjustments:
        lo, hi = self.indptr[start], self.indptr[stop]
        return Adjustments(
            indptr=self.indptr[start : stop + 1] - lo,
            exhibitor=self.exhibitor[lo:hi],
            factor=self.factor[lo:hi],
        )


@dataclass
class TopK:
    """Top-K per buyer: `exhibitor[i, r]` (index, -1 = empty) and `score[i, r]`, rank r = 0 best."""

    exhibitor: np.ndarray  # int64 (n_buyers, k)
    score: np.ndarray  # float64 (n_buyers, k)
    engine: str = field(default="numpy")

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(buyer index, exhibitor index, rank starting at 1, score) of every filled slot, row-major."""
        filled = self.exhibitor >= 0
        buyer_idx, rank0 = np.nonzero(filled)
        return buyer_idx, self.exhibitor[filled], rank0 + 1, self.score[filled]


# --- numpy engine ---------------------------------------------------------------------------------


def _popcount(words: np.ndarray) -> np.ndarray:
    return np.bitwise_count(words).astype(np.int64)


def _buyer_terms(buyers: Buyers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-buyer constants of the formula: (months per metre ordered, price floor, price ceiling)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lead = buyers.lead_time
        months = np.where(lead == lead, np.maximum(1.0, lead / 30.0), 1.0)
        months_per_metre = months / buyers.quantity
    low = np.where(buyers.price_min == buyers.price_min, buyers.price_min, 0.0)
    high = np.where(buyers.price_max == buyers.price_max, buyers.price_max, np.inf)
    return months_per_metre, low, high


def _exhibitor_terms(exhibitors: Exhibitors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-exhibitor constants: (highest price, 1 / price range width or 0, 1 / lead time or 0)."""
    pmin, pmax, lead = exhibitors.price_min, exhibitors.price_max, exhibitors.lead_time
    high = np.where(pmax == pmax, pmax, pmin)
    width = high - pmin
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_width = np.where(width > 0.0, 1.0 / width, 0.0)
        inv_lead = np.where(lead > 0.0, 1.0 / lead, 0.0)
    return high, inv_width, inv_lead


def _inverse_denominator(buyers: Buyers, layout: Layout, w: np.ndarray) -> np.ndarray:
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

    months_per_metre, lo_b, hi_b = (a[:, None] for a in _buyer_terms(buyers))
    hi_e, inv_width, inv_lead = (a[None, :] for a in _exhibitor_terms(exhibitors))
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
    score = (num + numeric) * _inverse_denominator(buyers, layout, w)[:, None]
    return np.where(excluded, EXCLUDED, score)


def _apply_adjustments(scores: np.ndarray, adjustments: Adjustments) -> None:
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


def _top_k_numpy(
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
        _apply_adjustments(scores, adjustments.take_buyers(start, stop))
        out_idx[start:stop], out_score[start:stop] = select_top_k(scores, k)
    return TopK(exhibitor=out_idx, score=out_score, engine="numpy")


# --- numba engine ---------------------------------------------------------------------------------

_kernel = None
_kernel_lock = threading.Lock()


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

    from matching import _kernel

    if os.environ.get("SHUTTLE_SCORING_THREADS") == "1":
        return _kernel.kernel
    if os.environ.get("NUMBA_THREADING_LAYER") is None:
        numba.config.THREADING_LAYER = "threadsafe"
    try:
        tiny = np.zeros((1, len(KINDS)), dtype=np.uint64)
        one, none, ints = np.zeros(1), np.zeros(0), np.zeros(1, dtype=np.int64)
        _kernel.kernel_parallel(
            tiny, one, one, one, one, one, one, one, one, np.ascontiguousarray(tiny.T), one, one, one, one, one, one, one,
            np.zeros(8), np.zeros(2, dtype=np.int64), ints[:0], none, 1,
            np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1)),
        )  # fmt: skip
    except Exception:  # no thread-safe threading layer here: one thread it is
        return _kernel.kernel
    return _kernel.kernel_parallel


def _get_kernel():
    global _kernel
    with _kernel_lock:
        if _kernel is None:
            _kernel = _build_kernel()
    return _kernel


def _top_k_numba(
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
        months_per_metre, lo_b, hi_b = _buyer_terms(buyers)
        hi_e, inv_width, inv_lead = _exhibitor_terms(exhibitors)
        _get_kernel()(
            np.ascontiguousarray(buyers.bits),
            buyers.quantity,
            buyers.price_min,
            buyers.price_max,
            buyers.lead_time,
            months_per_metre,
            lo_b,
            hi_b,
            _inverse_denominator(buyers, layout, w),
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
        return _top_k_numba(buyers, exhibitors, layout, weights, adjustments, k)
    if engine == "numpy":
        return _top_k_numpy(buyers, exhibitors, layout, weights, adjustments, k, block)
    raise ValueError(f"Unknown scoring engine: {engine!r}")


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
    _apply_adjustments(scores, adjustments or Adjustments.empty(len(buyers)))
    return scores


# --- reasons --------------------------------------------------------------------------------------


def explain(
    buyers: Buyers,
    exhibitors: Exhibitors,
    layout: Layout,
    *,
    buyer_idx: np.ndarray,
    exhibitor_idx: np.ndarray,
    demoted: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Reasons of the given pairs, from the same bitsets and numbers the score used.

    Returns (codes int32 (n,), terms uint64 (n, n_words)): `codes` are REASON_* flags, `terms`
    the bits of the buyer's wanted terms the exhibitor offers (and the required certifications it
    holds). `demoted` (bool per pair) marks existing customers shown lower.
    """
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
    if demoted is not None:
        codes |= np.where(demoted, REASON_EXISTING_CUSTOMER, 0).astype(np.int32)
    return codes, terms


def decode_terms(layout: Layout, words: np.ndarray) -> dict[str, list[int]]:
    """Term ids per kind of one pair's reason bits (`words`: uint64 (n_words,))."""
    out: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for k, kind in enumerate(KINDS):
        terms = layout.term_ids[kind]
        for word in range(layout.word_start[k], layout.word_start[k + 1]):
            value = int(words[word]) if word < len(words) else 0
            base = (word - layout.word_start[k]) * 64
            while value:
                low = value & -value
                index = base + low.bit_length() - 1
                if index < len(terms):
                    out[kind].append(terms[index])
                value ^= low
    return out
