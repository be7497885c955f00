"""Explanation: the reasons of a pair from the same bits and numbers as its score."""

import numpy as np
import pytest

from matching import scoring
from matching.scoring import (
    REASON_CAPACITY_OK,
    REASON_CERTIFIED,
    REASON_EXISTING_CUSTOMER,
    REASON_LEAD_TIME_OK,
    REASON_MOQ_OK,
    REASON_PRICE_IN_RANGE,
)
from tests.matching.profiles import LAYOUT, buyers_of, exhibitors_of, words


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


@pytest.mark.parametrize("variant", ["kernel", "kernel_parallel"])
def test_compiled_explanation_equals_numpy_on_every_pair(monkeypatch, variant):
    from matching.scoring import kernel, numba_engine
    from tests.matching.synthetic import random_buyers, random_exhibitors

    monkeypatch.setattr(numba_engine, "_loaded", getattr(kernel, variant))  # one thread or every core
    rng = np.random.default_rng(5)
    buyers, exhibitors = random_buyers(rng, LAYOUT, 60), random_exhibitors(rng, LAYOUT, 70)
    b_idx, e_idx = (a.ravel() for a in np.meshgrid(np.arange(60), np.arange(70), indexing="ij"))
    demoted = rng.random(len(b_idx)) < 0.1
    numpy_codes, numpy_terms = scoring.explain(
        buyers, exhibitors, LAYOUT, buyer_idx=b_idx, exhibitor_idx=e_idx, demoted=demoted
    )
    numba_codes, numba_terms = scoring.explain(
        buyers, exhibitors, LAYOUT, buyer_idx=b_idx, exhibitor_idx=e_idx, demoted=demoted, engine="numba"
    )
    assert numba_codes.dtype == numpy_codes.dtype == np.int32
    assert numba_codes.tolist() == numpy_codes.tolist()
    assert numba_terms.tolist() == numpy_terms.tolist()
    assert len(set(numpy_codes.tolist())) > 20  # the random profiles reach many combinations of flags
