"""Hashed character n-gram features, computed for a whole batch at once with numpy.

Every text of a batch is laid end to end in one array of code points, each text
preceded by a boundary marker (0), so the n-grams of all texts come out of a few
whole-array operations (no Python loop over documents). An n-gram is kept only
when it lies inside one text; the boundary marker itself may start an n-gram,
which gives "begins with ..." features for free.

Channels (each hashed with its own salt into the same table):
- ``char``: n-grams of the normalized text (lower-cased, blanks collapsed,
  runs of one character cut to two, so ``ㅋㅋㅋㅋㅋ`` and ``ㅋㅋ`` look alike);
- ``initial``: n-grams of the text with every Hangul syllable replaced by its
  initial consonant, which ties abbreviations (``ㅅㅂ``) to the spelled-out word;
- ``word``: n-grams of whole eojeol (blank-separated tokens, hashed in one pass with
  ``np.add.reduceat``), so a whole insult weighs more than the character n-grams it
  shares with harmless words.

Weighting (idf, length normalization) belongs to the model, which knows the
training corpus; this module only says which buckets a text hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the high bits of h * _MIX are well mixed
_STEP = np.uint64(0x100000001B3)  # FNV prime: rolling multiplier of the polynomial hash
_BOUNDARY = 0
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_SYLLABLES_PER_INITIAL = 21 * 28
# Compatibility jamo of the 19 initial consonants, in Unicode syllable order.
_INITIALS = np.array([ord(c) for c in "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"], dtype=np.uint32)


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams to hash and into how many buckets; stored with the model."""

    bits: int = 20
    char_orders: tuple[int, ...] = (1, 2, 3, 4)
    initial_orders: tuple[int, ...] = (2, 3)
    word_orders: tuple[int, ...] = ()  # (1, 2) tried: +0.003 CV macro-F1, not on held-out; slower

    def to_dict(self) -> dict[str, object]:
        return {"bits": self.bits, "char_orders": list(self.char_orders),
                "initial_orders": list(self.initial_orders), "word_orders": list(self.word_orders)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> FeatureSpec:
        return cls(bits=int(data["bits"]), char_orders=tuple(data["char_orders"]),
                   initial_orders=tuple(data["initial_orders"]), word_orders=tuple(data.get("word_orders", ())))


@dataclass(frozen=True)
class HashedBatch:
    """The n-grams of a batch: n-gram ``i`` fell in ``bucket[i]`` and came from text ``doc[i]``."""

    doc: np.ndarray  # int64, non-decreasing within each channel and order
    bucket: np.ndarray  # int32 in [0, 2**bits)
    n_docs: int  # texts, or pieces when chunked
    piece_doc: np.ndarray | None = None  # chunked: the text each piece belongs to


# Blanks as Python's str.isspace() sees them (Unicode White_Space plus the separators
# \x1c-\x1f), so the Polars path and the small-batch Python path agree character for character.
_BLANKS = r"[\s\x1c-\x1f]+"
_BLANKS_PY = re.compile(r"\s+")
SMALL_BATCH = 64  # up to this many texts, plain Python string methods beat Polars' per-call overhead


def normalize(texts: pl.Series) -> pl.Series:
    """The text the features see: lower case, one space for any run of blanks, trimmed."""
    return texts.fill_null("").str.to_lowercase().str.replace_all(_BLANKS, " ").str.strip_chars(" ")


def normalize_small(texts: list[str | None]) -> list[str]:
    """``normalize`` for a handful of texts (a single-text call costs ~20 us here, ~400 us in Polars)."""
    return [_BLANKS_PY.sub(" ", (text or "").lower()).strip(" ") for text in texts]


def code_points(texts: pl.Series | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts as one uint32 code-point array, each preceded by the boundary marker,
    and the text index of every position."""
    if isinstance(texts, list):
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    else:
        lengths = texts.str.len_chars().to_numpy().astype(np.int64)
        texts = texts.to_list()
    joined = "\0" + "\0".join(texts) if len(texts) else ""
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    return points, doc


def squeeze_runs(points: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut every run of one repeated character to two (ㅋㅋㅋㅋ -> ㅋㅋ, !!!! -> !!)."""
    if len(points) < 3:
        return points, doc
    keep = np.ones(len(points), dtype=bool)
    # A boundary marker is never cut: every text keeps its own, even empty texts in a row.
    keep[2:] = ~((points[2:] == points[1:-1]) & (points[1:-1] == points[:-2])) | (points[2:] == _BOUNDARY)
    return points[keep], doc[keep]


def initials(points: np.ndarray) -> np.ndarray:
    """Hangul syllables replaced by their initial consonant; other characters kept."""
    syllable = (points >= _HANGUL_FIRST) & (points <= _HANGUL_LAST)
    out = points.copy()
    out[syllable] = _INITIALS[(points[syllable] - _HANGUL_FIRST) // _SYLLABLES_PER_INITIAL]
    return out


def _rolling_buckets(values: np.ndarray, orders: tuple[int, ...], salt: int,
                     bits: int) -> list[tuple[int, np.ndarray]]:
    """(n, bucket of the n-gram starting at every position that has one) for each order, in
    ascending order, as long as the code points are that long: the one n-gram hash of training
    (``hash_batch``) and scoring (``position_grams``); whether an n-gram lies inside one text is
    the caller's mask."""
    shift = np.uint64(64 - bits)
    values = values.astype(np.uint64)
    out = []
    rolling = np.full(len(values), np.uint64(salt), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, max(orders, default=0) + 1):
            count = len(values) - n + 1
            if count <= 0:
                break
            rolling = rolling[:count] * _STEP + values[n - 1 :]
            if n in orders:
                # < 2**bits; int32 halves the gathers' traffic
                out.append((n, (((rolling + np.uint64(n)) * _MIX) >> shift).astype(np.int32)))
    return out


def _ngrams(points: np.ndarray, doc: np.ndarray, orders: tuple[int, ...], salt: int, bits: int):
    """Bucket and text index of every n-gram of the given orders that lies inside one text."""
    buckets, docs = [], []
    for n, hashed in _rolling_buckets(points, orders, salt, bits):
        inside = doc[: len(hashed)] == doc[n - 1 :]
        buckets.append(hashed[inside])
        docs.append(doc[: len(hashed)][inside])
    return buckets, docs


def _word_ngrams(points: np.ndarray, doc: np.ndarray, orders: tuple[int, ...], salt: int, bits: int):
    """Bucket and text index of every n-gram of whole words (maximal runs of non-blank
    characters) that lies inside one text (or piece)."""
    if not orders or len(points) == 0:
        return [], []
    shift = np.uint64(64 - bits)
    blank = (points == 32) | (points == _BOUNDARY)
    # A word starts at a non-blank position after a blank or at a new text (or piece).
    starts_word = ~blank
    starts_word[1:] &= blank[:-1] | (doc[1:] != doc[:-1])
    start = np.flatnonzero(starts_word)
    if len(start) == 0:
        return [], []
    word_of = np.cumsum(starts_word) - 1  # word index of each position (valid where not blank)
    inside = ~blank
    offset = np.arange(len(points), dtype=np.int64) - start[np.maximum(word_of, 0)]
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(int(offset[inside].max()) + 1, _STEP, dtype=np.uint64))
        contribution = np.zeros(len(points), dtype=np.uint64)
        contribution[inside] = points[inside].astype(np.uint64) * powers[offset[inside]]
        # Blanks contribute 0, and each word's segment ends where the next word starts.
        word_hash = np.add.reduceat(contribution, start) + np.uint64(salt)
        word_doc = doc[start]
        buckets, docs = [], []
        rolling = word_hash
        for n in range(1, max(orders) + 1):
            count = len(word_hash) - n + 1
            if count <= 0:
                break
            if n > 1:
                rolling = rolling[:count] * _STEP + word_hash[n - 1 :]
            if n not in orders:
                continue
            same = word_doc[:count] == word_doc[n - 1 :]
            buckets.append((((rolling[same] + np.uint64(n)) * _MIX) >> shift).astype(np.int32))
            docs.append(word_doc[:count][same])
    return buckets, docs


def chunk_units(doc: np.ndarray, n_docs: int, chunk_chars: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut every text into pieces of ``chunk_chars`` code points: the piece of every position,
    and the text of every piece. The model learnt from comments of at most ~135 characters;
    a long document is scored piece by piece instead of as one huge comment."""
    lengths = np.bincount(doc, minlength=n_docs)  # each text's length + its boundary marker
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    pieces = (lengths + chunk_chars - 1) // chunk_chars
    first_piece = np.concatenate([[0], np.cumsum(pieces)[:-1]])
    position = np.arange(len(doc), dtype=np.int64) - starts[doc]
    return first_piece[doc] + position // chunk_chars, np.repeat(np.arange(n_docs, dtype=np.int64), pieces)


def hash_batch(texts: pl.Series | list[str], spec: FeatureSpec, chunk_chars: int | None = None) -> HashedBatch:
    """The n-grams of ``texts``; with ``chunk_chars``, ``doc`` numbers pieces of texts
    (``HashedBatch.piece_doc`` maps them to texts) instead of whole texts."""
    series = texts if isinstance(texts, pl.Series) else pl.Series("text", texts, dtype=pl.Utf8)
    points, doc = code_points(normalize(series))
    piece_doc = None
    if chunk_chars:
        doc, piece_doc = chunk_units(doc, len(series), chunk_chars)
    points, doc = squeeze_runs(points, doc)
    buckets, docs = _ngrams(points, doc, spec.char_orders, salt=0x5EED, bits=spec.bits)
    more_buckets, more_docs = _ngrams(initials(points), doc, spec.initial_orders, salt=0xC0DE, bits=spec.bits)
    word_buckets, word_docs = _word_ngrams(points, doc, spec.word_orders, salt=0xB0A7, bits=spec.bits)
    buckets, docs = buckets + more_buckets + word_buckets, docs + more_docs + word_docs
    bucket = np.concatenate(buckets) if buckets else np.zeros(0, np.int32)
    doc_of = np.concatenate(docs) if docs else np.zeros(0, np.int64)
    n_units = len(series) if piece_doc is None else len(piece_doc)
    return HashedBatch(doc=doc_of, bucket=bucket, n_docs=n_units, piece_doc=piece_doc)


@dataclass(frozen=True)
class PositionGrams:
    """The n-grams of a batch laid out by position, for scoring: ``bucket[i, j]`` is the bucket
    of the ``j``-th n-gram kind (char orders, then initial orders) starting at position ``i``,
    -1 where that n-gram would cross into the next text. Text ``t`` owns positions
    ``start[t]:start[t + 1]``, so a per-text sum is one ``np.add.reduceat`` (no sort, no
    sparse matrix, no compaction of the masked n-grams)."""

    bucket: np.ndarray  # (positions, kinds) int32
    start: np.ndarray  # (texts,) int64, strictly increasing (each text has its boundary marker)


def position_grams(texts: pl.Series | list[str], spec: FeatureSpec) -> PositionGrams:
    """The same n-grams as ``hash_batch`` (char and initial-consonant channels; word n-grams
    are not supported here), one row per position."""
    if spec.word_orders:
        raise ValueError("position_grams does not hash word n-grams; use hash_batch")
    if len(texts) <= SMALL_BATCH:
        normalized = normalize_small(texts if isinstance(texts, list) else texts.to_list())
    else:
        normalized = normalize(texts if isinstance(texts, pl.Series) else pl.Series("text", texts, dtype=pl.Utf8))
    points, doc = squeeze_runs(*code_points(normalized))
    channels = [(0x5EED, spec.char_orders, points), (0xC0DE, spec.initial_orders, initials(points))]
    out = np.full((len(points), len(spec.char_orders) + len(spec.initial_orders)), -1, dtype=np.int32)
    first = 0  # the channel's first column: one column per order, ascending (too long for the batch: all -1)
    for salt, orders, source in channels:
        columns = {n: first + i for i, n in enumerate(sorted(set(orders)))}
        for n, hashed in _rolling_buckets(source, orders, salt, spec.bits):
            count = len(hashed)
            out[:count, columns[n]] = np.where(doc[:count] == doc[n - 1:], hashed, -1)
        first += len(columns)
    start = np.searchsorted(doc, np.arange(len(texts), dtype=np.int64))
    return PositionGrams(bucket=out, start=start)


# Hangul syllable -> its initial consonant, for str.translate (``initials`` on one string).
_INITIALS_TABLE = {point: int(_INITIALS[(point - _HANGUL_FIRST) // _SYLLABLES_PER_INITIAL])
                   for point in range(_HANGUL_FIRST, _HANGUL_LAST + 1)}
_RUNS = re.compile(r"([^\0])\1\1+", re.DOTALL)  # ``squeeze_runs`` on one string: the marker is never cut
_U64 = 1 << 64


class OneTextHasher:
    """``position_grams`` for one short text in about ten numpy calls instead of several dozen (the
    per-call overhead, not the arithmetic, is what a single text costs).

    The rolling hash of an n-gram is a polynomial in its code points modulo 2**64, so
    ``(hash + n) * _MIX`` of every n-gram kind at every position is one uint64 matrix product
    of the text's sliding windows (both channels side by side) with a constant matrix, plus a
    constant: the same integers the rolling loop computes, bit for bit."""

    def __init__(self, spec: FeatureSpec) -> None:
        if spec.word_orders:
            raise ValueError("OneTextHasher does not hash word n-grams; use hash_batch")
        kinds = [(0, 0x5EED, n) for n in spec.char_orders] + [(1, 0xC0DE, n) for n in spec.initial_orders]
        self.width = max((n for _, _, n in kinds), default=1)  # the longest n-gram
        self.pad = self.width - 1  # code points after a text's end that a window may read (masked)
        self.bits = spec.bits
        step, mix = int(_STEP), int(_MIX)
        # Row c * width + j: the j-th code point of a window of channel c.
        self._coef = np.zeros((len(kinds), 2 * self.width), dtype=np.uint64)
        self._offset = np.zeros((len(kinds), 1), dtype=np.uint64)
        # The last ``pad`` positions: an n-gram starting q positions before the end exists iff
        # n <= q; ``np.maximum`` with 2**bits (0 where it exists) marks the others.
        self._last = np.zeros((len(kinds), self.pad), dtype=np.uint64)
        for kind, (channel, salt, n) in enumerate(kinds):
            for j in range(n):
                self._coef[kind, channel * self.width + j] = pow(step, n - 1 - j, _U64) * mix % _U64
            self._offset[kind] = (salt * pow(step, n, _U64) + n) * mix % _U64
            self._last[kind] = [0 if n <= self.pad - r else 1 << spec.bits for r in range(self.pad)]
        self._shift = np.uint64(64 - spec.bits)

    def buckets(self, text: str | None) -> np.ndarray:
        """(kinds, positions) int64: ``position_grams([text]).bucket.T``, except that an n-gram
        crossing the text's end is ``2**bits`` instead of -1 (both index the scorer's last slot)."""
        squeezed = _RUNS.sub(r"\1\1", normalize_small([text])[0])
        positions, pad = len(squeezed) + 1, "\0" * self.pad
        joined = "\0" + squeezed + pad + "\0" + squeezed.translate(_INITIALS_TABLE) + pad
        points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        # (positions, 2, width) windows, channel 1 starting positions + pad code points later.
        windows = np.ndarray((positions, 2, self.width), np.uint64, points, 0, (8, (positions + self.pad) * 8, 8))
        hashed = np.matmul(self._coef, windows.reshape(positions, -1).T)  # wraps modulo 2**64, as the loop
        hashed += self._offset
        hashed >>= self._shift
        tail = min(positions, self.pad)
        if tail:
            np.maximum(hashed[:, -tail:], self._last[:, -tail:], out=hashed[:, -tail:])
        return hashed.view(np.int64)
