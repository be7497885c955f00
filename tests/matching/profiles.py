"""Hand-made encoded profiles for the scoring tests: terms by kind and index in one layout."""

import numpy as np
from hypothesis import HealthCheck, settings

from matching import scoring
from matching.scoring import KINDS, Buyers, Exhibitors, Weights
from tests.matching.synthetic import layout_for

LAYOUT = layout_for()
ENGINES = ["numpy", "numba"]
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bit(kind: str, index: int) -> tuple[int, np.uint64]:
    """(word, mask) of the index-th term of a kind in LAYOUT."""
    k = KINDS.index(kind)
    return LAYOUT.word_start[k] + index // 64, np.uint64(1) << np.uint64(index % 64)


def words(**terms: list[int]) -> np.ndarray:
    row = np.zeros(LAYOUT.n_words, dtype=np.uint64)
    for kind, indexes in terms.items():
        for index in indexes:
            word, mask = bit(kind, index)
            row[word] |= mask
    return row


def buyers_of(rows: list[dict]) -> Buyers:
    nan = np.nan
    return Buyers(
        ids=np.arange(1, len(rows) + 1, dtype=np.int64),
        bits=np.array([r.get("bits", words(fabric=[0])) for r in rows], dtype=np.uint64),
        quantity=np.array([r.get("quantity", nan) for r in rows], dtype=np.float64),
        price_min=np.array([r.get("price_min", nan) for r in rows], dtype=np.float64),
        price_max=np.array([r.get("price_max", nan) for r in rows], dtype=np.float64),
        lead_time=np.array([r.get("lead_time", nan) for r in rows], dtype=np.float64),
    )


def exhibitors_of(rows: list[dict], ids: list[int] | None = None) -> Exhibitors:
    nan = np.nan
    return Exhibitors(
        ids=np.array(ids or range(1, len(rows) + 1), dtype=np.int64),
        bits=np.array([r.get("bits", words(fabric=[0])) for r in rows], dtype=np.uint64).reshape(
            len(rows), LAYOUT.n_words
        ),
        moq=np.array([r.get("moq", nan) for r in rows], dtype=np.float64),
        capacity=np.array([r.get("capacity", nan) for r in rows], dtype=np.float64),
        price_min=np.array([r.get("price_min", nan) for r in rows], dtype=np.float64),
        price_max=np.array([r.get("price_max", nan) for r in rows], dtype=np.float64),
        lead_time=np.array([r.get("lead_time", nan) for r in rows], dtype=np.float64),
    )


DEFAULT_WEIGHTS = Weights()


def one_score(buyer: dict, exhibitor: dict, weights: Weights = DEFAULT_WEIGHTS) -> float:
    return float(scoring.pair_scores(buyers_of([buyer]), exhibitors_of([exhibitor]), LAYOUT, weights)[0, 0])
