"""quality_filter: Gopher-style repetition and character-class rules, made for Korean."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import polars as pl
from pydantic import Field, NonNegativeInt, PositiveInt

from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import Fraction, StepOutput
from curate.steps.filter import Filter, Reasons
from curate.text.codepoints import class_bits, code_points, run_class, run_counts, segment_sums
from curate.text.ngrams import exceeds_ngram_coverage_codes

RULES = "clean/filters.yaml"


def _default(key: str):
    """A parameter's default, read from the rules when the step is built (not at import), so a
    recipe's ``rules:`` directory or CURATE_RULES_DIR applies."""
    return Field(default_factory=lambda: load_yaml(RULES)["quality_filter"][key])
_BLANKS = "[ \n\t\r\u3000\u00a0]"  # what normalize leaves as blanks; not counted in ratios or n-grams


def _duplicate_fractions(df: pl.DataFrame, separator: str) -> tuple[np.ndarray, np.ndarray]:
    """Share of units (lines or paragraphs) that repeat an earlier unit of the same document,
    by count and by characters (0 for a document without units)."""
    units = (df.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_doc"),
                       pl.col("text").str.split(separator).alias("_unit"))
             .explode("_unit")
             .select("_doc", pl.col("_unit").str.strip_chars())
             .filter(pl.col("_unit") != "")
             .select("_doc", pl.col("_unit").str.len_chars().alias("_chars"),
                     pl.struct("_doc", "_unit").is_first_distinct().alias("_first")))
    doc, chars, first = (units[c].to_numpy() for c in ("_doc", "_chars", "_first"))
    n = df.height
    total, unique = np.bincount(doc, minlength=n), np.bincount(doc[first], minlength=n)
    total_chars = np.bincount(doc, weights=chars, minlength=n)  # sums of integers: exact in float64
    unique_chars = np.bincount(doc[first], weights=chars[first], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_count = np.where(total > 0, 1 - unique / total, 0.0)
        by_chars = np.where(total_chars > 0, 1 - unique_chars / total_chars, 0.0)
    return by_count, by_chars


@register
class QualityFilter(Filter):
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
    measures: ClassVar[dict[str, str]] = {  # with annotate: true; paragraphs and n-grams stay internal
        "_dup_line_fraction": "dup_line_fraction", "_dup_line_char_fraction": "dup_line_char_fraction",
        "_symbol_ratio": "symbol_ratio", "_digit_ratio": "digit_ratio"}
    max_duplicate_line_fraction: Fraction | None = _default("max_duplicate_line_fraction")
    max_duplicate_line_char_fraction: Fraction | None = _default("max_duplicate_line_char_fraction")
    max_duplicate_paragraph_fraction: Fraction | None = _default("max_duplicate_paragraph_fraction")
    max_duplicate_paragraph_char_fraction: Fraction | None = _default("max_duplicate_paragraph_char_fraction")
    top_ngram_max_coverage: dict[PositiveInt, Fraction] = _default("top_ngram_max_coverage")
    ngram_min_chars: NonNegativeInt = _default("ngram_min_chars")
    ngram_max_chars: PositiveInt = _default("ngram_max_chars")
    max_symbol_ratio: Fraction | None = _default("max_symbol_ratio")
    max_digit_ratio: Fraction | None = _default("max_digit_ratio")

    def prepare(self, df: pl.DataFrame) -> StepOutput:
        """Each rule's measure as a temporary column (``measures`` keeps four with annotate)."""
        columns: dict[str, np.ndarray] = {}
        every = self.annotate  # annotating writes a measure whether or not its rule is on
        if every or self.max_duplicate_line_fraction is not None or self.max_duplicate_line_char_fraction is not None:
            columns["_dup_line_fraction"], columns["_dup_line_char_fraction"] = _duplicate_fractions(df, "\n")
        if df.select(pl.col("text").str.contains("\n\n", literal=True).any()).item():  # none after split_sentences
            columns["_dup_paragraph_fraction"], columns["_dup_paragraph_char_fraction"] = \
                _duplicate_fractions(df, "\n\n")
        # Blanks, symbols and digits: one look-up per character instead of a regex pass each.
        codes, offsets = code_points(df["text"])
        rules = load_yaml(RULES)["quality_filter"]
        runs = [(rules["symbol"], self.max_symbol_ratio, "_symbol_ratio"),
                (rules["digit"], self.max_digit_ratio, "_digit_ratio")]
        classes = (_BLANKS, *(run_class(pattern) or "[^\\s\\S]" for pattern, _, _ in runs))
        bits = class_bits(codes, classes)
        blank = (bits & 1).view(bool)
        non_blank = (offsets[1:] - offsets[:-1]) - segment_sums(blank, offsets)
        if self.top_ngram_max_coverage:
            columns["_repetitive_ngrams"] = self._repetitive_ngrams(codes, offsets, blank, non_blank)
        for bit, (pattern, limit, column) in enumerate(runs, start=1):
            if limit is None and not every:
                continue
            if run_class(pattern):
                count = run_counts((bits & (1 << bit)).astype(bool), offsets)
            else:  # not a run of one class: Polars counts the matches
                count = df.select(pl.col("text").str.count_matches(pattern).fill_null(0))["text"].to_numpy()
            columns[column] = count / np.maximum(non_blank, 1)  # 0 for a document of blanks only
        return StepOutput(df.with_columns(pl.Series(name, values) for name, values in columns.items()))

    def reasons(self, df: pl.DataFrame) -> Reasons:
        rules = [("_dup_line_fraction", self.max_duplicate_line_fraction, "repetitive_lines"),
                 ("_dup_line_char_fraction", self.max_duplicate_line_char_fraction, "repetitive_lines"),
                 ("_dup_paragraph_fraction", self.max_duplicate_paragraph_fraction, "repetitive_paragraphs"),
                 ("_dup_paragraph_char_fraction", self.max_duplicate_paragraph_char_fraction, "repetitive_paragraphs"),
                 ("_repetitive_ngrams", None, "repetitive_ngrams"),
                 ("_symbol_ratio", self.max_symbol_ratio, "symbol_ratio"),
                 ("_digit_ratio", self.max_digit_ratio, "digit_ratio")]
        reasons: Reasons = []
        for column, limit, reason in rules:
            if column == "_repetitive_ngrams" and column in df.columns:
                reasons.append((reason, pl.col(column)))
            elif limit is not None and column in df.columns:
                reasons.append((reason, pl.col(column) > limit))
        return reasons

    def review_thresholds(self) -> dict[str, tuple[str, float]]:
        limits = {"dup_line_fraction": self.max_duplicate_line_fraction,
                  "dup_line_char_fraction": self.max_duplicate_line_char_fraction,
                  "symbol_ratio": self.max_symbol_ratio, "digit_ratio": self.max_digit_ratio}
        return {c: (">", limit) for c, limit in limits.items() if limit is not None} if self.annotate else {}

    def _repetitive_ngrams(self, codes: np.ndarray, offsets: np.ndarray, blank: np.ndarray,
                           non_blank: np.ndarray) -> np.ndarray:
        """The n-gram rule on each document's first ``ngram_max_chars`` non-blank characters."""
        judged = np.minimum(non_blank, self.ngram_max_chars) >= self.ngram_min_chars
        repetitive = np.zeros(len(non_blank), dtype=bool)
        if judged.any():
            chosen = codes[~blank & np.repeat(judged, offsets[1:] - offsets[:-1])]
            lengths = non_blank[judged]
            if (lengths > self.ngram_max_chars).any():  # keep the first ngram_max_chars of each
                kept = np.minimum(lengths, self.ngram_max_chars)
                runs = np.column_stack((kept, lengths - kept)).ravel()
                chosen = chosen[np.repeat(np.tile([True, False], len(kept)), runs)]
                lengths = kept
            repetitive[judged] = exceeds_ngram_coverage_codes(chosen, lengths, self.top_ngram_max_coverage)
        return repetitive
