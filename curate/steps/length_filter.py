"""length_filter: document length bounds, and optionally a minimum sentence length."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from pydantic import NonNegativeInt, PositiveInt, model_validator

from curate.steps import register
from curate.steps.base import StepOutput
from curate.steps.filter import Filter, Reasons
from curate.text.lines import LINE, explode_lines, implode_lines, with_text


@register
class LengthFilter(Filter):
    """Drop documents shorter than ``min_chars`` (reason ``too_short``) or longer than
    ``max_chars`` (``too_long``), counted in characters after stripping edge blanks.

    With ``min_sentence_chars`` set, lines (sentences, after split_sentences) shorter
    than that are removed first and the document bounds apply to what is left.

    KLUE kept only crawled sentences of 200 characters or more for its pretraining
    corpus (``min_sentence_chars: 200`` on web text). That would wipe out reviews and
    comments, so the defaults here are mild: documents of at least 10 characters, no
    upper bound, no sentence minimum.
    """

    name: ClassVar[str] = "length_filter"
    min_chars: NonNegativeInt = 10
    max_chars: PositiveInt | None = None
    min_sentence_chars: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _bounds_in_order(self) -> LengthFilter:
        if self.max_chars is not None and self.max_chars < self.min_chars:
            raise ValueError(f"max_chars ({self.max_chars}) is below min_chars ({self.min_chars}): nothing would pass")
        return self

    def prepare(self, df: pl.DataFrame) -> StepOutput:
        """With ``min_sentence_chars``: the batch without its short lines."""
        counters = {"sentences_removed": 0}
        if self.min_sentence_chars:
            lines = explode_lines(df)
            keep = lines.select(pl.col(LINE).str.strip_chars().str.len_chars().fill_null(0)
                                >= self.min_sentence_chars)[LINE]
            counters["sentences_removed"] = int((~keep).sum())
            if counters["sentences_removed"]:
                df = with_text(df, implode_lines(lines, keep))
        return StepOutput(df, counters=counters)

    def reasons(self, df: pl.DataFrame) -> Reasons:
        length = pl.col("text").str.strip_chars().str.len_chars().fill_null(0)
        reasons: Reasons = [("too_short", length < self.min_chars)]
        if self.max_chars is not None:
            reasons.append(("too_long", length > self.max_chars))
        return reasons
