"""MinHash signatures and LSH band hashes, vectorized over all shingles of a batch.

Permutation j maps a shingle hash x (its low 32 bits) to ``(a_j * x + b_j) mod 2**32``
with odd ``a_j``: a bijection of the 32-bit space, so the minimum over a document's
shingles is a MinHash. The minima per document come from ``np.minimum.reduceat``
over the shingles (grouped by document), computed for a block of permutations and
a block of shingles at a time so that memory stays bounded and in cache.

Band b's hash folds rows ``b*r .. b*r+r-1`` of the signature with splitmix64; two
documents share a band bucket exactly when those ``r`` minima are all equal (up to
64-bit hash collisions).
"""

from __future__ import annotations

import numpy as np

from curate.dedup.shingles import Shingles, splitmix64

EMPTY = np.uint32(0xFFFFFFFF)  # signature value of a document without shingles


def permutations(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**32, size=count, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.integers(0, 2**32, size=count, dtype=np.uint64).astype(np.uint32)
    return a, b


def signatures(shingles: Shingles, num_perm: int, seed: int, group: int = 1 << 15,
               perm_block: int = 16) -> np.ndarray:
    """(documents, num_perm) uint32 MinHash signatures; documents without shingles get all EMPTY.

    Work goes in blocks of ``perm_block`` permutations x about ``group`` shingles (whole
    documents), computed in one reused buffer: a block of a few MB stays in cache, which
    made this twice as fast as blocks of 16 M values.
    """
    docs = len(shingles.sizes)
    sig = np.full((docs, num_perm), EMPTY, dtype=np.uint32)
    has = np.flatnonzero(shingles.sizes > 0)
    if len(has) == 0:
        return sig
    a, b = permutations(num_perm, seed)
    x = shingles.hashes.astype(np.uint32)  # low 32 bits
    starts = shingles.starts[has]
    ends = starts + shingles.sizes[has]
    buffer = np.empty(perm_block * (group + int(shingles.sizes.max())), dtype=np.uint32)
    first = 0
    while first < len(has):
        last = max(int(np.searchsorted(ends, starts[first] + group, "right")), first + 1)
        lo, hi = int(starts[first]), int(ends[last - 1])
        chunk = x[lo:hi]
        offsets = starts[first:last] - lo
        block = np.empty((last - first, num_perm), dtype=np.uint32)
        for p0 in range(0, num_perm, perm_block):
            p1 = min(p0 + perm_block, num_perm)
            values = buffer[:(p1 - p0) * len(chunk)].reshape(p1 - p0, len(chunk))
            np.multiply.outer(a[p0:p1], chunk, out=values)
            values += b[p0:p1, None]
            block[:, p0:p1] = np.minimum.reduceat(values, offsets, axis=1).T
        sig[has[first:last]] = block
        first = last
    return sig


def band_hashes(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(documents, bands) uint64 hashes, one per band of ``rows`` signature values."""
    out = np.empty((sig.shape[0], bands), dtype=np.uint64)
    for band in range(bands):
        h = np.full(sig.shape[0], ((band + 1) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
        for r in range(band * rows, (band + 1) * rows):
            h = splitmix64(h ^ sig[:, r].astype(np.uint64))
        out[:, band] = h
    return out
