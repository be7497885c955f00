"""Random encoded profiles shaped like a textile expo, for scoring tests and the benchmark."""

import numpy as np

from matching.scoring import KINDS, Buyers, Exhibitors, Layout

# Term counts per kind, as in the shipped taxonomy.
TERM_COUNTS = {"fabric": 44, "process": 33, "fibre": 25, "end_use": 23, "certification": 13}


def layout_for(counts: dict[str, int] | None = None) -> Layout:
    counts = counts or TERM_COUNTS
    next_id = 1
    term_ids = {}
    for kind in KINDS:
        term_ids[kind] = list(range(next_id, next_id + counts[kind]))
        next_id += counts[kind]
    return Layout.from_terms(term_ids)


def _random_bits(rng: np.random.Generator, layout: Layout, n: int, per_kind: dict[str, tuple[int, int]]):
    bits = np.zeros((n, layout.n_words), dtype=np.uint64)
    for k, kind in enumerate(KINDS):
        count = len(layout.term_ids[kind])
        lo, hi = per_kind[kind]
        if count == 0 or hi == 0:
            continue
        picks = rng.integers(lo, hi + 1, size=n)
        for row in range(n):  # generation only: test data, not scoring
            chosen = rng.choice(count, size=min(picks[row], count), replace=False)
            for index in chosen:
                word = layout.word_start[k] + index // 64
                bits[row, word] |= np.uint64(1) << np.uint64(index % 64)
    return bits


def _maybe(rng, values: np.ndarray, missing: float) -> np.ndarray:
    values = values.astype(np.float64)
    values[rng.random(len(values)) < missing] = np.nan
    return values


BUYER_WANTS = {
    "fabric": (1, 3),
    "process": (0, 2),
    "fibre": (0, 2),
    "end_use": (0, 2),
    "certification": (0, 1),
}


def random_buyers(
    rng: np.random.Generator,
    layout: Layout,
    n: int,
    *,
    first_id: int = 1,
    wants: dict[str, tuple[int, int]] | None = None,
) -> Buyers:
    """`wants`: (fewest, most) terms per kind a buyer asks for."""
    bits = _random_bits(rng, layout, n, wants or BUYER_WANTS)
    price_min = np.round(rng.uniform(5, 30, n), 2)
    return Buyers(
        ids=np.arange(first_id, first_id + n, dtype=np.int64),
        bits=bits,
        quantity=_maybe(rng, rng.integers(1, 60, n) * 1000, 0.1),
        price_min=_maybe(rng, price_min, 0.2),
        price_max=_maybe(rng, price_min + np.round(rng.uniform(1, 20, n), 2), 0.1),
        lead_time=_maybe(rng, rng.integers(7, 90, n), 0.1),
    )


def random_exhibitors(rng: np.random.Generator, layout: Layout, n: int, *, first_id: int = 1) -> Exhibitors:
    bits = _random_bits(
        rng,
        layout,
        n,
        {"fabric": (2, 8), "process": (1, 6), "fibre": (1, 4), "end_use": (1, 5), "certification": (0, 4)},
    )
    price_min = np.round(rng.uniform(4, 35, n), 2)
    return Exhibitors(
        ids=np.arange(first_id, first_id + n, dtype=np.int64),
        bits=bits,
        moq=_maybe(rng, rng.integers(1, 30, n) * 500, 0.1),
        capacity=_maybe(rng, rng.integers(10, 500, n) * 1000, 0.1),
        price_min=_maybe(rng, price_min, 0.1),
        price_max=_maybe(rng, price_min + np.round(rng.uniform(0, 15, n), 2), 0.2),
        lead_time=_maybe(rng, rng.integers(5, 80, n), 0.1),
    )
