"""The pure scoring module: formula, hard rules, top-K, reasons, and both engines agreeing."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import scoring
from matching.scoring import (
    EXCLUDED,
    KINDS,
    REASON_CAPACITY_OK,
    REASON_CERTIFIED,
    REASON_EXISTING_CUSTOMER,
    REASON_LEAD_TIME_OK,
    REASON_MOQ_OK,
    REASON_PRICE_IN_RANGE,
    Adjustments,
    Buyers,
    Exhibitors,
    Layout,
    Weights,
)
from tests.matching.reference import score_pair
from tests.matching.synthetic import layout_for, random_buyers, random_exhibitors

ROOT = Path(__file__).resolve().parents[2]
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


# --- purity and import cost --------------------------------------------------------------------


def _modules_loaded_after(code: str) -> list[str]:
    """Top-level names of the django and numba modules loaded after running `code` in a fresh interpreter."""
    probe = f"import sys; {code}; print(sorted({{m.split('.')[0] for m in sys.modules if m.startswith(('django', 'numba'))}}))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return ast.literal_eval(result.stdout.strip())


def test_scoring_import_loads_no_django_and_compiles_nothing():
    assert _modules_loaded_after("import matching.scoring") == []


def test_every_scoring_module_imports_without_django():
    modules = sorted(info.name for info in pkgutil.iter_modules(scoring.__path__, "matching.scoring."))
    assert modules == [
        "matching.scoring.encoding",
        "matching.scoring.explanation",
        "matching.scoring.kernel",
        "matching.scoring.numba_engine",
        "matching.scoring.numpy_engine",
    ]
    imports = "; ".join(f"import {name}" for name in modules)
    assert _modules_loaded_after(imports) == ["numba"]  # the compiled kernel's module, and no Django


# --- the formula ---------------------------------------------------------------------------------


def test_score_worked_example_from_the_docs():
    # docs/matching.md, "Worked example": 2 of 2 fabrics, 1 of 2 processes, no fibre or end use asked,
    # capacity covers the order, 60 % of the price range in target, lead time within the deadline.
    buyer = {
        "bits": words(fabric=[3, 4], process=[10, 11], certification=[0]),
        "quantity": 20000,
        "price_min": 9.0,
        "price_max": 14.0,
        "lead_time": 30,
    }
    exhibitor = {
        "bits": words(fabric=[3, 4, 7], process=[10], certification=[0, 2]),
        "moq": 1000,
        "capacity": 200000,
        "price_min": 11.0,
        "price_max": 16.0,
        "lead_time": 20,
    }
    # (3·1 + 2·0.5 + 1·1 + 1·0.6 + 1·1) / (3 + 2 + 1 + 1 + 1) = 6.6 / 8
    assert one_score(buyer, exhibitor) == pytest.approx(0.825, abs=1e-12)


@pytest.mark.parametrize(
    ("exhibitor_change", "reason"),
    [
        ({"bits": words(fabric=[1], certification=[0])}, "no facet in common"),
        ({"bits": words(fabric=[0])}, "required certification missing"),
        ({"moq": 6000}, "MOQ above the order quantity"),
        ({"price_min": 15.0, "price_max": 18.0}, "lowest price above the buyer's ceiling"),
    ],
)
def test_score_hard_rules_exclude_the_pair(exhibitor_change, reason):
    buyer = {"bits": words(fabric=[0], certification=[0]), "quantity": 5000, "price_max": 14.0}
    exhibitor = {
        "bits": words(fabric=[0], certification=[0]),
        "moq": 1000,
        "capacity": 10**5,
        "price_min": 9.0,
    }
    assert one_score(buyer, exhibitor) == pytest.approx(1.0)
    assert one_score(buyer, {**exhibitor, **exhibitor_change}) == EXCLUDED, reason


def test_score_buyer_without_facets_gets_no_matches():
    buyer = {"bits": words(), "quantity": 5000}
    assert one_score(buyer, {"bits": words(fabric=[0, 1, 2])}) == EXCLUDED


def test_score_unknown_exhibitor_numbers_count_half():
    buyer = {"bits": words(fabric=[0]), "quantity": 5000, "price_max": 10.0, "lead_time": 30}
    # fabric 3·1, quantity 0.5, price 0.5, lead 0.5 → (3 + 0.5 + 0.5 + 0.5) / 6
    assert one_score(buyer, {"bits": words(fabric=[0])}) == pytest.approx(4.5 / 6)


def test_score_capacity_counts_the_buyers_months():
    buyer = {"bits": words(fabric=[0]), "quantity": 90000, "lead_time": 90}
    exhibitor = {"bits": words(fabric=[0]), "capacity": 15000, "lead_time": 90}
    # 15,000 m/month × 3 months covers half of 90,000 m: (3 + 0.5 + 1) / 5
    assert one_score(buyer, exhibitor) == pytest.approx(4.5 / 5)


def test_score_weights_change_the_balance():
    buyer = {"bits": words(fabric=[0, 1], process=[0])}
    exhibitor = {"bits": words(fabric=[0], process=[0])}
    assert one_score(buyer, exhibitor) == pytest.approx((3 * 0.5 + 2) / 5)
    assert one_score(buyer, exhibitor, Weights(fabric=1.0, process=1.0)) == pytest.approx(0.75)


def test_scores_match_the_per_pair_reference_on_random_profiles():
    rng = np.random.default_rng(7)
    buyers, exhibitors = random_buyers(rng, LAYOUT, 60), random_exhibitors(rng, LAYOUT, 80)
    scores = scoring.pair_scores(buyers, exhibitors, LAYOUT, Weights())
    expected = np.array(
        [[score_pair(buyers, b, exhibitors, e, LAYOUT, Weights()) for e in range(80)] for b in range(60)]
    )
    assert (scores == EXCLUDED).sum() == (expected == EXCLUDED).sum()
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-12)


# --- engines, chunking, ties -------------------------------------------------------------------


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
    assert (a.exhibitor >= 0).sum() > 400 * 10  # the test data really produces matches


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


# --- properties ----------------------------------------------------------------------------------


WEIGHT = st.floats(0.0, 10.0, allow_nan=False)


def all_scores(buyers: Buyers, exhibitors: Exhibitors, weights: Weights, engine: str) -> np.ndarray:
    """Every pair's score as the engine's top-K over all exhibitors gives it; -inf where excluded."""
    top = scoring.top_k(buyers, exhibitors, LAYOUT, weights, k=len(exhibitors), engine=engine)
    assert top.engine == engine
    scores = np.full((len(buyers), len(exhibitors)), -np.inf)
    b_idx, e_idx, _rank, score = top.pairs()
    scores[b_idx, e_idx] = score
    return scores


@HYPOTHESIS
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(KINDS),
    index=st.integers(0, 12),
    engine=st.sampled_from(ENGINES),
    weights=st.builds(
        Weights,
        fabric=st.floats(0.01, 10.0),
        process=WEIGHT,
        fibre=WEIGHT,
        end_use=WEIGHT,
        quantity=WEIGHT,
        price=WEIGHT,
        lead_time=WEIGHT,
    ),
)
def test_adding_an_offered_term_never_lowers_the_score(seed, kind, index, engine, weights):
    rng = np.random.default_rng(seed)
    buyers, exhibitors = random_buyers(rng, LAYOUT, 30), random_exhibitors(rng, LAYOUT, 30)
    word, mask = bit(kind, index)
    richer = Exhibitors(**{**exhibitors.__dict__, "bits": exhibitors.bits.copy()})
    richer.bits[:, word] |= mask
    before = all_scores(buyers, exhibitors, weights, engine)
    after = all_scores(buyers, richer, weights, engine)
    assert (after >= before).all()
    if engine == "numpy":
        assert (
            scoring.pair_scores(buyers, richer, LAYOUT, weights)
            >= scoring.pair_scores(buyers, exhibitors, LAYOUT, weights)
        ).all()


@HYPOTHESIS
@given(
    seed=st.integers(0, 2**32 - 1),
    cert=st.integers(0, 12),
    lacking_first=st.booleans(),
    engine=st.sampled_from(ENGINES),
)
def test_exhibitor_lacking_a_required_certification_never_outranks_its_certified_twin(
    seed, cert, lacking_first, engine
):
    rng = np.random.default_rng(seed)
    buyers = random_buyers(rng, LAYOUT, 20)
    word, mask = bit("certification", cert)
    buyers.bits[:, word] |= mask
    others = random_exhibitors(rng, LAYOUT, 40, first_id=10)
    twin = others.take(np.array([0]))
    certified = twin.bits.copy()
    certified[:, word] |= mask
    lacking = certified.copy()
    lacking[:, word] &= ~mask
    pair = [lacking, certified] if lacking_first else [certified, lacking]
    exhibitors = Exhibitors(
        ids=np.arange(1, 43, dtype=np.int64),
        bits=np.concatenate([*pair, others.bits]),
        **{
            name: np.concatenate([np.repeat(getattr(twin, name), 2), getattr(others, name)])
            for name in ("moq", "capacity", "price_min", "price_max", "lead_time")
        },
    )
    lacking_idx, certified_idx = (0, 1) if lacking_first else (1, 0)
    result = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=42, engine=engine)
    for row in result.exhibitor.tolist():
        if lacking_idx in row:
            assert certified_idx in row
            assert row.index(certified_idx) < row.index(lacking_idx)


@pytest.mark.parametrize("engine", ENGINES)
def test_planted_exact_fit_ranks_first_among_a_thousand(engine):
    rng = np.random.default_rng(2026)
    n_buyers = 25
    # Specific needs, as a real sourcing brief has: a random mill rarely covers all of them.
    wants = {"fabric": (2, 3), "process": (2, 2), "fibre": (1, 2), "end_use": (1, 1), "certification": (0, 1)}
    buyers = random_buyers(rng, LAYOUT, n_buyers, wants=wants)
    randoms = random_exhibitors(rng, LAYOUT, 1000, first_id=1)
    # One exhibitor built for each buyer: every wanted term and certification, MOQ below the order,
    # capacity for it, price inside the target range, delivery in time; each placed at a random id.
    planted_ids = rng.choice(np.arange(1, 1001 + n_buyers), size=n_buyers, replace=False)
    all_ids = np.setdiff1d(np.arange(1, 1001 + n_buyers), planted_ids)
    qty = np.where(np.isnan(buyers.quantity), 5000.0, buyers.quantity)
    low = np.where(np.isnan(buyers.price_min), 1.0, buyers.price_min)
    high = np.where(np.isnan(buyers.price_max), low + 1.0, buyers.price_max)
    lead = np.where(np.isnan(buyers.lead_time), 30.0, buyers.lead_time)
    planted = Exhibitors(
        ids=planted_ids.astype(np.int64),
        bits=buyers.bits.copy(),
        moq=qty / 2,
        capacity=qty * 10,
        price_min=low,
        price_max=np.maximum(low, high - 0.01),
        lead_time=np.maximum(1.0, lead - 1),
    )
    pool = {
        name: np.concatenate([getattr(randoms, name), getattr(planted, name)])
        for name in ("bits", "moq", "capacity", "price_min", "price_max", "lead_time")
    }
    ids = np.concatenate([all_ids, planted_ids]).astype(np.int64)
    order = np.argsort(ids)
    exhibitors = Exhibitors(ids=ids[order], **{name: value[order] for name, value in pool.items()})
    result = scoring.top_k(buyers, exhibitors, LAYOUT, Weights(), k=5, engine=engine)
    firsts = exhibitors.ids[result.exhibitor[:, 0]]
    assert firsts.tolist() == planted_ids.tolist()
    assert np.allclose(result.score[:, 0], 1.0)


# --- adjustments and reasons ---------------------------------------------------------------------


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


def test_explain_names_the_matched_terms_and_fits():
    buyer = buyers_of(
        [
            {
                "bits": words(fabric=[3, 4], process=[10, 11], certification=[0]),
                "quantity": 20000,
                "price_min": 9.0,
                "price_max": 14.0,
                "lead_time": 30,
            }
        ]
    )
    exhibitor = exhibitors_of(
        [
            {
                "bits": words(fabric=[3, 4, 7], process=[10], certification=[0, 2]),
                "moq": 1000,
                "capacity": 200000,
                "price_min": 9.5,
                "price_max": 12.0,
                "lead_time": 20,
            }
        ]
    )
    codes, terms = scoring.explain(
        buyer,
        exhibitor,
        LAYOUT,
        buyer_idx=np.array([0]),
        exhibitor_idx=np.array([0]),
        demoted=np.array([True]),
    )
    assert codes.tolist() == [
        REASON_CERTIFIED
        | REASON_MOQ_OK
        | REASON_CAPACITY_OK
        | REASON_PRICE_IN_RANGE
        | REASON_LEAD_TIME_OK
        | REASON_EXISTING_CUSTOMER
    ]
    decoded = scoring.decode_terms(LAYOUT, terms[0])
    ids = LAYOUT.term_ids
    assert decoded == {
        "fabric": [ids["fabric"][3], ids["fabric"][4]],
        "process": [ids["process"][10]],
        "fibre": [],
        "end_use": [],
        "certification": [ids["certification"][0]],
    }


def test_encode_bits_ignores_terms_outside_the_layout():
    layout = Layout.from_terms({"fabric": [10, 11], "certification": [50]})
    bits = scoring.encode_bits(
        layout=layout, n_rows=2, rows=np.array([0, 0, 1, 1]), term_ids=np.array([11, 99, 50, 10])
    )
    assert bits.tolist() == [[2, 0, 0, 0, 0], [1, 0, 0, 0, 1]]
    assert layout.term_at(64 * 4) == ("certification", 50)
    assert layout.term_at(5) is None


def test_layout_json_round_trip():
    layout = layout_for()
    assert Layout.from_json(layout.to_json()) == layout


def test_exhibitors_npz_round_trip():
    exhibitors = random_exhibitors(np.random.default_rng(1), LAYOUT, 5)
    back = Exhibitors.from_npz_bytes(exhibitors.to_npz_bytes())
    for name in ("ids", "bits", "moq", "capacity", "price_min", "price_max", "lead_time"):
        assert np.array_equal(getattr(back, name), getattr(exhibitors, name), equal_nan=True)


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
