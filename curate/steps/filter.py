"""Filters: steps that drop whole documents, each for a named reason (datatrove's ``BaseFilter``,
kept vectorized: a reason is a Polars expression or a boolean Series over the batch, not a call
per document).

A filter subclasses ``Filter`` and says *why* a document goes; ``Filter.process`` does the
bookkeeping (the ``_drop`` column the runner reads). ``drop_reason`` is the one way any step
writes that column, filters or not (the dedup steps' ``apply``, toxicity).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from pydantic import Field

from curate.steps.base import DROP, Step, StepOutput

Reasons = list[tuple[str, "pl.Expr | pl.Series"]]  # in order: the first reason that holds is recorded


def drop_reason(reasons: Reasons) -> pl.Expr:
    """The ``_drop`` column: for each row the first reason whose condition holds, else null
    (keep). A null condition does not hold."""
    if not reasons:
        return pl.lit(None, dtype=pl.Utf8).alias(DROP)
    (first, condition), *rest = [(r, c if isinstance(c, pl.Expr) else pl.lit(c)) for r, c in reasons]
    expr = pl.when(condition).then(pl.lit(first))
    for reason, condition in rest:
        expr = expr.when(condition).then(pl.lit(reason))
    return expr.otherwise(pl.lit(None, dtype=pl.Utf8)).alias(DROP)


class Filter(Step):
    """A step that keeps or drops whole documents. Subclasses implement ``reasons``; those that
    also change text or measure something first (``length_filter``'s sentence floor, the
    language share) override ``prepare``.

    ``drop: false`` keeps every document and writes the reason it would have been dropped for
    in ``<name>_reason`` (null: it passes), for a later ``filter`` step or another recipe to
    decide on; ``annotate: true`` writes the filter's measures as columns (``measures``: the
    columns ``prepare`` adds, by their temporary name -> their name in the output; every other
    column ``prepare`` adds is dropped after ``reasons``).
    """

    measures: ClassVar[dict[str, str]] = {}

    drop: bool = Field(True, description="false: every document stays, the reason it would go in <step>_reason")
    annotate: bool = Field(False, description="write the filter's measures as columns")

    def columns_written(self) -> tuple[str, ...]:
        return super().columns_written() + (tuple(self.measures.values()) if self.annotate else ())

    def prepare(self, df: pl.DataFrame) -> StepOutput:
        """The batch as the reasons should see it, with counters for what changed."""
        return StepOutput(df)

    def reasons(self, df: pl.DataFrame) -> Reasons:  # pragma: no cover - every filter overrides it
        raise NotImplementedError

    def process(self, df: pl.DataFrame) -> StepOutput:
        prepared = self.prepare(df)
        frame = prepared.df
        out = frame.with_columns(drop_reason(self.reasons(frame)))
        # Columns prepare added are temporary; with annotate the listed measures stay, renamed.
        temporary = [c for c in frame.columns if c not in df.columns]
        kept = {c: self.measures[c] for c in temporary if c in self.measures} if self.annotate else {}
        out = out.drop([c for c in temporary if c not in kept]).rename(kept)
        return StepOutput(out, prepared.counters, prepared.examples)
