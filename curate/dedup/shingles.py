"""Character n-gram (shingle) hashes for a whole column of texts in a few numpy passes.

Texts are normalized and concatenated as one array of code points
(``normalized_code_points``); a polynomial hash of every window of ``n`` code points is
built with ``n`` vectorized multiply-adds over the whole array and finalized with the
splitmix64 mixer, so that similar windows get unrelated hashes. Windows that straddle
two texts are masked out by position (a difference array over text ends), never by a
per-text loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from curate.dedup.normalize import normalized_code_points

_POLY = np.uint64(0x100000001B3)  # FNV prime: odd, large, spreads code points over 64 bits


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer, elementwise on uint64 (wrapping arithmetic is intended)."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


@dataclass(frozen=True)
class Shingles:
    """Shingle hashes of ``len(sizes)`` texts, grouped by text in text order.

    Text i's shingles are ``hashes[starts[i]:starts[i] + sizes[i]]``.
    """

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64, one per text
    sizes: np.ndarray  # int64, one per text

    @property
    def owner(self) -> np.ndarray:
        """The text each shingle belongs to."""
        return np.repeat(np.arange(len(self.sizes), dtype=np.int64), self.sizes)


def _window_hashes(cps: np.ndarray, n: int) -> np.ndarray:
    windows = max(len(cps) - n + 1, 0)
    h = np.zeros(windows, dtype=np.uint64)
    for k in range(n):
        h *= _POLY
        h += cps[k:k + windows]
    return h


def shingle_hashes(texts: pl.Series, n: int, short: str = "whole") -> Shingles:
    """Hashes of the character ``n``-grams of every text, after normalization.

    A text whose normalized form is shorter than ``n`` (but not empty) yields one
    shingle, the whole text, when ``short == "whole"``, and none when ``short == "skip"``.
    """
    cps, lengths = normalized_code_points(texts)
    ends = np.cumsum(lengths)
    begins = ends - lengths
    h = _window_hashes(cps, n)
    # window i is valid when it ends inside its text: mark [max(begin, end-n+1), end) invalid
    diff = np.bincount(np.maximum(begins, ends - n + 1), minlength=len(cps) + 1)[:len(cps) + 1]
    diff = diff - np.bincount(ends, minlength=len(cps) + 1)[:len(cps) + 1]
    valid = np.cumsum(diff)[:len(h)] == 0
    long_hashes = splitmix64(h[valid] ^ np.uint64(n))
    sizes = np.maximum(lengths - n + 1, 0)
    short_docs = np.flatnonzero((lengths > 0) & (lengths < n)) if short == "whole" else np.empty(0, np.int64)
    if len(short_docs) == 0:
        return Shingles(hashes=long_hashes, starts=np.cumsum(sizes) - sizes, sizes=sizes)
    # short texts: one window, the text padded with zeros (never a normalized code point)
    idx = begins[short_docs, None] + np.arange(n)[None, :]
    inside = idx < ends[short_docs, None]
    padded = np.where(inside, cps[np.minimum(idx, len(cps) - 1)], 0).astype(np.uint64)
    hs = np.zeros(len(short_docs), dtype=np.uint64)
    for k in range(n):
        hs *= _POLY
        hs += padded[:, k]
    sizes[short_docs] = 1
    starts = np.cumsum(sizes) - sizes
    hashes = np.empty(int(sizes.sum()), dtype=np.uint64)
    slot = np.zeros(len(hashes), dtype=bool)
    slot[starts[short_docs]] = True
    hashes[~slot] = long_hashes
    hashes[slot] = splitmix64(hs ^ np.uint64(n))
    return Shingles(hashes=hashes, starts=starts, sizes=sizes)
