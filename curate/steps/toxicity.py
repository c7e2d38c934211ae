"""Score hate / offensive language and bias, and drop documents or sentences above thresholds.

Scores come from ``curate.toxicity.ToxicityScorer`` (hashed n-grams, linear, numpy), or,
with ``hf_model``, from a locally stored Hugging Face classifier for the columns its labels
give (``curate.toxicity.hf_scorer``; the rest still from the n-gram model).
Thresholds are a preset from ``rules/toxicity/thresholds.yaml`` (``pretrain`` drops
nothing, ``benchmark`` drops hate and gender bias) or a dict, with per-key overrides.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import polars as pl
from pydantic import Field, PrivateAttr, field_validator

from curate.io.remote import files_of
from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import DROP, RunContext, Step, StepOutput
from curate.steps.filter import drop_reason
from curate.text.lines import DOC, LINE, explode_lines, implode_lines, with_text
from curate.toxicity.scorer import SCORE_COLUMNS, ToxicityScorer

# Threshold key -> drop reason, in the order reasons are given when several apply.
DROP_REASONS = {
    "p_hate": "toxic_hate",
    "p_gender_bias": "gender_bias",
    "p_offensive": "toxic_offensive",
    "p_toxic": "toxic",
    "p_other_bias": "other_bias",
}


@register
class Toxicity(Step):
    name: ClassVar[str] = "toxicity"
    path_keys: ClassVar[tuple[str, ...]] = ("hf_model",)

    unit: Literal["document", "sentence"] = "document"
    thresholds: str | dict[str, float] = "benchmark"  # preset name, or p_* -> max allowed score
    override: dict[str, float | None] = Field(default_factory=dict)  # per-key changes to the preset; None removes a key
    # False: keep every text and add the score columns; for documents the reason one would be
    # dropped for goes in toxicity_reason
    drop: bool = True
    add_columns: bool = True  # for unit=sentence the columns hold the highest score of any sentence
    model_dir: str | None = None  # directory holding toxicity.npz; None: the shipped model
    # Whose line between rude and hateful the scores follow: BEEP!'s (KLUE's choice; hate /
    # offensive / none) or K-MHaS's (hate speech in 7 categories, profanity as offensive)
    scheme: Literal["beep", "kmhas"] = "beep"
    hf_model: str | None = None  # directory of a saved HF sequence classifier (never downloaded)
    hf_labels: dict[str, str] | None = None  # its label -> score column; None: by name (hate, offensive, ...)
    hf_batch_size: int = Field(default=32, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"  # for hf_model; auto: a GPU when there is one
    gpus_per_worker: float = Field(default=1.0, ge=0)  # for hf_model on Ray, when the cluster has GPUs

    _scorer: ToxicityScorer | None = PrivateAttr(default=None)

    @field_validator("thresholds")
    @classmethod
    def _known_keys(cls, value: str | dict[str, float]) -> str | dict[str, float]:
        if isinstance(value, str):
            presets = load_yaml("toxicity/thresholds.yaml")
            if value not in presets:
                raise ValueError(f"unknown thresholds preset {value!r}; presets: {sorted(presets)}")
        elif unknown := set(value) - set(DROP_REASONS):
            raise ValueError(f"unknown threshold keys {sorted(unknown)}; known: {list(DROP_REASONS)}")
        return value

    def effective_thresholds(self) -> dict[str, float]:
        base = load_yaml("toxicity/thresholds.yaml")[self.thresholds] if isinstance(self.thresholds, str) \
            else self.thresholds
        merged = {**(base or {}), **self.override}
        if unknown := set(merged) - set(DROP_REASONS):
            raise ValueError(f"unknown threshold keys {sorted(unknown)}")
        return {key: float(merged[key]) for key in DROP_REASONS if merged.get(key) is not None}

    def flag_column(self) -> str | None:
        return super().flag_column() if self.unit == "document" else None

    def columns_written(self) -> tuple[str, ...]:
        return super().columns_written() + (SCORE_COLUMNS if self.add_columns else ())

    def review_thresholds(self) -> dict[str, tuple[str, float]]:
        if not self.add_columns:
            return {}
        limits = self.effective_thresholds()
        out = {key: (">", limit) for key, limit in limits.items() if key in SCORE_COLUMNS}
        if "p_toxic" in limits:  # p_toxic = 1 - p_none, which is the column written
            out["p_none"] = ("<", 1.0 - limits["p_toxic"])
        return out

    def gpus(self) -> float:
        return self.gpus_per_worker if self.hf_model and self.device != "cpu" else 0.0

    def depends_on(self) -> list[str]:
        return [f for folder in (self.model_dir, self.hf_model) if folder for f in files_of(folder)]

    def setup(self, ctx: RunContext) -> None:
        scorer = ToxicityScorer.load(self.model_dir, self.scheme) if self.model_dir \
            else ToxicityScorer.default(self.scheme)
        if self.hf_model:
            from curate.toxicity.hf_scorer import HFToxicityScorer

            scorer = HFToxicityScorer(self.hf_model, labels=self.hf_labels, batch_size=self.hf_batch_size,
                                      device=self.device, fallback=scorer)
        self._scorer = scorer

    def _scores(self, texts: pl.Series) -> pl.DataFrame:
        if self._scorer is None:
            self.setup(RunContext())
        return self._scorer.score(texts).with_columns((1.0 - pl.col("p_none")).alias("p_toxic"))

    def _reason(self, scores: pl.DataFrame) -> pl.Series:
        """The first drop reason whose threshold a row's score exceeds (null: none does)."""
        limits = self.effective_thresholds() if self.drop or self.unit == "document" else {}
        return scores.select(drop_reason([(DROP_REASONS[key], pl.col(key) > limit)
                                          for key, limit in limits.items()])).to_series()

    def shortens_text(self) -> bool:
        return self.unit == "sentence" and self.drop

    def process(self, df: pl.DataFrame) -> StepOutput:
        if self.unit == "sentence":
            return self._process_sentences(df)
        scores = self._scores(df["text"])
        reason = self._reason(scores)
        out = df.with_columns(scores.select(SCORE_COLUMNS)) if self.add_columns else df
        if reason.null_count() < len(reason):
            out = out.with_columns(reason)
        counters = {f"docs_dropped_{name}": count for name, count in _counts(reason).items()} if self.drop else {}
        return StepOutput(out, counters={"docs_scored": df.height, **counters})

    def _process_sentences(self, df: pl.DataFrame) -> StepOutput:
        lines = explode_lines(df.with_columns(pl.col("text").fill_null("")))
        scores = self._scores(lines[LINE])
        reason = self._reason(scores)
        out = with_text(df, implode_lines(lines, reason.is_null())) if reason.null_count() < len(reason) else df
        if self.add_columns:  # a document's score is its highest sentence's
            highest = (scores.select(SCORE_COLUMNS).with_columns(lines[DOC])
                       .group_by(DOC, maintain_order=True).agg(pl.col(SCORE_COLUMNS).max()))
            out = out.with_columns(highest.select(SCORE_COLUMNS))
        counters = {f"sentences_dropped_{name}": count for name, count in _counts(reason).items()}
        return StepOutput(out, counters={"sentences_scored": lines.height, **counters})


def _counts(reason: pl.Series) -> dict[str, int]:
    counted = reason.drop_nulls().value_counts(sort=True, name="n")
    return {row[DROP]: int(row["n"]) for row in counted.sort(DROP).iter_rows(named=True)}
