"""Candidate pairs from LSH buckets, optionally verified by estimated Jaccard.

Documents are numbered 0..N-1 in input order. For each band, documents with equal
band hash form a bucket; each member is paired with the bucket's *first* document
(lowest number): a star per bucket keeps the edge list linear in N while keeping
every bucket connected, and the first document is the one the keep rule keeps, so
verification compares each candidate with the copy that survives.
"""

from __future__ import annotations

import numpy as np

from curate.dedup.arrays import unique_sorted


def bucket_edges(bands: np.ndarray, valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Unique (first, member) pairs, first < member, of documents sharing any band bucket.

    ``bands`` is (N, B) uint64; rows where ``valid`` is False (no shingles) never pair.
    """
    n_docs = bands.shape[0]
    index = np.arange(n_docs, dtype=np.int64) if valid is None else np.flatnonzero(valid).astype(np.int64)
    firsts, members = [], []
    for band in range(bands.shape[1]):
        h = bands[index, band]
        order = np.argsort(h)  # not stable (7x faster): the bucket's first is taken by a min below
        hs, ds = h[order], index[order]
        new_bucket = np.empty(len(hs), dtype=bool)
        new_bucket[:1] = True
        new_bucket[1:] = hs[1:] != hs[:-1]
        starts = np.flatnonzero(new_bucket)
        if len(starts) == len(hs):
            continue  # every bucket holds one document
        bucket_first = np.repeat(np.minimum.reduceat(ds, starts), np.diff(np.append(starts, len(hs))))
        paired = ds != bucket_first
        firsts.append(bucket_first[paired])
        members.append(ds[paired])
    if n_docs == 0 or not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # one int64 key per pair, deduplicated by sorting (see curate.dedup.arrays)
    keys = unique_sorted(np.concatenate(firsts) * np.int64(n_docs) + np.concatenate(members))
    return keys // n_docs, keys % n_docs


def estimated_jaccard(sig: np.ndarray, u: np.ndarray, v: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """Fraction of equal signature values for each pair (u[i], v[i])."""
    out = np.empty(len(u), dtype=np.float64)
    for lo in range(0, len(u), block):
        hi = lo + block
        out[lo:hi] = (sig[u[lo:hi]] == sig[v[lo:hi]]).mean(axis=1)
    return out
