"""Hashes of any substring of normalized text, each in O(1), from one prefix sum.

With ``Q[k] = sum_{j<k} c[j] * B^j`` (mod 2^64), the substring ``c[s:s+L]`` hashes to
``(Q[s+L] - Q[s]) * B^-s * M``: the polynomial ``sum_j c[s+j] * B^j`` times a mixing
constant, whatever ``s`` is (B is odd, so it has an inverse mod 2^64). All n-grams of a
batch cost a multiply, a cumulative sum, a difference and a multiply over the code points,
against ``n`` multiply-adds per position for a rolling window; and the same table answers
"is the answer within 200 characters after the question" for any answer length. Items and
corpus text are hashed by this one function, so their hashes agree by construction.

The top bits of the product are well mixed (every character reaches them through the
carries of the multiplications), so the index's prefilter bitmap takes its bit from them.
"""

from __future__ import annotations

import numpy as np

_B = np.uint64(0x9E3779B97F4A7C15)  # odd: invertible mod 2^64
_M = np.uint64(0xD6E8FEB86659FD93)  # odd mixing constant folded into the inverse powers
CHUNK = 1 << 22  # code points hashed at once: bounds the power tables and the temporaries

_powers = np.ones(1, dtype=np.uint64)  # B^j
_inverse = np.ones(1, dtype=np.uint64) * _M  # M * B^-j


def _b_inverse() -> np.uint64:
    """B^-1 mod 2^64 by Newton's iteration (x <- x (2 - B x) doubles the correct low bits)."""
    b, x, mask = int(_B), int(_B), (1 << 64) - 1
    for _ in range(6):
        x = (x * (2 - b * x)) & mask
    return np.uint64(x)


def _tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """B^j and M * B^-j for j < n, grown once per process as needed."""
    global _powers, _inverse
    if len(_powers) < n:
        size = max(n, 2 * len(_powers))
        base = np.full(size, _B, dtype=np.uint64)
        base[0] = 1
        inv = np.full(size, _b_inverse(), dtype=np.uint64)
        inv[0] = _M
        with np.errstate(over="ignore"):
            _powers = np.cumprod(base, dtype=np.uint64)
            _inverse = np.cumprod(inv, dtype=np.uint64)
    return _powers[:n], _inverse[:n]


class PrefixHashes:
    """The prefix sums of one run of code points, and the hash of any substring of it."""

    def __init__(self, codes: np.ndarray):
        powers, inverse = _tables(len(codes) + 1)
        self.inverse = inverse
        prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            np.cumsum(codes.astype(np.uint64) * powers[:len(codes)], out=prefix[1:])
        self.prefix = prefix

    def windows(self, n: int) -> np.ndarray:
        """Hash of ``c[s:s+n]`` for every s with s + n <= len (windows across texts included)."""
        m = len(self.prefix) - n
        if m <= 0:
            return np.empty(0, dtype=np.uint64)
        with np.errstate(over="ignore"):
            h = self.prefix[n:] - self.prefix[:m]
            h *= self.inverse[:m]
        return h

    def substrings(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Hash of ``c[s:s+L]`` for each (s, L)."""
        with np.errstate(over="ignore"):
            return (self.prefix[starts + lengths] - self.prefix[starts]) * self.inverse[starts]


def hash_whole(codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The hash of each whole text (texts given as concatenated code points and lengths),
    equal to the hash of the same characters found inside any other text."""
    out = np.empty(len(lengths), dtype=np.uint64)
    for lo, hi, first in chunks(lengths):
        hashes = PrefixHashes(codes[first:first + int(lengths[lo:hi].sum())])
        begins = np.cumsum(lengths[lo:hi]) - lengths[lo:hi]
        out[lo:hi] = hashes.substrings(begins, lengths[lo:hi])
    return out


def chunks(lengths: np.ndarray, size: int = CHUNK) -> list[tuple[int, int, int]]:
    """Texts cut into runs of about ``size`` code points: (first text, end text, first code
    point). A text longer than ``size`` is a run of its own."""
    ends = np.cumsum(lengths)
    out, lo, first = [], 0, 0
    while lo < len(lengths):
        hi = int(np.searchsorted(ends, first + size, side="right"))
        hi = max(hi, lo + 1)
        out.append((lo, hi, first))
        first = int(ends[hi - 1])
        lo = hi
    return out


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``counts[i]`` entries of each i: (i of every entry, its position 0..counts[i]-1), the
    vectorized ``[(i, k) for i, c in enumerate(counts) for k in range(c)]``."""
    row = np.repeat(np.arange(len(counts)), counts)
    return row, np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
