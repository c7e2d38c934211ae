"""Score long documents by their sentences, so a news article is not judged as one huge comment.

The model learnt from comments (BEEP! at most 135 characters, K-MHaS at most 306). A text
up to ``whole_chars`` characters is scored whole, as a comment. A longer one is cut into
sentences (after . ! ? and at line breaks; a sentence longer than ``piece_chars`` into
pieces of that many characters), every sentence is scored as a comment, and the document
gets the mean of its ``top_k`` most toxic sentences: its p_hate / p_offensive / p_none
are the mean of those of the ``top_k`` sentences with the lowest p_none, each bias column
the mean of its ``top_k`` highest values. ``top_k = 1`` is the worst sentence (max): one
sentence of a crime report ("... 살해한 혐의로 구속") then decides the whole article. The
shipped value was chosen by measuring the share of Wikinews articles dropped against the
recall on toxic texts (docs/results-toxicity.md).

Everything is whole-batch: Polars splits the sentences of all long texts at once, the
scorer scores all sentences of the batch in one call, numpy aggregates them per document.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from curate.toxicity.features import SMALL_BATCH

SENTENCE_END = r"([.!?。])\s+|\s*\n\s*"


@dataclass(frozen=True)
class DocumentScoring:
    whole_chars: int = 320  # longer than any labelled comment: comments are always scored whole
    piece_chars: int = 128  # a sentence longer than this is scored in pieces of this many characters
    top_k: int = 3  # a long document's score: mean of its k most toxic sentences (1: the worst one)


def sentences(texts: pl.Series, piece_chars: int) -> tuple[pl.Series, np.ndarray]:
    """The sentences (pieces) of every text and the text each comes from; every text has at
    least one piece (an empty text one empty piece)."""
    frame = pl.DataFrame({"text": texts.fill_null(""), "doc": np.arange(len(texts), dtype=np.int64)})
    pieces = (frame.with_columns(pl.col("text").str.replace_all(SENTENCE_END, "$1\n").str.split("\n"))
              .explode("text").with_columns(pl.col("text").str.strip_chars()))
    pieces = pieces.filter((pl.col("text").str.len_chars() > 0) | ~pl.col("doc").is_duplicated())
    # Cut long sentences: piece k of a sentence is its characters [k * piece_chars, (k + 1) * piece_chars).
    count = ((pl.col("text").str.len_chars() + piece_chars - 1) // piece_chars).clip(lower_bound=1)
    cut = (pieces.with_columns(pl.int_ranges(0, count).alias("k")).explode("k")
           .select(pl.col("text").str.slice(pl.col("k") * piece_chars, piece_chars), "doc"))
    return cut["text"], cut["doc"].to_numpy()


def top_k_mean(values: np.ndarray, key: np.ndarray, doc: np.ndarray, n_docs: int, k: int) -> np.ndarray:
    """Per document, the mean of the rows of ``values`` whose ``key`` is among its ``k``
    largest (all its rows when it has fewer)."""
    order = np.lexsort((-key, doc))  # by document, then key descending
    sorted_doc = doc[order]
    first = np.searchsorted(sorted_doc, np.arange(n_docs))
    rank = np.arange(len(order)) - first[sorted_doc]
    chosen = order[rank < k]
    counts = np.bincount(doc[chosen], minlength=n_docs).astype(np.float64)
    sums = np.stack([np.bincount(doc[chosen], weights=values[chosen, j], minlength=n_docs)
                     for j in range(values.shape[1])], axis=1)
    return sums / np.maximum(counts, 1)[:, None]


DEFAULT_DOCUMENT_SCORING = DocumentScoring()


def score_documents(scorer, texts: pl.Series | list[str], rule: DocumentScoring) -> np.ndarray:
    """(texts, 5) probabilities: short texts whole, long ones by their sentences."""
    if isinstance(texts, pl.Series) and len(texts) <= SMALL_BATCH:
        texts = texts.to_list()
    if isinstance(texts, list):
        if len(texts) <= SMALL_BATCH and all(text is None or len(text) <= rule.whole_chars for text in texts):
            return scorer.probabilities(texts)  # a few comments: no Polars call at all
        texts = pl.Series("text", texts, dtype=pl.Utf8)
    long = (texts.fill_null("").str.len_chars() > rule.whole_chars).to_numpy()
    if not long.any():
        return scorer.probabilities(texts)
    out = np.empty((len(texts), 5), dtype=np.float32)
    short_rows, long_rows = np.flatnonzero(~long), np.flatnonzero(long)
    if len(short_rows):
        out[short_rows] = scorer.probabilities(texts.gather(short_rows))
    pieces, doc = sentences(texts.gather(long_rows), rule.piece_chars)
    p = scorer.probabilities(pieces)
    n = len(long_rows)
    hate = top_k_mean(p[:, :3], -p[:, 2], doc, n, rule.top_k)
    gender = top_k_mean(p[:, 3:4], p[:, 3], doc, n, rule.top_k)
    other = top_k_mean(p[:, 4:5], p[:, 4], doc, n, rule.top_k)
    out[long_rows] = np.concatenate([hate, gender, other], axis=1)
    return out
