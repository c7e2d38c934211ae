"""Train the toxicity model on BEEP! (Korean HateSpeech Dataset, CC BY-SA 4.0).

Deterministic end to end: a seeded stratified split (numpy, not a library whose
shuffling may change between versions), tf-idf statistics from the training part
only, L-BFGS logistic regressions (scikit-learn, needed only here and in the
evaluation), weights rounded to float16 and written with fixed zip timestamps.
Training twice on the same file gives the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from curate.toxicity.features import FeatureSpec, hash_batch
from curate.toxicity.model_file import MODEL_FILE, write_arrays
from curate.toxicity.scorer import HATE_CLASSES, SCORE_COLUMNS


@dataclass(frozen=True)
class TrainConfig:
    features: FeatureSpec = field(default_factory=FeatureSpec)
    min_df: int = 2  # n-grams seen in fewer training texts are dropped (they are mostly noise, and size)
    c: float = 10.0  # inverse L2 strength, chosen on the validation part
    seed: int = 0
    validation_fraction: float = 0.2
    clean_sentences: int = 3000  # formal-prose sentences added as "none, no bias" examples (0: none)


def load_beep(path: str | Path) -> pl.DataFrame:
    """BEEP!'s TSV as columns text, hate (hate/offensive/none), gender_bias, other_bias."""
    raw = pl.read_csv(path, separator="\t", quote_char=None, schema_overrides={"contain_gender_bias": pl.Utf8})
    return raw.select(
        pl.col("comments").alias("text"),
        pl.col("hate"),
        (pl.col("contain_gender_bias").str.to_lowercase() == "true").alias("gender_bias"),
        (pl.col("bias") == "others").alias("other_bias"),
    )


def load_clean_sentences(path: str | Path, count: int, seed: int) -> pl.DataFrame:
    """``count`` sentences of formal prose (NANET book reviews, CC BY), labelled none / no bias.

    BEEP! teaches what is toxic *among news comments*, so topics (Japan, North Korea,
    politics) become evidence of hate and plain news or book sentences score as hateful.
    A sample of ordinary formal sentences as negatives pulls those topics back; the
    sentences are cut to the length of comments the model learns from.
    """
    body = pl.read_csv(path)["내용"].drop_nulls()
    sentences = body.str.replace_all(r"([.!?])\s+", "$1\n").str.split("\n").explode().str.strip_chars()
    sentences = sentences.filter(sentences.str.len_chars().is_between(10, 135)).unique(maintain_order=True)
    picked = np.sort(np.random.default_rng(seed).permutation(len(sentences))[: min(count, len(sentences))])
    return pl.DataFrame({"text": sentences.gather(picked)}).with_columns(
        pl.lit("none").alias("hate"), pl.lit(False).alias("gender_bias"), pl.lit(False).alias("other_bias"))


def split(labels: pl.DataFrame, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, validation), stratified by hate class x gender bias."""
    strata = labels.select(pl.col("hate") + "/" + pl.col("gender_bias").cast(pl.Utf8)).to_series().to_numpy()
    rng = np.random.default_rng(seed)
    validation = []
    for stratum in sorted(set(strata)):
        members = np.flatnonzero(strata == stratum)
        validation.append(rng.permutation(members)[: round(len(members) * fraction)])
    held = np.zeros(len(labels), dtype=bool)
    held[np.concatenate(validation)] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


@dataclass(frozen=True)
class Vocabulary:
    """The buckets kept after min_df, in increasing order, and their idf."""

    buckets: np.ndarray
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: pl.Series, spec: FeatureSpec, min_df: int) -> Vocabulary:
        batch = hash_batch(texts, spec)
        pairs = np.unique(batch.doc * (1 << spec.bits) + batch.bucket)
        buckets, doc_freq = np.unique(pairs % (1 << spec.bits), return_counts=True)
        kept = doc_freq >= min_df
        idf = np.log((1 + len(texts)) / (1 + doc_freq[kept])) + 1.0
        return cls(buckets=buckets[kept], idf=idf.astype(np.float16).astype(np.float64))

    def matrix(self, texts: pl.Series, spec: FeatureSpec):
        """Texts as an L2-normalized tf-idf CSR matrix over the kept buckets (what the scorer computes)."""
        import scipy.sparse as sp

        batch = hash_batch(texts, spec)
        column = np.searchsorted(self.buckets, batch.bucket)
        known = (column < len(self.buckets)) & (self.buckets[np.minimum(column, len(self.buckets) - 1)]
                                                 == batch.bucket)
        doc, column = batch.doc[known], column[known]
        value = self.idf[column]
        norm = np.sqrt(np.bincount(doc, weights=value * value, minlength=batch.n_docs))
        norm[norm == 0] = 1.0
        matrix = sp.csr_matrix((value / norm[doc], (doc, column)), shape=(batch.n_docs, len(self.buckets)))
        matrix.sum_duplicates()
        return matrix


def fit(data: pl.DataFrame, config: TrainConfig) -> tuple[dict[str, np.ndarray], Vocabulary]:
    """Train on ``data`` (all of it); returns the arrays of the model file."""
    from sklearn.linear_model import LogisticRegression

    vocabulary = Vocabulary.fit(data["text"], config.features, config.min_df)
    features = vocabulary.matrix(data["text"], config.features)
    # Balanced class weights for the 3-way task: its metric is macro-F1, and "hate" is the rarest class.
    hate_model = LogisticRegression(C=config.c, max_iter=5000, class_weight="balanced")
    hate_model.fit(features, data["hate"].to_numpy())
    order = [list(hate_model.classes_).index(name) for name in HATE_CLASSES]
    coef, intercept = [hate_model.coef_[order]], [hate_model.intercept_[order]]
    for target in ("gender_bias", "other_bias"):
        model = LogisticRegression(C=config.c, max_iter=5000).fit(features, data[target].to_numpy())
        coef.append(model.coef_)
        intercept.append(model.intercept_)
    arrays = {
        "buckets": vocabulary.buckets.astype(np.uint32),
        "idf": vocabulary.idf.astype(np.float16),
        "coef": np.concatenate(coef).T.astype(np.float16),  # (buckets, 5), columns as SCORE_COLUMNS
        "intercept": np.concatenate(intercept).astype(np.float32),
    }
    return arrays, vocabulary


def train(data_path: str | Path, out_dir: str | Path, config: TrainConfig | None = None,
          clean_path: str | Path | None = None) -> Path:
    """Split BEEP!, train on the training part (plus clean sentences from ``clean_path``),
    write ``<out_dir>/toxicity.npz``."""
    config = config or TrainConfig()
    data = load_beep(data_path)
    train_rows, validation_rows = split(data, config.validation_fraction, config.seed)
    training = data[train_rows]
    clean_rows = 0
    if clean_path is not None and config.clean_sentences:
        clean = load_clean_sentences(clean_path, config.clean_sentences, config.seed)
        training, clean_rows = pl.concat([training, clean]), len(clean)
    arrays, _ = fit(training, config)
    meta = {
        "features": config.features.to_dict(),
        "columns": list(SCORE_COLUMNS),
        "min_df": config.min_df,
        "c": config.c,
        "seed": config.seed,
        "validation_fraction": config.validation_fraction,
        "train_rows": len(train_rows),
        "validation_rows": len(validation_rows),
        "data_sha256": hashlib.sha256(Path(data_path).read_bytes()).hexdigest(),
        "clean_rows": clean_rows,
        "clean_sha256": hashlib.sha256(Path(clean_path).read_bytes()).hexdigest() if clean_rows else None,
        "clean_data": "NANET book reviews (National Assembly Library, CC BY), sentences as 'none'"
        if clean_rows else None,
        "data": "Korean HateSpeech Dataset (BEEP!), kocohub/korean-hate-speech, train split, CC BY-SA 4.0",
    }
    path = Path(out_dir) / MODEL_FILE
    write_arrays(path, arrays, meta)
    return path
