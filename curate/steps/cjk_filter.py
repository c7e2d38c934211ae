"""cjk_filter: drop sentences with too many Chinese or Japanese characters."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from pydantic import Field, NonNegativeInt

from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import Step, StepOutput
from curate.text.lines import LINE, explode_lines, implode_lines, with_text

RULES = "clean/filters.yaml"


@register
class CjkFilter(Step):
    """Remove every line (sentence, after split_sentences) with more than ``max_cjk`` Han,
    Hiragana or Katakana characters, as KLUE did (its threshold: 10). A hanja word in
    parentheses, "대한민국(大韓民國)", stays.
    """

    name: ClassVar[str] = "cjk_filter"
    max_cjk: NonNegativeInt = Field(default_factory=lambda: load_yaml(RULES)["cjk_filter"]["max_cjk"])

    def shortens_text(self) -> bool:
        return True

    def process(self, df: pl.DataFrame) -> StepOutput:
        chars = load_yaml(RULES)["cjk_filter"]["chars"]
        # A document with at most max_cjk such characters has no line with more: only the
        # few others are split into lines (counting a rare class over documents is cheap).
        suspect = df.select(pl.col("text").str.count_matches(chars).fill_null(0) > self.max_cjk)["text"]
        if not suspect.any():
            return StepOutput(df, counters={"sentences_removed": 0})
        suspects = df.filter(suspect)
        lines = explode_lines(suspects)
        keep = lines.select(pl.col(LINE).str.count_matches(chars).fill_null(0) <= self.max_cjk)[LINE]
        removed = int((~keep).sum())
        if removed == 0:
            return StepOutput(df, counters={"sentences_removed": 0})
        cleaned = with_text(suspects, implode_lines(lines, keep))["text"]
        return StepOutput(df.with_columns(df["text"].scatter(suspect.arg_true(), cleaned)),
                          counters={"sentences_removed": removed})
