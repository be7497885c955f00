"""Drawing the demo data: term popularity, weighted sets of terms, round figures and prices.

Pure helpers of `plan` (numpy and the vocabulary in `data` only); same generator, same draws.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from expo.services.demo import data

KINDS = ("fabric", "process", "fibre", "end_use", "certification")


# --- Taxonomy weights ----------------------------------------------------------------------------


@dataclass
class _Kind:
    slugs: list[str]  # popularity order
    names: dict[str, tuple[str, str]]
    base: np.ndarray  # Zipf-like weight per slug, parents damped

    def weights(self, favoured: Sequence[str]) -> np.ndarray:
        """Base popularity, kept for `favoured` terms and damped for the rest (none favoured: all)."""
        if not favoured:
            return self.base.copy()
        keep = np.array([slug in favoured for slug in self.slugs])
        return self.base * np.where(keep, 1.0, data.LEAK)


def _vocabulary(terms: Iterable[tuple[str, str, str, str, str | None]]) -> dict[str, _Kind]:
    """Per kind, the term slugs in popularity order with their weights; input order does not matter."""
    by_kind: dict[str, dict[str, tuple[str, str, str | None]]] = {kind: {} for kind in KINDS}
    for kind, slug, name_en, name_zh, parent in terms:
        if kind in by_kind:
            by_kind[kind][slug] = (name_en, name_zh, parent)
    vocabulary = {}
    for kind, entries in by_kind.items():
        listed = [slug for slug in data.POPULARITY.get(kind, ()) if slug in entries]
        slugs = listed + sorted(set(entries) - set(listed))
        parents = {parent for _, _, parent in entries.values() if parent}
        rank = np.arange(1, len(slugs) + 1, dtype=float)
        base = rank**-data.ZIPF_EXPONENT
        factor = data.PARENT_FACTOR.get(kind, 1.0)
        base *= np.array([factor if slug in parents else 1.0 for slug in slugs])
        names = {slug: (entries[slug][0], entries[slug][1]) for slug in slugs}
        vocabulary[kind] = _Kind(slugs=slugs, names=names, base=base)
    return vocabulary


def _draw_sets(rng: np.random.Generator, weights: np.ndarray, counts: np.ndarray) -> list[list[int]]:
    """For each row, `counts[i]` distinct columns drawn with probability ∝ `weights[i]`, unordered.

    Weighted sampling without replacement for a whole matrix at once (Gumbel top-k): the columns
    with the largest `log(weight) + Gumbel noise` win.
    """
    rows, cols = weights.shape
    if cols == 0:
        return [[] for _ in range(rows)]
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
    order = np.argsort(-keys, axis=1, kind="stable")
    counts = np.minimum(counts, (weights > 0).sum(axis=1))
    return [order[i, : counts[i]].tolist() for i in range(rows)]


def _pick(rng: np.random.Generator, options: Sequence, size: int, p: Sequence[float] | None = None):
    weights = None if p is None else np.asarray(p, dtype=float) / np.sum(p)
    return rng.choice(len(options), size=size, p=weights)


_NICE_MANTISSAS = np.array([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10])


def _nice(values: np.ndarray, minimum: int) -> np.ndarray:
    """Round to figures people quote: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten."""
    values = np.maximum(values, minimum)
    power = 10 ** np.floor(np.log10(values))
    mantissa = values / power
    nearest = _NICE_MANTISSAS[np.abs(mantissa[:, None] - _NICE_MANTISSAS[None, :]).argmin(axis=1)]
    return np.round(nearest * power).astype(np.int64)


def _price(value: float) -> Decimal:
    """CNY per metre to 2 places, in steps of 0.10 below 20, 0.50 below 100 and 1 above."""
    step = 0.1 if value < 20 else 0.5 if value < 100 else 1.0
    return Decimal(f"{max(step, round(value / step) * step):.2f}")


def _price_range(low: float, high: float) -> tuple[Decimal, Decimal]:
    low_d = _price(low)
    high_d = max(_price(high), _price(float(low_d) * 1.15))
    return low_d, high_d


def _band(fabrics: Sequence[str], fibres: Sequence[str]) -> tuple[float, float, float, float]:
    """(lowest, highest) band of the fabrics and (lowest, highest) fibre price factor."""
    bands = [data.FABRIC_PRICE_BANDS.get(slug, data.DEFAULT_PRICE_BAND) for slug in fabrics] or [
        data.DEFAULT_PRICE_BAND
    ]
    factors = [data.FIBRE_PRICE_FACTOR.get(slug, 1.0) for slug in fibres] or [1.0]
    return min(b[0] for b in bands), max(b[1] for b in bands), min(factors), max(factors)


def _english_list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
