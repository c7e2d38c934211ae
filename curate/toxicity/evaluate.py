"""Held-out evaluation of the shipped model against a TF-IDF baseline, and how its
scores behave on other kinds of Korean text.

Metrics (on the validation part of the seeded split, never seen in training):
hate 3-class macro-F1 (arg-max class), toxic (hate or offensive) vs none ROC-AUC
from 1 - p_none, gender-bias ROC-AUC from p_gender_bias, other-bias ROC-AUC.
The baseline, trained on the same rows in the same run: scikit-learn TF-IDF over
character 1-4-grams with logistic regression.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from curate.toxicity.scorer import HATE_CLASSES, ToxicityScorer
from curate.toxicity.train import TrainConfig, load_beep, split


@dataclass(frozen=True)
class Scores:
    macro_f1: float
    toxic_auc: float
    gender_auc: float
    other_auc: float
    seconds: float  # time to score the validation texts

    def as_row(self, name: str) -> dict[str, object]:
        return {"model": name, "hate_macro_f1": round(self.macro_f1, 4), "toxic_roc_auc": round(self.toxic_auc, 4),
                "gender_bias_roc_auc": round(self.gender_auc, 4), "other_bias_roc_auc": round(self.other_auc, 4)}


def metrics(probabilities: np.ndarray, labels: pl.DataFrame, seconds: float) -> Scores:
    """``probabilities`` columns: p_hate, p_offensive, p_none, p_gender_bias, p_other_bias."""
    from sklearn.metrics import f1_score, roc_auc_score

    truth = labels["hate"].to_numpy()
    predicted = np.asarray(HATE_CLASSES)[probabilities[:, :3].argmax(axis=1)]
    return Scores(
        macro_f1=float(f1_score(truth, predicted, average="macro")),
        toxic_auc=float(roc_auc_score(truth != "none", 1.0 - probabilities[:, 2])),
        gender_auc=float(roc_auc_score(labels["gender_bias"].to_numpy(), probabilities[:, 3])),
        other_auc=float(roc_auc_score(labels["other_bias"].to_numpy(), probabilities[:, 4])),
        seconds=seconds,
    )


def validation_part(data_path: str | Path, config: TrainConfig | None = None):
    config = config or TrainConfig()
    data = load_beep(data_path)
    train_rows, validation_rows = split(data, config.validation_fraction, config.seed)
    return data[train_rows], data[validation_rows]


def baseline_probabilities(train: pl.DataFrame, texts: pl.Series, c: float = 10.0) -> np.ndarray:
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


def evaluate(data_path: str | Path, scorer: ToxicityScorer | None = None, baseline: bool = True,
             progress: Callable[[str], None] | None = None) -> pl.DataFrame:
    say = progress or (lambda _: None)
    scorer = scorer or ToxicityScorer.default()
    train, validation = validation_part(data_path)
    say(f"scoring the held-out {len(validation):,} comments")
    start = time.perf_counter()
    ours = scorer.score(validation["text"]).to_numpy()
    name = "curate (hashed n-grams)" if isinstance(scorer, ToxicityScorer) else f"{type(scorer).__name__}"
    rows = [metrics(ours, validation, time.perf_counter() - start).as_row(name)]
    if baseline:
        say(f"training the TF-IDF + LR baseline on {len(train):,} comments (the longest part)")
        theirs, seconds = baseline_probabilities(train, validation["text"])
        rows.append(metrics(theirs, validation, seconds).as_row("baseline (tf-idf char 1-4 + LR)"))
    return pl.DataFrame(rows)


CURVE_TARGETS = {  # score column -> which validation rows are positive
    "p_hate": pl.col("hate") == "hate",
    "p_offensive": pl.col("hate") == "offensive",
    "p_toxic": pl.col("hate") != "none",  # p_toxic = 1 - p_none
    "p_gender_bias": pl.col("gender_bias"),
    "p_other_bias": pl.col("other_bias"),
}


def threshold_curves(data_path: str | Path, scorer: ToxicityScorer | None = None,
                     thresholds: tuple[float, ...] = tuple(np.round(np.arange(0.1, 0.96, 0.05), 2))) -> pl.DataFrame:
    """Precision, recall and share flagged on the validation part for each score and threshold
    (flagged = score above the threshold): what the recipe thresholds were chosen from."""
    scorer = scorer or ToxicityScorer.default()
    _, validation = validation_part(data_path)
    scores = scorer.score(validation["text"]).with_columns((1.0 - pl.col("p_none")).alias("p_toxic"))
    rows = []
    for column, positive in CURVE_TARGETS.items():
        truth = validation.select(positive).to_series().to_numpy()
        for threshold in thresholds:
            flagged = scores[column].to_numpy() > threshold
            hits = int((flagged & truth).sum())
            rows.append({"score": column, "threshold": float(threshold),
                         "precision": round(hits / max(int(flagged.sum()), 1), 4),
                         "recall": round(hits / max(int(truth.sum()), 1), 4),
                         "flagged": round(float(flagged.mean()), 4)})
    return pl.DataFrame(rows)
