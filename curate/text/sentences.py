"""Korean sentence splitting as Polars expressions (rules in ``rules/clean/sentences.yaml``).

The splitter rewrites blanks into line breaks at sentence ends (punctuation, quotes,
ellipses, emoticons, sentence-final endings); it never changes a non-blank character,
so boundaries can be compared with any other splitter on the non-blank character stream.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from curate.rules import load_yaml

RULES = "clean/sentences.yaml"


@cache
def _rewrites() -> tuple[tuple[str, str], ...]:
    rules = load_yaml(RULES)
    ordered = [*rules["prepare"], *rules["boundaries"], *rules["undo"]]
    return tuple((r["pattern"], r["replace"]) for r in ordered)


def split_sentences_expr(column: str = "text") -> pl.Expr:
    """``column`` rewritten to one sentence per line, without leading or trailing blanks."""
    expr = pl.col(column)
    for pattern, replacement in _rewrites():
        expr = expr.str.replace_all(pattern, replacement)
    return expr.str.strip_chars()


def split_sentences(texts: pl.Series) -> pl.Series:
    """The texts of a Series split one sentence a line (convenience for evaluation and tests)."""
    return texts.to_frame("t").select(split_sentences_expr("t"))["t"].alias(texts.name)
