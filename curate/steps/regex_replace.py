"""``regex_replace``: one regular expression replaced over the whole text column.

A general-purpose escape hatch for recipe authors (and the executor benchmark's
"one-regex step"). Polars' regex engine is Rust's: no lookaround, linear time.
"""

from __future__ import annotations

import polars as pl
from pydantic import field_validator

from curate.steps import register
from curate.steps.base import Step


@register
class RegexReplace(Step):
    name = "regex_replace"
    pattern: str
    replacement: str = ""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            pl.Series([""]).str.replace_all(pattern, "")
        except Exception as exc:
            raise ValueError(f"invalid regex for Polars (Rust regex syntax): {exc}") from None
        return pattern

    def shortens_text(self) -> bool:
        return True

    def process(self, df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(pl.col("text").str.replace_all(self.pattern, self.replacement))
