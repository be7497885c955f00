"""Encoded profiles: the term bit layout, bitsets, the numbers of each side, per-pair factors.

Every taxonomy term a run knows gets one bit; the terms of one kind fill whole 64-bit words
(fabric: 44 terms → one word), so a profile is a row of `n_words` uint64 words and the overlap of
two profiles on a kind is the popcount of the AND of that kind's words. Unknown numbers (no MOQ
stated, no lead time…) are NaN. Both engines and the explanation read these types.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Self

import numpy as np

# Facet kinds in bit-layout order; the first four are scored by overlap, the last is a hard rule.
FACET_KINDS: tuple[str, ...] = ("fabric", "process", "fibre", "end_use")
CERTIFICATION = "certification"
KINDS: tuple[str, ...] = (*FACET_KINDS, CERTIFICATION)
CERT_KIND_INDEX = len(FACET_KINDS)

EXCLUDED = -1.0  # score marker of a pair removed by a hard rule, a hidden customer or feedback


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


DENSE_TERM_IDS = 1 << 20  # term ids below this are looked up in a table, larger ones searched


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
    if min(term_ids.min(), known_ids[0]) >= 0 and max(term_ids.max(), known_ids[-1]) < DENSE_TERM_IDS:
        # Taxonomy ids are small: a table indexed by id finds every bit at once (searching the
        # sorted ids took 3x as long for a whole expo).
        position_of = np.full(max(term_ids.max(), known_ids[-1]) + 1, -1, dtype=np.int64)
        position_of[known_ids] = positions
        pos = position_of[term_ids]
        found = pos >= 0
        pos = pos[found]
    else:
        at = np.searchsorted(known_ids, term_ids)
        at = np.minimum(at, len(known_ids) - 1)
        found = known_ids[at] == term_ids
        pos = positions[at[found]]
    # OR the bits into their words, a run of equal words at a time: keys (word index × 64 + bit)
    # sorted (a plain sort of int64 is vectorised; `np.bitwise_or.at` went one element at a time,
    # ~0.2 s for a whole expo's 370,000 facet rows).
    keys = np.sort((rows[found] * layout.n_words + pos // 64) * 64 + pos % 64)
    flat = keys >> 6
    values = np.left_shift(np.uint64(1), (keys & 63).astype(np.uint64))
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    bits.reshape(-1)[flat[starts]] = np.bitwise_or.reduceat(values, starts)
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
