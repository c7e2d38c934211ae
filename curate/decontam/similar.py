"""The optional paraphrase stage: cosine of character n-gram sets, as KLUE matched by similarity.

A reworded copy (a word or two replaced, endings changed) shares no long window with its item
but most of its short ones. Each probe is a binary vector of its character ``ngram``s (3 by
default); a text and a probe are close when ``c / sqrt(|text| * |probe|) >= threshold`` (``c``
the n-grams they share). N-grams held by more than ``max_items`` probes (``습니다``, ``했다``)
are left out of every vector: they say nothing about copying and would pair every text with
every item. Slower than the overlap scan (every short window is looked up), so it is measured
and reported on its own (``benchmarks/bench_decontaminate.py``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from curate.decontam.hashing import PrefixHashes, chunks, expand
from curate.decontam.hits import HIT_SCHEMA
from curate.dedup.arrays import member

SIM_ARRAYS = ("sim_hash", "sim_start", "sim_probe", "sim_probe_grams", "sim_common")


def _pairs(codes: np.ndarray, lengths: np.ndarray, n: int) -> pl.DataFrame:
    """Distinct (t: text, h: hash) of every n-character window inside each text."""
    parts = []
    for lo, hi, first in chunks(lengths):
        lens = lengths[lo:hi]
        h = PrefixHashes(codes[first:first + int(lens.sum())]).windows(n)
        ends = np.cumsum(lens)
        owner = np.searchsorted(ends, np.arange(len(h)), side="right")
        valid = np.arange(len(h)) + n <= ends[np.minimum(owner, len(ends) - 1)]
        parts.append(pl.DataFrame({"t": owner[valid] + lo, "h": h[valid]}))
    return pl.concat(parts).unique() if parts else pl.DataFrame(schema={"t": pl.Int64, "h": pl.UInt64})


def build_similarity(codes: np.ndarray, lengths: np.ndarray, n: int, max_items: int) -> dict[str, np.ndarray]:
    pairs = _pairs(codes, lengths, n)
    spread = pairs.group_by("h").len()
    common = np.sort(spread.filter(pl.col("len") > max_items)["h"].to_numpy())
    pairs = pairs.filter(pl.col("h").is_in(spread.filter(pl.col("len") <= max_items)["h"].implode())).sort("h", "t")
    h = pairs["h"].to_numpy()
    first = np.concatenate(([True], h[1:] != h[:-1])) if len(h) else np.empty(0, bool)
    return {"sim_hash": h[first], "sim_start": np.append(np.flatnonzero(first), len(h)).astype(np.int64),
            "sim_probe": pairs["t"].to_numpy().astype(np.int32),
            "sim_probe_grams": np.bincount(pairs["t"].to_numpy(), minlength=len(lengths)).astype(np.int32),
            "sim_common": common}


def find_similar(codes: np.ndarray, lengths: np.ndarray, arrays: dict[str, np.ndarray], n: int,
                 threshold: float, min_text_ngrams: int) -> pl.DataFrame:
    """Texts whose n-gram cosine with a probe reaches ``threshold``: unit, probe, "paraphrase", cosine."""
    pairs = _pairs(codes, lengths, n)
    if pairs.height == 0 or len(arrays["sim_hash"]) == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)
    t, h = pairs["t"].to_numpy(), pairs["h"].to_numpy()
    counted = ~member(h, arrays["sim_common"])
    text_grams = np.bincount(t[counted], minlength=len(lengths))
    sim_hash = arrays["sim_hash"]
    g = np.minimum(np.searchsorted(sim_hash, h), len(sim_hash) - 1)
    hit = sim_hash[g] == h
    t, g = t[hit], g[hit]
    start, stop = arrays["sim_start"][g], arrays["sim_start"][g + 1]
    count = stop - start
    row, within = expand(count)
    probe = arrays["sim_probe"][start[row] + within]
    shared = pl.DataFrame({"unit": t[row], "probe": probe}).group_by("unit", "probe").len()
    u, p, c = shared["unit"].to_numpy(), shared["probe"].to_numpy(), shared["len"].to_numpy()
    cosine = c / np.sqrt(np.maximum(text_grams[u], 1) * np.maximum(arrays["sim_probe_grams"][p], 1))
    close = (text_grams[u] >= min_text_ngrams) & (cosine >= threshold)
    return pl.DataFrame({"unit": u[close].astype(np.int64), "probe": p[close].astype(np.int32),
                         "match": "paraphrase", "score": cosine[close]}, schema=HIT_SCHEMA)
