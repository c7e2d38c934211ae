"""language_filter: keep Korean documents."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import Step, drop_when

RULES = "clean/filters.yaml"


@register
class LanguageFilter(Step):
    """Drop documents (reason ``not_korean``) whose Hangul share of letters is below
    ``min_hangul_ratio``. Letters of any script count; digits, symbols and blanks do not,
    so "2002 월드컵!!" is Korean and a text with no letters at all is not.
    Compatibility jamo (ㅋㅋ, ㅠㅠ) are Hangul.
    """

    name: ClassVar[str] = "language_filter"
    min_hangul_ratio: float = load_yaml(RULES)["language_filter"]["min_hangul_ratio"]

    def process(self, df: pl.DataFrame) -> pl.DataFrame:
        rules = load_yaml(RULES)["language_filter"]
        text = pl.col("text")
        hangul = text.str.count_matches(rules["hangul"])
        # other letters are rare in Korean text, and counting a rare class is cheap
        letters = hangul + text.str.count_matches(rules["other_letters"])
        ratio = pl.when(letters > 0).then(hangul / letters).otherwise(0.0)
        return df.with_columns(drop_when(ratio.fill_null(0.0) < self.min_hangul_ratio, "not_korean"))
