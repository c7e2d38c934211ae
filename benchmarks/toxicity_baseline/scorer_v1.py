"""The scorer as shipped before issue 18 (BEEP!-only model, 128-character pieces, worst piece),
kept verbatim apart from this note and the model directory, as the benchmark's baseline.

Score texts for hate, offensive language and bias with the shipped linear model.

Inference is numpy only: hash the n-grams of the whole batch, look their weights
up in a dense table, and sum them per text (``np.bincount``). The model is a
multinomial logistic regression for hate/offensive/none and two binary ones
(gender bias, other bias) over tf-idf weighted hashed n-grams, L2-normalized.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import scipy.sparse as sp

from curate.toxicity.features import FeatureSpec, hash_batch
from curate.toxicity.model_file import MODEL_FILE, read_arrays

SCORE_COLUMNS = ("p_hate", "p_offensive", "p_none", "p_gender_bias", "p_other_bias")
HATE_CLASSES = ("hate", "offensive", "none")  # order of the first three logits
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent  # toxicity.npz beside this file
CHUNK_CHARS = 128  # about the longest BEEP! comment (135 characters) the model learnt from


class ToxicityScorer:
    """``ToxicityScorer.default().score(texts)`` -> one row of probabilities per text."""

    def __init__(self, spec: FeatureSpec, buckets: np.ndarray, idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.spec = spec
        # Row 0: n-grams the model does not know (all zeros). Row i > 0: a known bucket, with
        # columns k < 5 the weight of logit k times idf (so a text's logit is one sum over its
        # n-grams) and column 5 idf squared, whose sum is the squared norm of its tf-idf vector.
        # A small table of known buckets behind an int32 lookup is twice as fast to gather
        # from as a dense table of all 2**bits buckets.
        idf32 = idf.astype(np.float32)
        self._table = np.zeros((len(buckets) + 1, len(SCORE_COLUMNS) + 1), dtype=np.float32)
        self._table[1:, :-1] = coef.astype(np.float32) * idf32[:, None]
        self._table[1:, -1] = idf32 * idf32
        self._row = np.zeros(1 << spec.bits, dtype=np.int32)
        self._row[buckets] = np.arange(1, len(buckets) + 1, dtype=np.int32)
        self._intercept = intercept.astype(np.float64)

    @classmethod
    def load(cls, model_dir: str | Path) -> ToxicityScorer:
        arrays, meta = read_arrays(Path(model_dir) / MODEL_FILE)
        return cls(FeatureSpec.from_dict(meta["features"]), arrays["buckets"].astype(np.int64),
                   arrays["idf"], arrays["coef"], arrays["intercept"])

    @classmethod
    def default(cls) -> ToxicityScorer:
        return _default_scorer()

    def logits(self, texts: pl.Series | list[str], chunk_chars: int | None = None) -> np.ndarray:
        """Raw scores, shape (texts, 5): three hate-class logits, then the two bias logits
        (with ``chunk_chars``: one row per piece, see ``score``)."""
        return self._logits(hash_batch(texts, self.spec, chunk_chars))

    def _logits(self, batch) -> np.ndarray:
        rows = np.take(self._table, np.take(self._row, batch.bucket), axis=0)
        # Sum the rows of each text in one sparse product: a CSC matrix with one column per
        # n-gram and a 1 in its text's row needs no sorting (cheaper than a bincount per column).
        count = len(batch.doc)
        membership = sp.csc_matrix((np.ones(count, dtype=np.float32), batch.doc, np.arange(count + 1)),
                                   shape=(batch.n_docs, count))
        sums = np.asarray(membership @ rows, dtype=np.float64)
        norm = np.sqrt(sums[:, -1])
        norm[norm == 0] = 1.0  # a text with no known n-gram scores its intercepts
        return sums[:, :-1] / norm[:, None] + self._intercept

    def score(self, texts: pl.Series | list[str], chunk_chars: int | None = CHUNK_CHARS) -> pl.DataFrame:
        """One row of probabilities per text. A text longer than ``chunk_chars`` is scored in
        pieces of that many characters and gets its most toxic piece's hate/offensive/none
        probabilities and the highest bias probabilities of any piece: scored whole, a long
        document's logits grow with its length and almost every article looks hateful."""
        batch = hash_batch(texts, self.spec, chunk_chars)
        probabilities = _probabilities(self._logits(batch))
        if batch.piece_doc is not None:
            probabilities = _worst_piece(probabilities, batch.piece_doc)
        return pl.DataFrame({name: probabilities[:, k] for k, name in enumerate(SCORE_COLUMNS)},
                            schema={name: pl.Float32 for name in SCORE_COLUMNS})


def _probabilities(logits: np.ndarray) -> np.ndarray:
    hate = np.exp(logits[:, :3] - logits[:, :3].max(axis=1, keepdims=True))
    hate /= hate.sum(axis=1, keepdims=True)
    bias = 1.0 / (1.0 + np.exp(-logits[:, 3:]))
    return np.concatenate([hate, bias], axis=1).astype(np.float32)


def _worst_piece(probabilities: np.ndarray, piece_doc: np.ndarray) -> np.ndarray:
    """Per text: the hate columns of its piece with the lowest p_none, the bias columns' maxima."""
    if len(piece_doc) == 0:
        return probabilities
    n_docs = int(piece_doc[-1]) + 1
    order = np.lexsort((probabilities[:, 2], piece_doc))  # by text, then p_none ascending
    first = np.concatenate([[0], np.cumsum(np.bincount(piece_doc, minlength=n_docs))[:-1]])
    out = probabilities[order[first]].copy()
    for column in (3, 4):
        out[:, column] = np.full(n_docs, -np.inf, dtype=np.float32)
        np.maximum.at(out[:, column], piece_doc, probabilities[:, column])
    return out


@cache
def _default_scorer() -> ToxicityScorer:
    return ToxicityScorer.load(DEFAULT_MODEL_DIR)
