"""Line-level work on a batch: explode documents into (doc, line_no, line) rows, decide
per line with vectorized expressions, and put the kept lines back together.

Every sentence-level step uses this (the one helper for lines): an exploded frame lets one
expression decide per line and count per rule or position at once.
"""

from __future__ import annotations

import polars as pl

DOC = "_doc"  # position of the document in the batch
LINE_NO = "_line_no"  # position of the line in its document
LINE = "_line"


def explode_lines(df: pl.DataFrame, column: str = "text") -> pl.DataFrame:
    """One row per line: ``_doc`` (UInt32), ``_line_no`` (Int64), ``_line`` (Utf8), in document order."""
    return (
        df.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias(DOC),
            pl.col(column).str.split("\n").alias(LINE),
        )
        .with_columns(pl.int_ranges(0, pl.col(LINE).list.len()).alias(LINE_NO))
        .explode([LINE, LINE_NO])
    )


def implode_lines(lines: pl.DataFrame, keep: pl.Expr | pl.Series | None = None) -> pl.Series:
    """Join each document's kept lines with "\\n" again; one value per document, in order.

    Every document has at least one row in ``lines`` (an empty text splits into one
    empty line), so the result lines up with the batch the lines came from.
    """
    if keep is None:
        return lines.group_by(DOC, maintain_order=True).agg(pl.col(LINE).str.join("\n"))[LINE]
    return (lines.with_columns(keep.alias("_keep"))
            .group_by(DOC, maintain_order=True)
            .agg(pl.col(LINE).filter(pl.col("_keep")).str.join("\n"))[LINE])




def with_text(df: pl.DataFrame, text: pl.Series, column: str = "text") -> pl.DataFrame:
    """``df`` with ``column`` replaced by ``text``, keeping nulls null."""
    return df.with_columns(
        pl.when(pl.col(column).is_null()).then(None).otherwise(text.alias(column)).alias(column)
    )
