"""Held-out evaluation: each corpus's held-out part separately, a cross-domain table, calibration.

Metrics on a held-out part (seeded 20%, never trained on; ``curate.toxicity.corpora``):
hate 3-class macro-F1 (arg-max class), binary macro-F1 (toxic = hate or offensive, flagged
when p_none < 0.5), toxic ROC-AUC from 1 - p_none, gender-bias and other-bias ROC-AUC, and
the expected calibration error of p_toxic (10 equal-width bins). The baseline, trained on
the same rows in the same run: scikit-learn TF-IDF over character 1-4-grams with logistic
regression.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from curate.toxicity.corpora import load, load_beep, parts
from curate.toxicity.scorer import HATE_CLASSES, ToxicityScorer
from curate.toxicity.train import TrainConfig


@dataclass(frozen=True)
class Scores:
    macro_f1: float
    binary_f1: float
    toxic_auc: float
    gender_auc: float
    other_auc: float
    toxic_ece: float
    seconds: float  # time to score the held-out texts

    def as_row(self, name: str) -> dict[str, object]:
        return {"model": name, "hate_macro_f1": round(self.macro_f1, 4), "binary_macro_f1": round(self.binary_f1, 4),
                "toxic_roc_auc": round(self.toxic_auc, 4), "gender_bias_roc_auc": round(self.gender_auc, 4),
                "other_bias_roc_auc": round(self.other_auc, 4), "toxic_ece": round(self.toxic_ece, 4)}


def reliability(probability: np.ndarray, truth: np.ndarray, bins: int = 10) -> pl.DataFrame:
    """Per equal-width bin of predicted probability: texts in it, mean prediction, share positive."""
    which = np.minimum((probability * bins).astype(np.int64), bins - 1)
    count = np.bincount(which, minlength=bins)
    mean = np.bincount(which, weights=probability, minlength=bins) / np.maximum(count, 1)
    share = np.bincount(which, weights=truth.astype(np.float64), minlength=bins) / np.maximum(count, 1)
    return pl.DataFrame({"bin": np.arange(bins), "texts": count, "mean_predicted": mean, "share_positive": share})


def expected_calibration_error(probability: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    table = reliability(probability, truth, bins)
    weight = table["texts"].to_numpy() / max(len(probability), 1)
    return float((weight * np.abs(table["mean_predicted"].to_numpy() - table["share_positive"].to_numpy())).sum())


def metrics(probabilities: np.ndarray, labels: pl.DataFrame, seconds: float = 0.0) -> Scores:
    """``probabilities`` columns: p_hate, p_offensive, p_none, p_gender_bias, p_other_bias."""
    from sklearn.metrics import f1_score, roc_auc_score

    truth = labels["hate"].to_numpy()
    toxic = truth != "none"
    predicted = np.asarray(HATE_CLASSES)[probabilities[:, :3].argmax(axis=1)]
    p_toxic = 1.0 - probabilities[:, 2].astype(np.float64)
    return Scores(
        macro_f1=float(f1_score(truth, predicted, average="macro")),
        binary_f1=float(f1_score(toxic, p_toxic > 0.5, average="macro")),
        toxic_auc=float(roc_auc_score(toxic, p_toxic)),
        gender_auc=float(roc_auc_score(labels["gender_bias"].to_numpy(), probabilities[:, 3])),
        other_auc=float(roc_auc_score(labels["other_bias"].to_numpy(), probabilities[:, 4])),
        toxic_ece=expected_calibration_error(np.clip(p_toxic, 0, 1), toxic),
        seconds=seconds,
    )


def validation_part(data_path: str | Path, config: TrainConfig | None = None):
    """BEEP!'s (training part, held-out part), as every model so far was measured on."""
    config = config or TrainConfig()
    return parts(load_beep(data_path), config.validation_fraction, config.seed)


def baseline_probabilities(train: pl.DataFrame, texts: pl.Series, c: float = 10.0) -> tuple[np.ndarray, float]:
    """TF-IDF character 1-4-grams + logistic regression, the same five outputs."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True)
    features = vectorizer.fit_transform(train["text"].to_list())
    hate = LogisticRegression(C=c, max_iter=5000).fit(features, train["hate"].to_numpy())
    start = time.perf_counter()
    held = vectorizer.transform(texts.to_list())
    hate_p = hate.predict_proba(held)[:, [list(hate.classes_).index(name) for name in HATE_CLASSES]]
    seconds = time.perf_counter() - start
    columns = [hate_p]
    for target in ("gender_bias", "other_bias"):
        model = LogisticRegression(C=c, max_iter=5000).fit(features, train[target].to_numpy())
        start = time.perf_counter()
        columns.append(model.predict_proba(vectorizer.transform(texts.to_list()))[:, 1:])
        seconds += time.perf_counter() - start
    return np.concatenate(columns, axis=1), seconds


def held_out_parts(corpora: dict[str, str | Path]) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Corpus name -> (training part, held-out part)."""
    return {name: parts(load(name, path)) for name, path in corpora.items()}


def evaluate(corpora: dict[str, str | Path] | str | Path, scorers: dict[str, object] | object | None = None,
             baseline: bool = True, progress: Callable[[str], None] | None = None) -> pl.DataFrame:
    """One row per (held-out set, model): ``scorers`` maps a name to a scorer (anything with
    ``score(texts)``); a bare path means BEEP! alone, a bare scorer the name ``curate``."""
    say = progress or (lambda _: None)
    if not isinstance(corpora, dict):
        corpora = {"beep": corpora}
    if scorers is None or not isinstance(scorers, dict):
        scorer = scorers or ToxicityScorer.default()
        name = "curate (hashed n-grams)" if isinstance(scorer, ToxicityScorer) else type(scorer).__name__
        scorers = {name: scorer}
    rows = []
    for corpus, (train, held_out) in held_out_parts(corpora).items():
        say(f"{corpus}: scoring the held-out {len(held_out):,} comments")
        for name, scorer in scorers.items():
            start = time.perf_counter()
            ours = scorer.score(held_out["text"]).to_numpy()
            rows.append({"held_out": corpus, **metrics(ours, held_out, time.perf_counter() - start).as_row(name)})
        if baseline:
            say(f"{corpus}: training the TF-IDF + LR baseline on its {len(train):,} training comments")
            theirs, seconds = baseline_probabilities(train, held_out["text"])
            rows.append({"held_out": corpus,
                         **metrics(theirs, held_out, seconds).as_row("baseline (tf-idf char 1-4 + LR)")})
    return pl.DataFrame(rows)


def cross_domain(corpora: dict[str, str | Path], config: TrainConfig | None = None,
                 progress: Callable[[str], None] | None = None) -> pl.DataFrame:
    """Train curate's model on one corpus's training part (clean sentences and self-training
    left out, so only the labelled corpus differs), score every held-out part: how far
    each corpus alone carries to the other."""
    from curate.toxicity.model_file import MODEL_FILE, write_arrays
    from curate.toxicity.train import fit

    say = progress or (lambda _: None)
    config = config or TrainConfig()
    sets = held_out_parts(corpora)
    rows = []
    for trained_on, (train, _) in sets.items():
        say(f"cross-domain: training on {trained_on} alone ({len(train):,} comments)")
        arrays, _ = fit(train.select("text", "hate", "gender_bias", "other_bias", "corpus"), config)
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            write_arrays(Path(directory) / MODEL_FILE, arrays, {"features": config.features.to_dict(),
                                                                 "schemes": ["beep", "kmhas"]})
            scorer = ToxicityScorer.load(directory, scheme=trained_on)
        for tested_on, (_, held_out) in sets.items():
            scores = metrics(scorer.score(held_out["text"]).to_numpy(), held_out)
            rows.append({"trained_on": trained_on, "held_out": tested_on, **scores.as_row(f"{trained_on} only")})
    return pl.DataFrame(rows).drop("model")


CURVE_TARGETS = {  # score column -> which validation rows are positive
    "p_hate": pl.col("hate") == "hate",
    "p_offensive": pl.col("hate") == "offensive",
    "p_toxic": pl.col("hate") != "none",  # p_toxic = 1 - p_none
    "p_gender_bias": pl.col("gender_bias"),
    "p_other_bias": pl.col("other_bias"),
}


def threshold_curves(held_out: pl.DataFrame, scorer: ToxicityScorer | None = None,
                     thresholds: tuple[float, ...] = tuple(np.round(np.arange(0.1, 0.96, 0.05), 2))) -> pl.DataFrame:
    """Precision, recall and share flagged on a held-out part for each score and threshold
    (flagged = score above the threshold): what the recipe thresholds are chosen from."""
    scorer = scorer or ToxicityScorer.default()
    scores = scorer.score(held_out["text"]).with_columns((1.0 - pl.col("p_none")).alias("p_toxic"))
    rows = []
    for column, positive in CURVE_TARGETS.items():
        truth = held_out.select(positive).to_series().to_numpy()
        for threshold in thresholds:
            flagged = scores[column].to_numpy() > threshold
            hits = int((flagged & truth).sum())
            rows.append({"score": column, "threshold": float(threshold),
                         "precision": round(hits / max(int(flagged.sum()), 1), 4),
                         "recall": round(hits / max(int(truth.sum()), 1), 4),
                         "flagged": round(float(flagged.mean()), 4)})
    return pl.DataFrame(rows)
