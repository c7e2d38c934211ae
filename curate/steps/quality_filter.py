"""quality_filter: Gopher-style repetition and character-class rules, made for Korean."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import polars as pl

from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import DROP, Step
from curate.text.ngrams import exceeds_ngram_coverage

RULES = "clean/filters.yaml"
_DEFAULTS = load_yaml(RULES)["quality_filter"]
_BLANKS = [" ", "\n", "\t", "\r", "\u3000", "\u00a0"]  # what normalize leaves as blanks


def _duplicate_fractions(separator: str) -> tuple[pl.Expr, pl.Expr]:
    """Share of units (lines or paragraphs) that repeat an earlier unit, by count and by characters."""
    units = pl.col("text").str.split(separator).list.eval(pl.element().str.strip_chars()).list.eval(
        pl.element().filter(pl.element() != ""))
    total = units.list.len()
    total_chars = units.list.eval(pl.element().str.len_chars()).list.sum()
    unique = units.list.unique()
    unique_chars = unique.list.eval(pl.element().str.len_chars()).list.sum()
    by_count = pl.when(total > 0).then(1 - unique.list.len() / total).otherwise(0.0)
    by_chars = pl.when(total_chars > 0).then(1 - unique_chars / total_chars).otherwise(0.0)
    return by_count.fill_null(0.0), by_chars.fill_null(0.0)


@register
class QualityFilter(Step):
    """Drop low-quality documents (Gopher's rules, Rae et al. 2021, adapted to Korean).

    Reasons, first match wins: ``repetitive_lines`` (duplicate lines over
    ``max_duplicate_line_fraction`` of lines or ``max_duplicate_line_char_fraction`` of
    their characters), ``repetitive_paragraphs`` (same on blank-line separated
    paragraphs; inert after split_sentences), ``repetitive_ngrams`` (the most frequent
    character n-gram covers more than ``top_ngram_max_coverage[n]`` of the non-blank
    characters; character n-grams because Korean words carry particles),
    ``symbol_ratio`` and ``digit_ratio`` (over non-blank characters). Set a threshold
    to null to switch its rule off. Defaults: rules/clean/filters.yaml.
    """

    name: ClassVar[str] = "quality_filter"
    max_duplicate_line_fraction: float | None = _DEFAULTS["max_duplicate_line_fraction"]
    max_duplicate_line_char_fraction: float | None = _DEFAULTS["max_duplicate_line_char_fraction"]
    max_duplicate_paragraph_fraction: float | None = _DEFAULTS["max_duplicate_paragraph_fraction"]
    max_duplicate_paragraph_char_fraction: float | None = _DEFAULTS["max_duplicate_paragraph_char_fraction"]
    top_ngram_max_coverage: dict[int, float] = _DEFAULTS["top_ngram_max_coverage"]
    ngram_min_chars: int = _DEFAULTS["ngram_min_chars"]
    ngram_max_chars: int = _DEFAULTS["ngram_max_chars"]
    max_symbol_ratio: float | None = _DEFAULTS["max_symbol_ratio"]
    max_digit_ratio: float | None = _DEFAULTS["max_digit_ratio"]

    def process(self, df: pl.DataFrame) -> pl.DataFrame:
        text = pl.col("text")
        reasons: list[pl.Expr] = []

        def rule(value: pl.Expr, limit: float | None, reason: str) -> None:
            if limit is not None:
                reasons.append(pl.when(value > limit).then(pl.lit(reason)))

        line_count, line_chars = _duplicate_fractions("\n")
        rule(line_count, self.max_duplicate_line_fraction, "repetitive_lines")
        rule(line_chars, self.max_duplicate_line_char_fraction, "repetitive_lines")
        if df.select(text.str.contains("\n\n", literal=True).any()).item():  # none after split_sentences
            para_count, para_chars = _duplicate_fractions("\n\n")
            rule(para_count, self.max_duplicate_paragraph_fraction, "repetitive_paragraphs")
            rule(para_chars, self.max_duplicate_paragraph_char_fraction, "repetitive_paragraphs")
        stripped = df.select(text.fill_null("").str.replace_many(_BLANKS, [""] * len(_BLANKS)).alias("_no_blanks"))
        if self.top_ngram_max_coverage:
            reasons.append(self._ngram_reason(stripped["_no_blanks"]))
        df = df.with_columns(stripped)
        non_blank = pl.col("_no_blanks").str.len_chars()
        rules = load_yaml(RULES)["quality_filter"]
        for pattern, limit, reason in ((rules["symbol"], self.max_symbol_ratio, "symbol_ratio"),
                                       (rules["digit"], self.max_digit_ratio, "digit_ratio")):
            rule(pl.when(non_blank > 0).then(text.str.count_matches(pattern) / non_blank), limit, reason)
        if not reasons:
            return df.drop("_no_blanks")
        return df.with_columns(pl.coalesce(*reasons, pl.lit(None, dtype=pl.Utf8)).alias(DROP)).drop("_no_blanks")

    def _ngram_reason(self, no_blanks: pl.Series) -> pl.Expr:
        stripped = no_blanks.str.slice(0, self.ngram_max_chars)
        judged = stripped.str.len_chars().to_numpy() >= self.ngram_min_chars
        repetitive = np.zeros(len(stripped), dtype=bool)
        if judged.any():
            repetitive[judged] = exceeds_ngram_coverage(stripped.filter(pl.Series(judged)).to_list(),
                                                        self.top_ngram_max_coverage)
        return pl.when(pl.lit(pl.Series(repetitive))).then(pl.lit("repetitive_ngrams"))
