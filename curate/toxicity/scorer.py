"""Score texts for hate, offensive language and bias with the shipped linear model.

Inference is numpy only: hash the n-grams of the whole batch by position, look their
weights up in a small table, and sum them per text with one ``np.add.reduceat``. The
model is, per labelling scheme (``beep``: BEEP!'s hate / offensive / none; ``kmhas``:
K-MHaS's hate speech, profanity, not hate), a multinomial logistic regression for the hate
classes and two binary ones (gender bias, other bias) over tf-idf weighted hashed n-grams,
L2-normalized. Long documents are scored by their sentences (``curate.toxicity.documents``).
``score_one`` scores one text without Polars and in about fifteen numpy calls, with exactly the
probabilities of the batch path (same float32 sums in the same order, same float64 steps).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from curate.toxicity.documents import DEFAULT_DOCUMENT_SCORING, score_documents
from curate.toxicity.features import FeatureSpec, OneTextHasher, position_grams

SCORE_COLUMNS = ("p_hate", "p_offensive", "p_none", "p_gender_bias", "p_other_bias")
HATE_CLASSES = ("hate", "offensive", "none")  # order of the first three logits
SCHEMES = ("beep", "kmhas")  # labelling schemes a model file may hold, the first the default
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"


class ToxicityScorer:
    """``ToxicityScorer.default().score(texts)`` -> one row of probabilities per text."""

    def __init__(self, spec: FeatureSpec, buckets: np.ndarray, idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, scheme: str = SCHEMES[0]) -> None:
        self.spec, self.scheme = spec, scheme
        # Row 0: n-grams the model does not know and masked positions (all zeros). Row i > 0: a
        # known bucket, columns k < 5 the weight of logit k times idf (a text's logit is one sum
        # over its n-grams) and column 5 idf squared, whose sum is the squared norm of its tf-idf
        # vector. A small table of known buckets behind an int32 lookup is twice as fast to
        # gather from as a dense table of all 2**bits buckets.
        idf32 = idf.astype(np.float32)
        self._table = np.zeros((len(buckets) + 1, len(SCORE_COLUMNS) + 1), dtype=np.float32)
        self._table[1:, :-1] = coef.astype(np.float32) * idf32[:, None]
        self._table[1:, -1] = idf32 * idf32
        # One extra slot at the end: bucket -1 (a masked n-gram) indexes it and finds row 0.
        self._row = np.zeros((1 << spec.bits) + 1, dtype=np.int32)
        self._row[buckets] = np.arange(1, len(buckets) + 1, dtype=np.int32)
        self._intercept = intercept.astype(np.float64)
        self._intercepts = self._intercept.tolist()
        self._one: OneTextHasher | None = None if spec.word_orders else OneTextHasher(spec)

    @classmethod
    def load(cls, model_dir: str | Path, scheme: str = SCHEMES[0]) -> ToxicityScorer:
        from curate.toxicity.model_file import MODEL_FILE, read_arrays

        arrays, meta = read_arrays(Path(model_dir) / MODEL_FILE)
        if "coef" in arrays:  # format 1 (BEEP! alone): one scheme, beep
            coef, intercept, schemes = arrays["coef"], arrays["intercept"], ("beep",)
        else:
            schemes = tuple(meta["schemes"])
            coef, intercept = arrays.get(f"coef_{scheme}"), arrays.get(f"intercept_{scheme}")
        if scheme not in schemes:
            raise ValueError(f"{model_dir}: no labelling scheme {scheme!r}; it has {list(schemes)}")
        return cls(FeatureSpec.from_dict(meta["features"]), arrays["buckets"].astype(np.int64),
                   arrays["idf"], coef, intercept, scheme)

    @classmethod
    def default(cls, scheme: str = SCHEMES[0]) -> ToxicityScorer:
        return _default_scorer(scheme)

    def logits(self, texts: pl.Series | list[str]) -> np.ndarray:
        """Raw scores of each text scored whole, shape (texts, 5): three hate-class logits,
        then the two bias logits."""
        if len(texts) == 0:
            return np.zeros((0, len(SCORE_COLUMNS)))
        grams = position_grams(texts, self.spec)
        # Kind by kind (char 1-4, initials 2-3): gathering (positions, 6) rows and adding them
        # in place is about twice as fast as one (positions, kinds, 6) gather summed over kinds.
        rows = np.take(self._row, grams.bucket.T)
        sums = np.take(self._table, rows[0], axis=0)
        for kind in rows[1:]:
            sums += np.take(self._table, kind, axis=0)
        sums = np.add.reduceat(sums, grams.start, axis=0).astype(np.float64)
        norm = np.sqrt(sums[:, -1])
        norm[norm == 0] = 1.0  # a text with no known n-gram scores its intercepts
        return sums[:, :-1] / norm[:, None] + self._intercept

    def probabilities(self, texts: pl.Series | list[str]) -> np.ndarray:
        """(texts, 5) probabilities, each text scored whole (as one comment)."""
        return probabilities(self.logits(texts))

    def score(self, texts: pl.Series | list[str], document: object = None) -> pl.DataFrame:
        """One row of probabilities per text. Texts up to ``document.whole_chars`` characters
        (comments) are scored whole; longer ones by their sentences, aggregated as
        ``document`` (a ``DocumentScoring``; default: the shipped rule) says."""
        table = score_documents(self, texts, document or DEFAULT_DOCUMENT_SCORING)
        return pl.from_numpy(table, schema=list(SCORE_COLUMNS))  # float32 columns

    def score_one(self, text: str | None, document: object = None) -> dict[str, float]:
        """One text's probabilities, column -> value: ``score([text]).row(0, named=True)`` to the
        bit (the float32 values as Python floats), about 5x faster for a short text (no Polars
        frame, about fifteen numpy calls). A text longer than ``document.whole_chars`` goes the batch
        way (by its sentences)."""
        rule = document or DEFAULT_DOCUMENT_SCORING
        if self._one is None or (text is not None and len(text) > rule.whole_chars):
            row = score_documents(self, [text], rule)[0]
        else:
            row = self._probabilities_one(text)
        return dict(zip(SCORE_COLUMNS, row.tolist(), strict=True))

    def _logits_one(self, text: str | None) -> list[float]:
        """``logits([text])[0]``, computed the same way step by step."""
        rows = np.take(self._row, self._one.buckets(text))  # (kinds, positions)
        # Kind by kind as in ``logits`` (reducing the outer axis adds kind 0, 1, ... in turn),
        # then over positions with the same ``reduceat`` (its pairwise order depends only on
        # the count).
        sums = np.add.reduce(np.take(self._table, rows, axis=0), axis=0)
        total = np.add.reduceat(sums, _FIRST, axis=0)[0].tolist()  # float32 values, exact as floats
        norm = math.sqrt(total[-1]) or 1.0  # IEEE sqrt and division: numpy's float64 results
        return [value / norm + intercept for value, intercept in zip(total, self._intercepts, strict=False)]

    def _probabilities_one(self, text: str | None) -> np.ndarray:
        """``probabilities([text])[0]`` of a text scored whole, computed the same way step by step."""
        logits = self._logits_one(text)
        top = max(logits[:3])
        # numpy's exp (not math.exp, which differs in the last bit for ~5% of arguments).
        e = np.exp(np.array([logits[0] - top, logits[1] - top, logits[2] - top, -logits[3], -logits[4]])).tolist()
        hate = e[0] + e[1] + e[2]  # left to right, as numpy's sum over three columns
        return np.array([e[0] / hate, e[1] / hate, e[2] / hate, 1.0 / (1.0 + e[3]), 1.0 / (1.0 + e[4])],
                        dtype=np.float32)


def probabilities(logits: np.ndarray) -> np.ndarray:
    hate = np.exp(logits[:, :3] - logits[:, :3].max(axis=1, keepdims=True))
    hate /= hate.sum(axis=1, keepdims=True)
    bias = 1.0 / (1.0 + np.exp(-logits[:, 3:]))
    return np.concatenate([hate, bias], axis=1).astype(np.float32)


_FIRST = np.zeros(1, dtype=np.intp)  # one segment: the whole text


@cache
def _default_scorer(scheme: str) -> ToxicityScorer:
    return ToxicityScorer.load(DEFAULT_MODEL_DIR, scheme)
