"""``noop``: passes every record through unchanged (measures executor overhead)."""

from __future__ import annotations

import polars as pl

from curate.steps import register
from curate.steps.base import Step


@register
class Noop(Step):
    name = "noop"

    def process(self, df: pl.DataFrame) -> pl.DataFrame:
        return df
