"""Run a transformation only on the rows that need it.

Most documents need none of a cleaning step's rewrites; one scan with the union of the
step's patterns finds those that do, and only they pay for the full chain of rewrites.
(``pl.when(...).then(...)`` would not help: Polars evaluates both branches on all rows.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl


def any_of(patterns: Iterable[str]) -> str:
    """One regex matching wherever any of ``patterns`` matches (inline flags stay scoped)."""
    return "|".join(f"(?:{p})" for p in patterns)


def transform_matching(df: pl.DataFrame, pattern: str,
                       transform: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """``df`` with ``transform`` applied to the rows whose text matches ``pattern``.

    ``transform`` must return the same rows in the same order; only ``text`` is taken back.
    """
    mask = df.select(pl.col("text").str.contains(pattern).fill_null(False))["text"]
    matching = int(mask.sum())
    if matching == 0:
        return df
    if matching == df.height:
        return transform(df)
    rows = mask.arg_true()
    changed = transform(df.filter(mask))["text"]
    return df.with_columns(df["text"].scatter(rows, changed))
