"""Inference words and their frequency table.

At inference the tokenizer cuts text into *words* with one regex, `` ?\\S+|\\s+``:
an eojeol (a run of non-space characters) with the single space before it, if
any, or a run of whitespace. Nothing is lost, so decoding is a concatenation.
Training counts the same words; the regex behaves identically in Polars (Rust
``regex``) and in Hugging Face ``tokenizers`` (Oniguruma), which is what lets
the tokenizer.json run without this package.
"""

from __future__ import annotations

import polars as pl

WORD_PATTERN = r" ?\S+|\s+"


def word_counts(texts: pl.Series) -> pl.DataFrame:
    """Distinct words of ``texts`` with their counts: columns ``word`` (Utf8), ``count`` (Int64).

    Vectorized over the whole column; sorted by word so the table (and what is
    trained from it) does not depend on batch order.
    """
    words = texts.drop_nulls().str.extract_all(WORD_PATTERN).explode().drop_nulls()
    counts = words.rename("word").value_counts(name="count")
    return counts.with_columns(pl.col("count").cast(pl.Int64)).sort("word")


def merge_counts(tables: pl.DataFrame | list[pl.DataFrame]) -> pl.DataFrame:
    """Sum counts of the same word across several tables (the reduce of a map over batches)."""
    frame = pl.concat(tables) if isinstance(tables, list) else tables
    if frame.height == 0:
        return pl.DataFrame(schema={"word": pl.Utf8, "count": pl.Int64})
    return frame.group_by("word").agg(pl.col("count").sum().cast(pl.Int64)).sort("word")


def split_word(words: pl.Series) -> pl.DataFrame:
    """``prefix`` (the leading single space or "") and ``eojeol`` (the rest, "" for whitespace words)."""
    frame = pl.DataFrame({"word": words})
    is_space = pl.col("word").str.contains(r"^\s+$")
    has_prefix = pl.col("word").str.starts_with(" ") & ~is_space
    return frame.select(
        pl.when(has_prefix).then(pl.lit(" ")).otherwise(pl.lit("")).alias("prefix"),
        pl.when(is_space).then(pl.lit(""))
        .when(has_prefix).then(pl.col("word").str.slice(1))
        .otherwise(pl.col("word")).alias("eojeol"),
    )
