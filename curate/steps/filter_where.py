"""filter: keep the documents for which a SQL condition over their columns holds.

The condition sees every column a record carries at that point: the input's own fields, the
provenance columns, and what earlier steps wrote (toxicity's ``p_hate``, ``language_filter``'s
``hangul_ratio`` with ``annotate: true``, any ``<step>_reason`` of a step run with ``drop:
false``). So a corpus can be annotated once and filtered many ways: a second recipe that reads
the first one's output and runs only this step.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from pydantic import PrivateAttr, field_validator

from curate.steps import register
from curate.steps.filter import Filter, Reasons


def _parsed(where: str) -> pl.Expr:
    try:
        return pl.sql_expr(where)
    except Exception as exc:  # Polars raises several kinds for a bad expression
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"not a SQL condition Polars can read: {first}") from None


@register
class FilterWhere(Filter):
    """Drop (reason ``reason``) every document for which the SQL condition ``where`` does not
    hold, e.g. ``p_hate < 0.8 and source != 'comments'``. A condition that is null (a
    comparison with a missing value) does not hold, as in SQL's WHERE."""

    name: ClassVar[str] = "filter"
    where: str
    reason: str = "filtered"

    _expr: pl.Expr | None = PrivateAttr(default=None)

    @field_validator("where")
    @classmethod
    def _readable(cls, where: str) -> str:
        names = _parsed(where).meta.root_names()
        if not names:
            raise ValueError("the condition names no column")
        return where

    def reasons(self, df: pl.DataFrame) -> Reasons:
        expr = _parsed(self.where)
        missing = sorted(set(expr.meta.root_names()) - set(df.columns))
        if missing:
            from curate.config import RecipeError  # the recipe module imports the steps

            shown = [c for c in df.columns if not c.startswith("_")]
            raise RecipeError(f"{self.origin or 'filter'}: where: no column {', '.join(map(repr, missing))} in the "
                              f"records here; they have {', '.join(shown)}")
        return [(self.reason, ~expr.fill_null(False))]
