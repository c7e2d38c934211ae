"""The index of every benchmark item of a run, as flat arrays that workers memory-map.

Built once per run (``build_index``), written as ``.npy`` files plus ``items.arrow`` (benchmark,
split, item id of each item) and mapped read-only by every worker (``load_index``): a worker
holds no copy of its own, and processes on one node share the pages.

- ``gram_hash`` (sorted, distinct), ``gram_start``, ``gram_probe``: which probes hold each
  normalized ``ngram``-character window (CSR: the probes of gram g are
  ``gram_probe[gram_start[g]:gram_start[g+1]]``); ``probe_grams``: each probe's distinct windows.
- ``bitmap``: one bit per value of a window hash's top ``bits`` bits, set for indexed windows.
  Corpus text is almost all unindexed windows: a bit test (one gather) clears ~97% of them
  before the binary search, which is what makes the scan run at memory speed.
- ``short_hash`` / ``short_probe`` (sorted by hash): probes with fewer characters than
  ``ngram`` (but at least ``min_chars``), matched whole against whole lines.
- ``answer_hash`` / ``answer_len``: each item's normalized gold answer (length 0: none).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.ipc

from curate.decontam.hashing import PrefixHashes, chunks, hash_whole
from curate.decontam.items import BenchmarkItems
from curate.decontam.similar import SIM_ARRAYS, build_similarity
from curate.dedup.normalize import normalized_code_points

ARRAYS = ("gram_hash", "gram_start", "gram_probe", "probe_grams", "probe_item", "probe_field", "probe_question",
          "bitmap", "short_hash", "short_probe", "answer_hash", "answer_len")
ITEMS_FILE = "items.arrow"
INFO_FILE = "index.json"
BITS_PER_GRAM = 32  # bitmap bits per indexed window: ~3% of unindexed windows pass the bit test


@dataclass
class ItemIndex:
    ngram: int
    bits: int  # the bitmap has 2**bits bits
    fields: list[str]  # field names, by probe_field code
    items: pl.DataFrame  # benchmark, split, item_id: one row per item
    arrays: dict[str, np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)  # counts per benchmark and split

    def __getattr__(self, name: str) -> np.ndarray:
        arrays = self.__dict__.get("arrays", {})
        if name in arrays:
            return arrays[name]
        raise AttributeError(name)


def _window_pairs(codes: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(probe, hash) of every n-character window inside each probe."""
    owners, hashes = [], []
    for lo, hi, first in chunks(lengths):
        lens = lengths[lo:hi]
        run = codes[first:first + int(lens.sum())]
        h = PrefixHashes(run).windows(n)
        ends = np.cumsum(lens)
        owner = np.searchsorted(ends, np.arange(len(h)), side="right")
        valid = np.arange(len(h)) + n <= ends[np.minimum(owner, len(ends) - 1)]
        owners.append(owner[valid] + lo)
        hashes.append(h[valid])
    if not owners:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    return np.concatenate(owners), np.concatenate(hashes)


def build_index(benchmarks: list[BenchmarkItems], ngram: int, min_chars: int,
                similarity: tuple[int, int] | None = None) -> ItemIndex:
    """The index of every probe; with ``similarity`` = (n, max_items) also the paraphrase stage's."""
    items = pl.concat([b.items for b in benchmarks])
    offsets = np.cumsum([0] + [b.items.height for b in benchmarks])[:-1]
    probes = pl.concat([b.probes.with_columns(pl.col("item") + int(o)) for b, o in zip(benchmarks, offsets,
                                                                                      strict=True)])
    fields = sorted(set(probes["field"].to_list()))
    codes, lengths = normalized_code_points(probes["text"])
    long_probe = lengths >= ngram
    short_probe = (lengths >= min_chars) & ~long_probe
    # long probes: their distinct windows, grouped by hash
    keep_codes = np.repeat(long_probe, lengths)
    owner, hashes = _window_pairs(codes[keep_codes], lengths[long_probe], ngram)
    owner = np.flatnonzero(long_probe)[owner]
    pairs = pl.DataFrame({"h": hashes, "p": owner.astype(np.int32)}).unique().sort("h", "p")
    probe_grams = np.bincount(pairs["p"].to_numpy(), minlength=probes.height).astype(np.int32)
    h_sorted = pairs["h"].to_numpy()
    first = np.concatenate(([True], h_sorted[1:] != h_sorted[:-1])) if len(h_sorted) else np.empty(0, bool)
    gram_hash = h_sorted[first]
    gram_start = np.append(np.flatnonzero(first), len(h_sorted)).astype(np.int64)
    bits = int(min(max(np.ceil(np.log2(max(len(gram_hash), 1) * BITS_PER_GRAM)), 16), 34))
    bitmap = np.zeros(1 << (bits - 3), dtype=np.uint8)
    top = gram_hash >> np.uint64(64 - bits)
    np.bitwise_or.at(bitmap, (top >> np.uint64(3)).astype(np.int64),
                     (np.uint8(1) << (top & np.uint64(7)).astype(np.uint8)))
    # short probes: one hash of the whole normalized text
    short_ids = np.flatnonzero(short_probe)
    short_codes = codes[np.repeat(short_probe, lengths)]
    short_hash = hash_whole(short_codes, lengths[short_probe])
    order = np.argsort(short_hash, kind="stable")
    # answers
    answer_codes, answer_len = normalized_code_points(items["answer"])
    answer_hash = hash_whole(answer_codes, answer_len)
    field_code = {f: i for i, f in enumerate(fields)}
    arrays = {
        "gram_hash": gram_hash, "gram_start": gram_start, "gram_probe": pairs["p"].to_numpy(),
        "probe_grams": probe_grams, "probe_item": probes["item"].to_numpy().astype(np.int32),
        "probe_field": np.array([field_code[f] for f in probes["field"].to_list()], dtype=np.int16),
        "probe_question": probes["is_question"].to_numpy().astype(bool),
        "bitmap": bitmap, "short_hash": short_hash[order], "short_probe": short_ids[order].astype(np.int32),
        "answer_hash": answer_hash, "answer_len": answer_len.astype(np.int32),
    }
    if similarity is not None:
        arrays.update(build_similarity(codes, lengths, *similarity))
    return ItemIndex(ngram, bits, fields, items.select("benchmark", "split", "item_id"), arrays,
                     _counts(items, probes, lengths, long_probe, short_probe))


def _counts(items: pl.DataFrame, probes: pl.DataFrame, lengths: np.ndarray, long_probe: np.ndarray,
            short_probe: np.ndarray) -> dict[str, Any]:
    """Per benchmark and split: items, and probes indexed by n-grams, whole, or too short to match."""
    kind = np.where(long_probe, "ngrams", np.where(short_probe, "whole", "too_short"))
    per_probe = (probes.select("item").with_columns(kind=pl.Series(kind))
                 .join(items.with_row_index("item").with_columns(pl.col("item").cast(pl.Int64)), on="item"))
    counts: dict[str, Any] = {}
    for bench, split, n in items.group_by("benchmark", "split").len().sort("benchmark", "split").iter_rows():
        counts.setdefault(bench, {})[split] = {"items": n, "ngrams": 0, "whole": 0, "too_short": 0}
    for bench, split, k, n in per_probe.group_by("benchmark", "split", "kind").len().iter_rows():
        counts[bench][split][k] = n
    return counts


def save_index(index: ItemIndex, directory: Path) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    for name in (*ARRAYS, *(n for n in SIM_ARRAYS if n in index.arrays)):
        np.save(directory / f"{name}.npy", index.arrays[name], allow_pickle=False)
    index.items.write_ipc(directory / ITEMS_FILE, compression="uncompressed")
    info = {"ngram": index.ngram, "bits": index.bits, "fields": index.fields, "counts": index.info}
    (directory / INFO_FILE).write_text(json.dumps(info, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return info


def load_index(directory: Path) -> ItemIndex:
    """The index saved in ``directory``, its arrays memory-mapped read-only."""
    info = json.loads((directory / INFO_FILE).read_text(encoding="utf-8"))
    names = [*ARRAYS, *(n for n in SIM_ARRAYS if (directory / f"{n}.npy").exists())]
    arrays = {name: _mapped(directory / f"{name}.npy") for name in names}
    with pa.memory_map(str(directory / ITEMS_FILE)) as source:  # mapped, not read: Arrow buffers point into it
        items = pl.from_arrow(pa.ipc.open_file(source).read_all())
    assert isinstance(items, pl.DataFrame)
    return ItemIndex(info["ngram"], info["bits"], info["fields"], items, arrays, info["counts"])


def _mapped(path: Path) -> np.ndarray:
    """A saved array, memory-mapped (an empty one is read: there is nothing to map)."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:
        return np.load(path, allow_pickle=False)
