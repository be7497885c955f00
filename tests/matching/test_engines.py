"""The two engines: identical results, top-K for any chunking, ties by exhibitor id, per-pair adjustments."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching import scoring
from matching.scoring import (
    Adjustments,
    Exhibitors,
    Weights,
)
from tests.matching.profiles import ENGINES, HYPOTHESIS, LAYOUT, buyers_of, exhibitors_of, words
from tests.matching.reference import score_pair
from tests.matching.synthetic import layout_for, random_buyers, random_exhibitors


def test_engines_give_identical_results_on_random_profiles():
    rng = np.random.default_rng(11)
    buyers, exhibitors = random_buyers(rng, LAYOUT, 400), random_exhibitors(rng, LAYOUT, 700)
    adjustments = Adjustments.from_pairs(
        n_buyers=400,
        buyer=rng.integers(0, 400, 300),
        exhibitor=rng.integers(0, 700, 300),
        factor=rng.choice([0.0, 0.5], 300),
    )
    a = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=20, adjustments=adjustments, engine="numpy")
    b = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=20, adjustments=adjustments, engine="numba")
    assert b.engine == "numba"
    assert np.array_equal(a.exhibitor, b.exhibitor)
    assert np.array_equal(a.score, b.score)
    assert (a.exhibitor >= 0).sum() == 7514  # the test data really produces matches


@pytest.mark.parametrize("engine", ENGINES)
def test_top_k_equals_a_full_sort_of_the_scores(engine):
    rng = np.random.default_rng(3)
    buyers, exhibitors = random_buyers(rng, LAYOUT, 50), random_exhibitors(rng, LAYOUT, 300)
    result = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=10, engine=engine)
    scores = scoring.pair_scores(buyers, exhibitors, LAYOUT, Weights())
    for b in range(50):
        valid = np.flatnonzero(scores[b] >= 0)
        order = valid[np.lexsort((valid, -scores[b, valid]))][:10]
        assert result.exhibitor[b, : len(order)].tolist() == order.tolist()
        assert (result.exhibitor[b, len(order) :] == -1).all()


@HYPOTHESIS
@given(
    seed=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.integers(1, 119), max_size=6),
    engine=st.sampled_from(ENGINES),
)
def test_top_k_is_the_same_for_any_chunking(seed, cuts, engine):
    rng = np.random.default_rng(seed)
    buyers, exhibitors = random_buyers(rng, LAYOUT, 120), random_exhibitors(rng, LAYOUT, 150)
    whole = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=8, engine=engine)
    bounds = [0, *sorted(set(cuts)), 120]
    # Chunks processed in reverse, as independent workers might finish them.
    parts = {
        lo: scoring.top_k(
            buyers.take(slice(lo, hi)), exhibitors, LAYOUT, Weights(), k=8, engine=engine, block=7
        )
        for lo, hi in reversed(list(zip(bounds, bounds[1:], strict=False)))
        if hi > lo
    }
    joined_idx = np.concatenate([parts[lo].exhibitor for lo in sorted(parts)])
    joined_score = np.concatenate([parts[lo].score for lo in sorted(parts)])
    assert np.array_equal(joined_idx, whole.exhibitor)
    assert np.array_equal(joined_score, whole.score)


@pytest.mark.parametrize("engine", ENGINES)
def test_top_k_breaks_ties_by_exhibitor_id(engine):
    same = {"bits": words(fabric=[0, 1]), "moq": 100, "capacity": 10**6, "price_min": 10.0, "lead_time": 10}
    better = {**same, "bits": words(fabric=[0, 1, 2])}
    exhibitors = exhibitors_of([same, same, better, same, same], ids=[3, 8, 9, 12, 40])
    buyer = buyers_of([{"bits": words(fabric=[0, 1, 2]), "quantity": 1000, "lead_time": 30}])
    first = scoring.top_k(buyer, exhibitors, LAYOUT, Weights(), k=3, engine=engine)
    again = scoring.top_k(buyer, exhibitors, LAYOUT, Weights(), k=3, engine=engine)
    assert first.exhibitor.tolist() == [[2, 0, 1]]  # ids 9, then the tie 3 before 8
    assert np.array_equal(first.exhibitor, again.exhibitor)


@pytest.mark.parametrize("engine", ENGINES)
def test_top_k_pads_short_lists(engine):
    exhibitors = exhibitors_of([{"bits": words(fabric=[0])}, {"bits": words(fabric=[5])}])
    buyer = buyers_of([{"bits": words(fabric=[0])}])
    result = scoring.top_k(buyer, exhibitors, LAYOUT, Weights(), k=3, engine=engine)
    assert result.exhibitor.tolist() == [[0, -1, -1]]
    assert result.pairs()[1].tolist() == [0]
    assert result.pairs()[2].tolist() == [1]


def test_top_k_wide_taxonomy_falls_back_to_numpy_with_the_same_results():
    layout = layout_for({"fabric": 130, "process": 33, "fibre": 25, "end_use": 23, "certification": 70})
    assert layout.n_words == 8
    rng = np.random.default_rng(5)
    buyers, exhibitors = random_buyers(rng, layout, 40), random_exhibitors(rng, layout, 90)
    auto = scoring.top_k(buyers, exhibitors, layout, Weights(), k=5, engine="numba")
    assert auto.engine == "numpy"
    expected = np.array(
        [[score_pair(buyers, b, exhibitors, e, layout, Weights()) for e in range(90)] for b in range(40)]
    )
    for b in range(40):
        for rank, e in enumerate(auto.exhibitor[b]):
            if e >= 0:
                assert auto.score[b, rank] == pytest.approx(expected[b, e], abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_adjustments_hide_and_demote_pairs(engine):
    exhibitors = exhibitors_of([{"bits": words(fabric=[0])}] * 3)
    buyer = buyers_of([{"bits": words(fabric=[0])}])
    adjustments = Adjustments.from_pairs(
        n_buyers=1, buyer=np.array([0, 0, 0]), exhibitor=np.array([0, 1, 1]), factor=np.array([0.5, 0.5, 0.0])
    )
    result = scoring.top_k(buyer, exhibitors, LAYOUT, Weights(), k=3, adjustments=adjustments, engine=engine)
    assert result.exhibitor.tolist() == [[2, 0, -1]]
    assert result.score[0, :2].tolist() == [1.0, 0.5]


@pytest.mark.parametrize("variant", ["kernel", "kernel_parallel"])
def test_one_thread_and_parallel_kernels_equal_numpy(monkeypatch, variant):
    from matching.scoring import kernel, numba_engine

    monkeypatch.setattr(numba_engine, "_loaded", getattr(kernel, variant))
    rng = np.random.default_rng(21)
    buyers, exhibitors = random_buyers(rng, LAYOUT, 150), random_exhibitors(rng, LAYOUT, 400)
    a = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=15, engine="numpy")
    b = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=15, engine="numba")
    assert np.array_equal(a.exhibitor, b.exhibitor)
    assert np.array_equal(a.score, b.score)


@HYPOTHESIS
@given(
    copies=st.lists(st.integers(1, 4), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    engine=st.sampled_from(ENGINES),
)
def test_ties_are_always_broken_by_exhibitor_id(copies, seed, engine):
    rng = np.random.default_rng(seed)
    originals = random_exhibitors(rng, LAYOUT, len(copies))
    index = np.repeat(np.arange(len(copies)), copies)  # identical twins of each exhibitor
    ids = np.sort(rng.choice(10_000, size=len(index), replace=False)).astype(np.int64) + 1
    twins = originals.take(rng.permutation(index))
    exhibitors = Exhibitors(**{**twins.__dict__, "ids": ids})
    buyers = random_buyers(rng, LAYOUT, 15)
    first = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=len(index), engine=engine)
    again = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=len(index), engine=engine)
    assert np.array_equal(first.exhibitor, again.exhibitor)
    for b in range(15):
        filled = first.exhibitor[b] >= 0
        order = list(
            zip((-first.score[b][filled]).tolist(), first.exhibitor[b][filled].tolist(), strict=True)
        )
        assert order == sorted(order)  # by score descending, then by exhibitor id (index order = id order)
