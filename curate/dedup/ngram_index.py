"""A long n-gram index of evaluation sets and the overlap test of corpus texts against it.

Everything is compared after ``normalize`` (no spacing, no punctuation, NFKC, lowercase),
so a copy with changed spacing or punctuation has exactly the same n-grams.

A corpus text and an evaluation item *overlap* when the number ``c`` of the item's
distinct n-grams found in the text reaches ``min_overlap`` of the item's n-grams (the
item is copied into the text) or ``min_overlap`` of the text's n-grams (the text is a
piece of the item, e.g. one sentence of a reading-comprehension passage). Sharing one
common phrase is far from either, which is what keeps merely same-topic text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import polars as pl

from curate.dedup.normalize import normalize_series
from curate.dedup.shingles import shingle_hashes


@dataclass(frozen=True)
class EvalIndex:
    ngram: int
    set_names: tuple[str, ...]
    hashes: np.ndarray  # sorted distinct n-gram hashes of all items
    pairs: pl.DataFrame  # _hash (u64), _item (i64): which item has which n-gram, distinct
    item_set: np.ndarray  # eval set number of each item
    item_ngrams: np.ndarray  # distinct n-grams of each item
    item_texts: tuple[str, ...]  # normalized items (for similarity)
    skipped_short: dict[str, int]  # items per set too short to have one n-gram


def build_index(sets: list[tuple[str, pl.Series]], ngram: int) -> EvalIndex:
    texts, set_of_item = [], []
    for number, (_, items) in enumerate(sets):
        texts.append(normalize_series(items))
        set_of_item.append(np.full(len(items), number, dtype=np.int64))
    items = pl.concat(texts) if texts else pl.Series([], dtype=pl.Utf8)
    item_set = np.concatenate(set_of_item) if set_of_item else np.empty(0, np.int64)
    shingles = shingle_hashes(items, ngram, short="skip")
    pairs = pl.DataFrame({"_hash": shingles.hashes, "_item": shingles.owner}).unique(maintain_order=True)
    item_ngrams = np.bincount(pairs["_item"].to_numpy(), minlength=len(items))
    short = shingles.sizes == 0
    skipped = {name: int((short & (item_set == i)).sum()) for i, (name, _) in enumerate(sets)}
    return EvalIndex(ngram=ngram, set_names=tuple(name for name, _ in sets),
                     hashes=np.unique(shingles.hashes), pairs=pairs, item_set=item_set,
                     item_ngrams=item_ngrams, item_texts=tuple(items.to_list()), skipped_short=skipped)


def overlapping_pairs(texts: pl.Series, index: EvalIndex) -> pl.DataFrame:
    """(text number, item number, shared n-grams, text n-grams, item n-grams) for every
    pair sharing at least one n-gram. ``texts`` are raw; they are normalized here."""
    normalized = normalize_series(texts)
    shingles = shingle_hashes(normalized, index.ngram, short="skip")
    hashes = shingles.hashes
    found = np.zeros(len(hashes), dtype=bool)
    if len(index.hashes):
        at = np.minimum(np.searchsorted(index.hashes, hashes), len(index.hashes) - 1)
        found = index.hashes[at] == hashes
    hits = pl.DataFrame({"_text": shingles.owner[found], "_hash": hashes[found]}).unique()
    shared = (hits.join(index.pairs, on="_hash")
              .group_by(["_text", "_item"]).agg(shared=pl.len())
              .sort(["_text", "_item"]))
    return shared.with_columns(
        text_ngrams=pl.Series(shingles.sizes)[shared["_text"]] if shared.height else pl.lit(0, pl.Int64),
        item_ngrams=pl.Series(index.item_ngrams)[shared["_item"]] if shared.height else pl.lit(0, pl.Int64),
        normalized=normalized.gather(shared["_text"]) if shared.height else pl.lit("", pl.Utf8),
    )


def char_ngram_cosine(a: str, b: str, n: int = 2) -> float:
    """Cosine similarity of the character ``n``-gram count vectors of two (normalized) strings."""
    ca = Counter(a[i:i + n] for i in range(len(a) - n + 1))
    cb = Counter(b[i:i + n] for i in range(len(b) - n + 1))
    if not ca or not cb:
        return 0.0
    dot = sum(count * cb[g] for g, count in ca.items())
    norm = (sum(c * c for c in ca.values()) * sum(c * c for c in cb.values())) ** 0.5
    return dot / norm
