"""Encoding: term bits in the layout, and the layout and exhibitor snapshots round-tripping."""

import numpy as np

from matching import scoring
from matching.scoring import (
    Exhibitors,
    Layout,
)
from tests.matching.profiles import LAYOUT
from tests.matching.synthetic import layout_for, random_exhibitors


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


def test_encode_bits_is_the_same_for_small_and_huge_term_ids_and_repeated_rows():
    """Small ids are looked up in a table, huge ones searched: the same bits, repeats OR'ed once."""
    small = Layout.from_terms({"fabric": [3, 4, 70], "fibre": [5], "certification": [9]})
    huge = Layout.from_terms(
        {"fabric": [3 << 40, 4 << 40, 70 << 40], "fibre": [5 << 40], "certification": [9 << 40]}
    )
    rows = np.array([2, 0, 2, 2, 1, 0, 2])
    ids = np.array([70, 5, 3, 70, 9, 8, 9])  # 70 twice for row 2; 8 is in no layout
    expected = [[0, 0, 1, 0, 0], [0, 0, 0, 0, 1], [5, 0, 0, 0, 1]]
    assert scoring.encode_bits(layout=small, n_rows=3, rows=rows, term_ids=ids).tolist() == expected
    assert scoring.encode_bits(layout=huge, n_rows=3, rows=rows, term_ids=ids << 40).tolist() == expected
