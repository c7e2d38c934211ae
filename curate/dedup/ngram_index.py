"""Character n-gram indexes of evaluation sets and the tests of corpus texts against them.

Everything is compared after ``normalize`` (no spacing, no punctuation, NFKC, lowercase),
so a copy with changed spacing or punctuation has exactly the same n-grams.

*Overlap* (long n-grams): a corpus text and an evaluation item overlap when the number
``c`` of distinct n-grams they share reaches ``min_overlap`` of the item's n-grams (the
item is copied into the text) or of the text's (the text is a piece of the item, e.g.
one sentence of a reading-comprehension passage). Sharing one common phrase is far from
either, which is what keeps merely same-topic text.

*Similarity* (short n-grams): cosine of the binary character n-gram vectors,
``c / sqrt(|text| * |item|)``, computed for every pair sharing an n-gram straight from
the join counts. N-grams held by more than ``max_items`` items (``습니다``, ``했다``) are
left out of both vectors: they say nothing about copying and would pair every line with
every item. With small evaluation sets nothing is left out and the cosine is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from curate.dedup.arrays import member, unique_sorted
from curate.dedup.shingles import shingle_hashes


@dataclass(frozen=True)
class GramIndex:
    ngram: int
    hashes: np.ndarray  # sorted distinct hashes that are indexed
    common: np.ndarray  # sorted hashes left out (held by too many items)
    pairs: pl.DataFrame  # _hash (u64), _item (i64): which item has which n-gram, distinct
    item_grams: np.ndarray  # distinct indexed n-grams of each item


def build_gram_index(items: pl.Series, ngram: int, max_items: int | None = None) -> GramIndex:
    """Index the ``ngram``s of normalized ``items``; items shorter than ``ngram`` have none."""
    sh = shingle_hashes(items, ngram, short="skip")
    pairs = pl.DataFrame({"_hash": sh.hashes, "_item": sh.owner}).unique(maintain_order=True)
    common = np.empty(0, dtype=np.uint64)
    if max_items is not None and pairs.height:
        spread = pairs.group_by("_hash").len()
        common = np.sort(spread.filter(pl.col("len") > max_items)["_hash"].to_numpy())
        pairs = pairs.filter(pl.Series(~member(pairs["_hash"].to_numpy(), common)))
    item_grams = np.bincount(pairs["_item"].to_numpy(), minlength=len(items)).astype(np.int64)
    return GramIndex(ngram=ngram, hashes=unique_sorted(pairs["_hash"].to_numpy()), common=common,
                     pairs=pairs, item_grams=item_grams)


def shared_grams(normalized: pl.Series, index: GramIndex) -> pl.DataFrame:
    """For every (text, item) sharing an indexed n-gram: ``shared`` distinct n-grams,
    ``text_grams`` (the text's distinct n-grams, common ones left out) and ``item_grams``."""
    sh = shingle_hashes(normalized, index.ngram, short="skip")
    owner = sh.owner
    hit = member(sh.hashes, index.hashes)
    hits = pl.DataFrame({"_text": owner[hit], "_hash": sh.hashes[hit]}).unique()
    shared = (hits.join(index.pairs, on="_hash")
              .group_by(["_text", "_item"]).agg(shared=pl.len().cast(pl.Int64))
              .sort(["_text", "_item"]))
    texts_hit = np.zeros(len(normalized), dtype=bool)
    texts_hit[shared["_text"].to_numpy()] = True
    counted = texts_hit[owner] & ~member(sh.hashes, index.common)
    text_grams = (pl.DataFrame({"_text": owner[counted], "_hash": sh.hashes[counted]}).unique()
                  .group_by("_text").agg(text_grams=pl.len().cast(pl.Int64)))
    return (shared.join(text_grams, on="_text", how="left")
            .with_columns(item_grams=pl.Series(index.item_grams[shared["_item"].to_numpy()],
                                               dtype=pl.Int64)))
