"""Train the toxicity model on BEEP! and K-MHaS (both CC BY-SA 4.0), one linear model per labelling scheme.

Deterministic end to end: a seeded stratified split (numpy, not a library whose
shuffling may change between versions), tf-idf statistics from the training part
only, L-BFGS logistic regressions (scikit-learn, needed only here and in the
evaluation), weights rounded to float16 and written with fixed zip timestamps.
Training twice on the same file gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from curate.toxicity.corpora import load as load_corpus
from curate.toxicity.corpora import load_beep, parts, split
from curate.toxicity.features import FeatureSpec, hash_batch
from curate.toxicity.model_file import MODEL_FILE, write_arrays
from curate.toxicity.scorer import HATE_CLASSES, SCHEMES, SCORE_COLUMNS

__all__ = ["TrainConfig", "fit", "load_beep", "split", "train"]  # load_beep, split: from corpora, as before
LABEL_COLUMNS = ("text", "hate", "gender_bias", "other_bias", "corpus")

TRAINING_LIBRARIES = ("numpy", "scipy", "scikit-learn")


@dataclass(frozen=True)
class TrainConfig:
    features: FeatureSpec = field(default_factory=FeatureSpec)
    min_df: int = 2  # n-grams seen in fewer training texts are dropped (they are mostly noise, and size)
    c: float = 10.0  # inverse L2 strength (3-fold cross-validation inside the training part: 3-30 within 0.005)
    seed: int = 0
    validation_fraction: float = 0.2
    clean_sentences: int = 3000  # formal-prose sentences added as "none, no bias" examples (0: none)
    # Gender bias: NB-weighted LR, then once more with the unlabelled comments the first model
    # is sure about (p <= low: no bias, p >= high: bias) added; chosen by 3-fold CV in the training part.
    pseudo_low: float = 0.05
    pseudo_high: float = 0.9
    # Hate classes: a negative-sentiment direction learnt from NSMC movie reviews enters the
    # hate model as one extra feature, scaled by this weight (0: off); see fit_sentiment_direction.
    sentiment_weight: float = 0.3
    sentiment_c: float = 1.0


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


def load_unlabelled(path: str | Path, labelled: pl.Series) -> pl.Series:
    """BEEP!'s unlabelled comments, one a line: blank lines, repeats and any comment that is
    also labelled (training or validation part) left out."""
    lines = pl.Series("text", Path(path).read_text(encoding="utf-8").splitlines(), dtype=pl.Utf8)
    lines = lines.filter(lines.str.strip_chars().str.len_chars() > 0).unique(maintain_order=True)
    return lines.filter(~lines.is_in(labelled.implode()))


def load_sentiment(path: str | Path, seed: int) -> pl.DataFrame:
    """NSMC reviews (CC0) as columns text, negative: every review rated 1-3 (negative) and as
    many, drawn with a seeded numpy generator, of those rated 9-10 (positive); 4-8 left out."""
    with gzip.open(path) as raw:
        reviews = pl.read_ndjson(raw).select("text", "rating").filter(pl.col("text").str.len_chars() > 0)
    negative = reviews.filter(pl.col("rating") <= 3)
    positive = reviews.filter(pl.col("rating") >= 9)
    picked = np.sort(np.random.default_rng(seed).permutation(len(positive))[: len(negative)])
    return pl.concat([negative, positive[picked]]).select("text", (pl.col("rating") <= 3).alias("negative"))


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


def log_count_ratio(features, positive: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """NB-SVM's feature scaling (Wang & Manning 2012): log of how much more often each
    n-gram occurs in positive than in negative texts (presence counts, add-alpha)."""
    present = (features > 0).astype(np.float64).tocsr()
    in_positive = np.asarray(present[positive].sum(axis=0)).ravel() + alpha
    in_negative = np.asarray(present[~positive].sum(axis=0)).ravel() + alpha
    return np.log(in_positive / in_positive.sum()) - np.log(in_negative / in_negative.sum())


def fit_nb_logistic(features, positive: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression on NB-scaled features; the scaling is folded into the weights,
    so the scorer sees an ordinary linear model over the same tf-idf features."""
    from sklearn.linear_model import LogisticRegression

    ratio = log_count_ratio(features, positive)
    model = LogisticRegression(C=c, max_iter=5000).fit(features.multiply(ratio).tocsr(), positive)
    return model.coef_ * ratio, model.intercept_


def fit_gender_bias(features, positive: np.ndarray, unlabelled, config: TrainConfig):
    """NB-LR for gender bias; with ``unlabelled`` (a feature matrix), trained a second time with
    the comments the first model is sure about as pseudo-labelled examples (self-training)."""
    import scipy.sparse as sp

    coef, intercept = fit_nb_logistic(features, positive, config.c)
    if unlabelled is None or unlabelled.shape[0] == 0:
        return coef, intercept
    probability = 1.0 / (1.0 + np.exp(-(unlabelled @ coef.ravel() + intercept[0])))
    sure = (probability <= config.pseudo_low) | (probability >= config.pseudo_high)
    both = sp.vstack([features, unlabelled[np.flatnonzero(sure)]]).tocsr()
    return fit_nb_logistic(both, np.concatenate([positive, probability[sure] >= config.pseudo_high]), config.c)


def fit_sentiment_direction(vocabulary: Vocabulary, reviews: pl.DataFrame, config: TrainConfig,
                            batch: int = 50_000) -> np.ndarray:
    """Weights, over the vocabulary's buckets, of a logistic regression telling negative from
    positive movie reviews. BEEP! has 6k labelled comments; NSMC has 200k labelled reviews of
    the same colloquial register, and negativity is much of what "offensive" means there."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    features = sp.vstack([vocabulary.matrix(reviews["text"].slice(start, batch), config.features)
                          for start in range(0, len(reviews), batch)]).tocsr()
    model = LogisticRegression(C=config.sentiment_c, max_iter=5000).fit(features, reviews["negative"].to_numpy())
    return model.coef_.ravel()


def fit_hate(features, labels: np.ndarray, config: TrainConfig, sentiment: np.ndarray | None = None):
    """Multinomial LR for hate / offensive / none, with the sentiment score as one more feature
    when given; that feature is linear in the others, so it is folded into their weights and
    the scorer stays one linear model. Returns (coef (3, buckets), intercept (3,)) in
    HATE_CLASSES order."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    extra = None
    if sentiment is not None and config.sentiment_weight:
        extra = config.sentiment_weight * sentiment
        features = sp.hstack([features, sp.csr_matrix((features @ extra)[:, None])]).tocsr()
    # Balanced class weights: the metric is macro-F1, and "hate" is the rarest class.
    model = LogisticRegression(C=config.c, max_iter=5000, class_weight="balanced").fit(features, labels)
    order = [list(model.classes_).index(name) for name in HATE_CLASSES]
    coef, intercept = model.coef_[order], model.intercept_[order]
    if extra is not None:
        coef = coef[:, :-1] + coef[:, -1:] * extra[None, :]
    return coef, intercept


def domain_features(features, corpus: np.ndarray):
    """Frustratingly easy domain adaptation (Daume 2007): every n-gram feature once shared and
    once per labelling scheme, plus one indicator per scheme (its own intercept). BEEP! and
    K-MHaS draw the line between rude and hateful in different places (a BEEP! "offensive"
    comment is often K-MHaS "not hate speech"); with a copy of the weights per scheme each
    learns its own line while both learn from all the comments. Rows of corpus ``clean``
    (formal sentences, harmless in either scheme) take part in both."""
    import scipy.sparse as sp

    blocks = [features]
    for scheme in SCHEMES:
        member = ((corpus == scheme) | (corpus == "clean")).astype(np.float64)
        blocks.append(sp.diags(member) @ features)
    indicators = [((corpus == scheme) | (corpus == "clean")).astype(np.float64)[:, None] for scheme in SCHEMES]
    return sp.hstack([*blocks, sp.csr_matrix(np.hstack(indicators))]).tocsr()


def scheme_weights(coef: np.ndarray, intercept: np.ndarray, n_features: int) -> dict[str, tuple]:
    """Split the weights over ``domain_features`` columns back into one linear model per
    scheme: shared + that scheme's copy, intercept + its indicator's weight."""
    coef = np.atleast_2d(coef)
    shared = coef[:, :n_features]
    out = {}
    for k, scheme in enumerate(SCHEMES):
        own = coef[:, (k + 1) * n_features:(k + 2) * n_features]
        out[scheme] = (shared + own, intercept + coef[:, (len(SCHEMES) + 1) * n_features + k])
    return out


def fit(data: pl.DataFrame, config: TrainConfig, unlabelled: pl.Series | None = None,
        sentiment: pl.DataFrame | None = None,
        progress: Callable[[str], None] | None = None) -> tuple[dict[str, np.ndarray], Vocabulary]:
    """Train on ``data`` (columns text, hate, gender_bias, other_bias and corpus: beep, kmhas or
    clean; all of it), with ``unlabelled`` BEEP!-style comments for self-training the
    gender-bias model and ``sentiment`` reviews (text, negative) for the hate model's
    sentiment feature; returns the arrays of the model file: per labelling scheme one linear
    model, ``coef_<scheme>`` (buckets, 5) and ``intercept_<scheme>`` (5,)."""
    from sklearn.linear_model import LogisticRegression

    say = progress or (lambda _: None)
    if "corpus" not in data.columns:
        data = data.with_columns(pl.lit("beep").alias("corpus"))
    say(f"features: hashed n-grams of {len(data):,} texts")
    vocabulary = Vocabulary.fit(data["text"], config.features, config.min_df)
    plain = vocabulary.matrix(data["text"], config.features)
    n_features = plain.shape[1]
    corpus = data["corpus"].to_numpy()
    features = domain_features(plain, corpus)
    direction = None
    if sentiment is not None:
        say(f"sentiment direction from {len(sentiment):,} reviews")
        vocabulary_direction = fit_sentiment_direction(vocabulary, sentiment, config)
        direction = np.concatenate([vocabulary_direction, np.zeros(features.shape[1] - n_features)])
    say("hate / offensive / none model")
    hate = scheme_weights(*fit_hate(features, data["hate"].to_numpy(), config, direction), n_features)
    # The beep scheme's hate classes learn from BEEP! (and the clean sentences) alone: shared with
    # K-MHaS, whose hate is mostly about origin and politics, they flagged a third of Wikinews
    # articles (news names countries and parties) for +0.001 toxic AUC on BEEP!'s held-out part.
    own = np.flatnonzero(corpus != "kmhas")
    own_direction = direction[:n_features] if direction is not None else None
    if len(own):  # trained on K-MHaS alone (the cross-domain table), the beep scheme keeps the shared weights
        hate["beep"] = fit_hate(plain[own], data["hate"].to_numpy()[own], config, own_direction)
    unlabelled_features = None
    if unlabelled is not None:
        unlabelled_features = domain_features(vocabulary.matrix(unlabelled, config.features),
                                              np.full(len(unlabelled), "beep"))
    say("gender-bias model" + (f", self-trained on {len(unlabelled):,} unlabelled comments" if unlabelled is not None
                               else ""))
    gender = scheme_weights(*fit_gender_bias(features, data["gender_bias"].to_numpy(), unlabelled_features, config),
                            n_features)
    say("other-bias model")
    other_model = LogisticRegression(C=config.c, max_iter=5000).fit(features, data["other_bias"].to_numpy())
    other = scheme_weights(other_model.coef_, other_model.intercept_, n_features)
    if len(own):
        own_other = LogisticRegression(C=config.c, max_iter=5000).fit(plain[own], data["other_bias"].to_numpy()[own])
        other["beep"] = (own_other.coef_, own_other.intercept_)  # as the hate classes, for the same reason
    arrays = {"buckets": vocabulary.buckets.astype(np.uint32), "idf": vocabulary.idf.astype(np.float16)}
    for scheme in SCHEMES:
        parts = [hate[scheme], gender[scheme], other[scheme]]
        arrays[f"coef_{scheme}"] = np.concatenate([p[0] for p in parts]).T.astype(np.float16)  # (buckets, 5)
        arrays[f"intercept_{scheme}"] = np.concatenate([p[1] for p in parts]).astype(np.float32)
    return arrays, vocabulary


def training_libraries() -> dict[str, str]:
    """Versions of the libraries whose numerics decide the weights. L-BFGS stops at a
    tolerance, so another release of any of them moves the weights in their last bits: the
    file is reproduced byte for byte only with these versions (the lock's); with others the
    labels and metrics stay within the bounds tests/test_toxicity.py checks."""
    from importlib.metadata import version

    return {name: version(name) for name in TRAINING_LIBRARIES}


def _sha256(path: str | Path | None) -> str | None:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path is not None else None


def train(corpora: dict[str, str | Path], out_dir: str | Path, config: TrainConfig | None = None,
          clean_path: str | Path | None = None, unlabelled_path: str | Path | None = None,
          sentiment_path: str | Path | None = None, progress: Callable[[str], None] | None = None) -> Path:
    """Train on the training part of each labelled corpus in ``corpora`` (name -> file: beep,
    kmhas), plus clean sentences from ``clean_path``, BEEP!'s unlabelled comments from
    ``unlabelled_path`` (self-training), NSMC reviews from ``sentiment_path`` (sentiment
    feature); write ``<out_dir>/toxicity.npz``."""
    config = config or TrainConfig()
    say = progress or (lambda _: None)
    training, every_text, counts = [], [], {}
    for name, path in corpora.items():
        frame = load_corpus(name, path)
        train_part, held_out = parts(frame, config.validation_fraction, config.seed)
        training.append(train_part.select(LABEL_COLUMNS))
        every_text.append(frame["text"])
        counts[name] = {"rows": len(frame), "train_rows": len(train_part), "held_out_rows": len(held_out),
                        "sha256": _sha256(path)}
        say(f"{name}: {len(frame):,} labelled comments, training on {len(train_part):,}")
    clean_rows = 0
    if clean_path is not None and config.clean_sentences:
        clean = load_clean_sentences(clean_path, config.clean_sentences, config.seed)
        training.append(clean.with_columns(pl.lit("clean").alias("corpus")).select(LABEL_COLUMNS))
        clean_rows = len(clean)
        say(f"plus {clean_rows:,} clean sentences")
    unlabelled = load_unlabelled(unlabelled_path, pl.concat(every_text)) if unlabelled_path is not None else None
    sentiment = load_sentiment(sentiment_path, config.seed) if sentiment_path is not None else None
    arrays, _ = fit(pl.concat(training), config, unlabelled, sentiment, progress)
    meta = {
        "format": 2,
        "schemes": list(SCHEMES),
        "features": config.features.to_dict(),
        "columns": list(SCORE_COLUMNS),
        "min_df": config.min_df,
        "c": config.c,
        "seed": config.seed,
        "validation_fraction": config.validation_fraction,
        "corpora": counts,
        "clean_rows": clean_rows,
        "clean_sha256": _sha256(clean_path) if clean_rows else None,
        "gender_bias": "NB-weighted LR" + (", self-trained on unlabelled comments" if unlabelled is not None else ""),
        "pseudo_low": config.pseudo_low,
        "pseudo_high": config.pseudo_high,
        "unlabelled_rows": len(unlabelled) if unlabelled is not None else 0,
        "unlabelled_sha256": _sha256(unlabelled_path),
        "sentiment_weight": config.sentiment_weight if sentiment is not None else 0.0,
        "sentiment_rows": len(sentiment) if sentiment is not None else 0,
        "sentiment_sha256": _sha256(sentiment_path),
        "data": {"beep": "Korean HateSpeech Dataset (BEEP!), kocohub/korean-hate-speech, train split, CC BY-SA 4.0",
                 "kmhas": "K-MHaS (adlnlp/K-MHaS, COLING 2022), validation split, CC BY-SA 4.0",
                 "clean": "NANET book reviews (National Assembly Library, CC BY), sentences as 'none'",
                 "sentiment": "NSMC raw reviews (e9t/nsmc, CC0), rated 1-3 vs 9-10"},
        "trained_with": training_libraries(),
    }
    path = Path(out_dir) / MODEL_FILE
    write_arrays(path, arrays, meta)
    return path
