"""Which texts of a batch hold which benchmark items, in a few numpy passes per batch.

For every (text, probe) sharing indexed windows, with ``c`` the distinct windows they share:

- ``overlap``: ``c >= min_overlap`` of the probe's windows (the item field is copied into the
  text) or, for a text of at least ``min_text_ngrams`` windows, of the text's (the text is a
  piece of the item: one sentence of a passage). Sharing a common phrase is far from both.
- ``with_answer``: an overlap of the item's question field, and the item's normalized gold
  answer within ``answer_window`` characters after the last shared window: the question with
  its answer (datatrove indexes the n-grams spanning question and answer; "nearby" also finds
  the answer after the choices or an "정답:" label).
- ``whole``: a probe shorter than ``ngram`` equal to the whole normalized text (a line, in
  line mode): short items are matched whole, not skipped.

Everything is compared after normalization (NFKC, lowercase, letters and digits only), so
spacing and punctuation edits change nothing, and a changed particle costs only the windows
that cover it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from curate.decontam.hashing import PrefixHashes, chunks, expand
from curate.decontam.hits import HIT_SCHEMA
from curate.decontam.index import ItemIndex


def find_matches(codes: np.ndarray, lengths: np.ndarray, index: ItemIndex, min_overlap: float,
                 min_text_ngrams: int, answer_window: int, whole: bool = True) -> pl.DataFrame:
    """Hits of the normalized texts (``codes`` concatenated, ``lengths``): unit, probe, match, score.
    ``whole``: also short probes equal to a whole text."""
    parts = []
    for lo, hi, first in chunks(lengths):
        lens = lengths[lo:hi]
        run = codes[first:first + int(lens.sum())]
        hashes = PrefixHashes(run)
        parts.append(_overlaps(hashes, lens, lo, index, min_overlap, min_text_ngrams, answer_window))
        if whole:
            parts.append(_whole(hashes, lens, lo, index))
    parts = [p for p in parts if p.height]
    return pl.concat(parts) if parts else pl.DataFrame(schema=HIT_SCHEMA)


def find_whole(codes: np.ndarray, lengths: np.ndarray, index: ItemIndex) -> pl.DataFrame:
    """Texts whose whole normalized form is a short probe (the lines of a document, say)."""
    parts = [_whole(PrefixHashes(codes[first:first + int(lengths[lo:hi].sum())]), lengths[lo:hi], lo, index)
             for lo, hi, first in chunks(lengths)]
    parts = [p for p in parts if p.height]
    return pl.concat(parts) if parts else pl.DataFrame(schema=HIT_SCHEMA)


def _overlaps(hashes: PrefixHashes, lens: np.ndarray, unit0: int, index: ItemIndex, min_overlap: float,
              min_text_ngrams: int, answer_window: int) -> pl.DataFrame:
    n = index.ngram
    windows = hashes.windows(n)
    if len(windows) == 0 or len(index.gram_hash) == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)
    top = windows >> np.uint64(64 - index.bits)
    bit = (index.bitmap[(top >> np.uint64(3)).astype(np.intp)] >> (top & np.uint64(7)).astype(np.uint8)) & 1
    pos = np.flatnonzero(bit)
    ends = np.cumsum(lens)
    text = np.searchsorted(ends, pos, side="right")
    inside = pos + n <= ends[np.minimum(text, len(ends) - 1)]
    pos, text = pos[inside], text[inside]
    found = windows[pos]
    g = np.searchsorted(index.gram_hash, found)
    g = np.minimum(g, len(index.gram_hash) - 1)
    exact = index.gram_hash[g] == found
    pos, text, g = pos[exact], text[exact], g[exact]
    if len(g) == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)
    start, stop = index.gram_start[g], index.gram_start[g + 1]
    count = stop - start
    row, within = expand(count)
    probe = index.gram_probe[start[row] + within]
    pairs = (pl.DataFrame({"t": text[row], "p": probe, "g": g[row], "pos": pos[row]})
             .group_by("t", "p").agg(shared=pl.col("g").n_unique(), last=pl.col("pos").max()))
    t, p = pairs["t"].to_numpy(), pairs["p"].to_numpy()
    shared = pairs["shared"].to_numpy()
    text_grams = np.maximum(lens[t] - n + 1, 0)
    probe_grams = index.probe_grams[p]
    copied = (shared >= min_overlap * probe_grams) | (
        (text_grams >= min_text_ngrams) & (shared >= min_overlap * text_grams))
    t, p, shared, last = t[copied], p[copied], shared[copied], pairs["last"].to_numpy()[copied]
    score = shared / np.maximum(np.minimum(probe_grams[copied], np.maximum(text_grams[copied], 1)), 1)
    answered = _answer_near(hashes, ends, t, p, last + n, index, answer_window)
    return pl.DataFrame({"unit": (t + unit0).astype(np.int64), "probe": p.astype(np.int32),
                         "match": np.where(answered, "with_answer", "overlap"),
                         "score": np.minimum(score, 1.0)}, schema=HIT_SCHEMA)


def _answer_near(hashes: PrefixHashes, ends: np.ndarray, text: np.ndarray, probe: np.ndarray,
                 after: np.ndarray, index: ItemIndex, window: int) -> np.ndarray:
    """Whether the item's answer starts within ``window`` characters after ``after`` (in the
    same text), for question probes of items that have an answer."""
    answered = np.zeros(len(text), dtype=bool)
    item = index.probe_item[probe]
    length = index.answer_len[item].astype(np.int64)
    asks = np.flatnonzero(index.probe_question[probe] & (length > 0))
    if len(asks) == 0 or window <= 0:
        return answered
    last_start = np.minimum(after[asks] + window, ends[text[asks]]) - length[asks]
    tries = np.maximum(last_start - after[asks] + 1, 0)
    row, step = expand(tries)
    at = after[asks][row] + step
    same = hashes.substrings(at, length[asks][row]) == index.answer_hash[item[asks]][row]
    answered[asks[np.unique(row[same])]] = True
    return answered


def _whole(hashes: PrefixHashes, lens: np.ndarray, unit0: int, index: ItemIndex) -> pl.DataFrame:
    """Texts whose whole normalized form is a short probe."""
    short = np.flatnonzero((lens > 0) & (lens < index.ngram))
    if len(short) == 0 or len(index.short_hash) == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)
    begins = np.cumsum(lens) - lens
    whole = hashes.substrings(begins[short], lens[short])
    lo = np.searchsorted(index.short_hash, whole, side="left")
    hi = np.searchsorted(index.short_hash, whole, side="right")
    count = hi - lo
    row, within = expand(count)
    probe = index.short_probe[lo[row] + within]
    return pl.DataFrame({"unit": (short[row] + unit0).astype(np.int64), "probe": probe.astype(np.int32),
                         "match": "whole", "score": 1.0}, schema=HIT_SCHEMA)
