"""Character n-gram (shingle) hashes for a whole column of texts in a few numpy passes.

All texts are concatenated and viewed as UTF-32 code points; a polynomial hash of
every window of ``n`` code points is built with ``n`` vectorized multiply-adds over
the whole array, then finalized with the splitmix64 mixer so that similar windows get
unrelated hashes. Windows that straddle two texts are discarded by position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

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
    """Shingle hashes of ``count`` texts, grouped by text in text order.

    ``starts[i]`` is the index in ``hashes`` of text i's first shingle; texts with no
    shingle have ``sizes[i] == 0`` (and ``starts[i]`` is where they would begin).
    """

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64, one per text
    sizes: np.ndarray  # int64, one per text

    @property
    def owner(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.sizes), dtype=np.int64), self.sizes)


def code_points(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts concatenated (uint32) and each text's length in code points."""
    texts = texts.fill_null("")
    lengths = texts.str.len_chars().to_numpy().astype(np.int64)
    joined = "".join(texts.to_list())
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32), lengths


def shingle_hashes(texts: pl.Series, n: int, short: str = "whole") -> Shingles:
    """Hashes of the character ``n``-grams of every text.

    A text shorter than ``n`` (but not empty) yields one shingle, the whole text, when
    ``short == "whole"``, and none when ``short == "skip"``. Empty texts yield none.
    """
    if short == "whole":
        nonempty = texts.fill_null("").str.len_chars() > 0
        # pad with NUL (never present after normalization) so every non-empty text has a window
        texts = pl.select(pl.when(nonempty).then(texts.fill_null("").str.pad_end(n, "\x00"))
                          .otherwise(pl.lit(""))).to_series()
    cps, lengths = code_points(texts)
    total = len(cps)
    windows = max(total - n + 1, 0)
    h = np.zeros(windows, dtype=np.uint64)
    for k in range(n):
        h *= _POLY
        h += cps[k:k + windows]
    sizes = np.maximum(lengths - n + 1, 0)
    text_starts = np.cumsum(lengths) - lengths
    # valid window positions: for text i, text_starts[i] .. text_starts[i] + sizes[i] - 1
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), sizes)
    shingle_starts = np.cumsum(sizes) - sizes
    positions = text_starts[owner] + (np.arange(len(owner), dtype=np.int64) - shingle_starts[owner])
    hashes = splitmix64(h[positions] ^ np.uint64(n))
    return Shingles(hashes=hashes, starts=shingle_starts, sizes=sizes.astype(np.int64))
