"""A patched affinity matrix is written once, row runs copied from the snapshot's matrix,
and equals what stacking and reordering the rows gives."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from expertnet.panel.affinity import _merged_rows


def test_merged_rows_equal_stacked_and_reordered_rows():
    rng = np.random.default_rng(7)
    for _ in range(300):
        n, m = int(rng.integers(0, 40)), 30
        base = sparse.random(n, m, density=0.2, format="csr", rng=rng)
        keep = np.sort(rng.choice(n, int(rng.integers(0, n + 1)), replace=False)).astype(np.int64)
        fresh = sparse.random(int(rng.integers(0, 5)), m, density=0.3, format="csr", rng=rng)
        order = rng.permutation(len(keep) + fresh.shape[0])
        want = sparse.vstack([base[keep], fresh], format="csr")[order]
        got = _merged_rows(base, keep, fresh, order)
        assert got.shape == want.shape
        assert np.array_equal(got.indptr, want.indptr)
        assert np.array_equal(got.indices, want.indices)
        assert np.array_equal(got.data, want.data)
        assert got.indices.dtype == base.indices.dtype
