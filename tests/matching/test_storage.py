"""Writing match rows: the COPY BINARY stream, from the compiled kernel or from numpy."""

import numpy as np
import pytest

from matching.services import storage


def _rows(with_id: bool) -> storage.MatchRows:
    rng = np.random.default_rng(3)
    n = 257
    return storage.MatchRows(
        id=rng.integers(0, 2**53, n) if with_id else None,
        buyer_id=np.sort(rng.integers(1, 2**40, n)),
        exhibitor_id=rng.integers(1, 2**40, n),
        rank=rng.integers(1, 101, n),
        score=rng.random(n),
        reason_codes=rng.integers(0, 2**9, n).astype(np.int32),
        reason_terms=rng.integers(0, 2**63, (n, 5), dtype=np.int64).astype(np.uint64) * np.uint64(2),
    )


@pytest.mark.parametrize("with_id", [True, False])
def test_copy_stream_from_the_kernel_equals_numpy_byte_for_byte(monkeypatch, with_id):
    from matching import scoring
    from matching.scoring import kernel, numba_engine

    rows = _rows(with_id)
    monkeypatch.setattr(numba_engine, "_loaded", None)
    by_numpy = storage._copy_binary(rows, 4242)
    assert scoring.kernel_loaded() is False
    monkeypatch.setattr(numba_engine, "_loaded", kernel.kernel_parallel)
    by_kernel = storage._copy_binary(rows, 4242)
    assert isinstance(by_kernel, memoryview)
    assert bytes(by_kernel) == by_numpy
    assert by_numpy[:11] == b"PGCOPY\n\xff\r\n\x00"
    # header 19 bytes; a row: field count 2, then per column a 4-byte length and its value
    assert (
        len(by_numpy) == 19 + len(rows) * (2 + 4 * (7 + with_id) + 2 + 8 + 4 + 40 + 3 * 8 + 8 * with_id) + 2
    )
