"""The normalization that decides what counts as "the same text".

NFKC folds full-width and compatibility forms (``Ａ`` -> ``a``, ``①`` -> ``1``), lowercasing
folds Latin case, and removing every character that is not a letter or a digit makes
spacing and punctuation changes invisible. Korean spacing is notoriously inconsistent
(``할 수 있다`` / ``할수있다``), so whitespace must not separate anything here.
"""

from __future__ import annotations

import polars as pl

NOT_LETTER_OR_DIGIT = r"[^\p{L}\p{N}]+"


def normalized(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFKC").str.to_lowercase().str.replace_all(NOT_LETTER_OR_DIGIT, "")


def normalize_series(texts: pl.Series) -> pl.Series:
    return texts.to_frame("t").select(normalized(pl.col("t").fill_null(""))).to_series()
