"""dedup_exact: exact duplicate documents and sentences across the whole corpus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import polars as pl
from pydantic import NonNegativeInt

from curate.steps import register
from curate.steps.base import DROP, GlobalStep, StepOutput, drop_when
from curate.text.lines import DOC, LINE_NO, explode_lines, implode_lines, with_text

POSITION = ["_shard", "_row"]
# Polars' hash is stable across processes of one Polars version (all workers of a run
# share the venv), not across versions: summaries are never kept from one run to another.
HASH_SEED = 0x6375726174  # "curat"


@dataclass(frozen=True)
class DedupState:
    """What apply needs: positions only, no text. ``documents``: (_shard, _row) of
    duplicate documents; ``sentences``: (_shard, _row, _line_no) of repeated sentences."""

    documents: pl.DataFrame
    sentences: pl.DataFrame


# Blanks that the regular form below does not cover: runs, and white space other than " " and "\n".
_IRREGULAR_BLANKS = r"\s{2,}|[^\S \n]"


def _normalized(expr: pl.Expr) -> pl.Expr:
    """Blanks collapsed and trimmed: copies that differ only in spacing are duplicates."""
    # same result as \s+ -> " ", about twice as fast (single spaces are left alone)
    return expr.str.replace_all(r"\s{2,}|[^\S ]", " ").str.strip_chars()


def _normalized_regular(expr: pl.Expr) -> pl.Expr:
    """``_normalized`` of a text whose only blanks are single " " and "\n" (most documents
    after split_sentences): each "\n" becomes " ", about four times cheaper than the regex."""
    return expr.str.replace_all("\n", " ", literal=True).str.strip_chars()


def _remove_lines(df: pl.DataFrame, repeats: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """``df`` without the lines at ``repeats`` positions (_shard, _row, _line_no), and how many
    went. Only the documents that lose a line are split and joined again."""
    docs = df.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias(DOC),
                     pl.col("_shard").cast(pl.Int64), pl.col("_row").cast(pl.Int64))
    hits = repeats.join(docs, on=POSITION, how="inner")
    if hits.height == 0:
        return df, 0
    hit_doc, hit_line = hits[DOC].to_numpy(), hits[LINE_NO].to_numpy()
    rows = np.unique(hit_doc)
    affected = df[rows]
    lines = explode_lines(affected)
    line_counts = np.bincount(lines[DOC].to_numpy(), minlength=len(rows))
    first_line = np.cumsum(line_counts) - line_counts
    doc = np.searchsorted(rows, hit_doc)
    present = hit_line < line_counts[doc]
    repeat = np.zeros(lines.height, dtype=bool)
    repeat[first_line[doc[present]] + hit_line[present]] = True
    cleaned = with_text(affected, implode_lines(lines, pl.Series(~repeat)))["text"]
    return df.with_columns(df["text"].scatter(rows, cleaned)), int(repeat.sum())


@register
class DedupExact(GlobalStep):
    """Drop exact duplicate documents (reason ``duplicate_document``; the first in input
    order is kept) and, with ``sentences: true``, remove every later occurrence of a line
    (sentence, after split_sentences) of at least ``min_sentence_chars`` characters, so
    "ㅋㅋ" or "감사합니다." are never deduplicated. Comparison ignores differences in
    blanks. Only 64-bit hashes and positions travel to the driver.
    """

    name: ClassVar[str] = "dedup_exact"
    documents: bool = True
    sentences: bool = False
    min_sentence_chars: NonNegativeInt = 20

    def summarize(self, df: pl.DataFrame) -> pl.DataFrame:
        """Hashes of each document and line; rows in any order (reduce sorts by position)."""
        irregular = df.select(pl.col("text").str.contains(_IRREGULAR_BLANKS).fill_null(False))["text"]
        # the lines of a regular document are regular too: normalizing one is stripping it
        parts = [self._hashes(df.filter(~irregular), _normalized_regular, pl.element().str.strip_chars()),
                 self._hashes(df.filter(irregular), _normalized, _normalized(pl.element()))]
        return pl.concat([part for part in parts if part.height] or parts[:1])

    def _hashes(self, df: pl.DataFrame, normalize: Callable[[pl.Expr], pl.Expr], line: pl.Expr
                ) -> pl.DataFrame:
        columns = [*POSITION, normalize(pl.col("text")).hash(HASH_SEED).alias("_doc_hash")]
        if self.sentences:
            columns.append(pl.col("text").str.split("\n").list.eval(
                pl.when(line.str.len_chars() >= self.min_sentence_chars).then(line.hash(HASH_SEED))
            ).alias("_line_hashes"))
        return df.select(columns)

    def reduce(self, summary: pl.DataFrame) -> DedupState:
        summary = summary.sort(POSITION)
        first = pl.col("_doc_hash").is_first_distinct()
        if self.documents:
            duplicates = summary.filter(~first).select(POSITION)
            survivors = summary.filter(first)
        else:
            duplicates = summary.clear().select(POSITION)
            survivors = summary
        repeats = pl.DataFrame(schema={"_shard": pl.Int64, "_row": pl.Int64, LINE_NO: pl.Int64})
        if self.sentences:
            repeats = (survivors.select(*POSITION, "_line_hashes")
                       .with_columns(pl.int_ranges(0, pl.col("_line_hashes").list.len()).alias(LINE_NO))
                       .explode(["_line_hashes", LINE_NO])
                       .drop_nulls("_line_hashes")
                       .filter(~pl.col("_line_hashes").is_first_distinct())
                       .select(pl.col("_shard").cast(pl.Int64), pl.col("_row").cast(pl.Int64),
                               pl.col(LINE_NO).cast(pl.Int64)))
        return DedupState(documents=duplicates.with_columns(pl.all().cast(pl.Int64)), sentences=repeats)

    def partition_state(self, state: DedupState, shards: list[int]) -> dict[int, DedupState]:
        documents = state.documents.partition_by("_shard", as_dict=True)
        sentences = state.sentences.partition_by("_shard", as_dict=True)
        empty = DedupState(state.documents.clear(), state.sentences.clear())
        return {i: DedupState(documents.get((i,), empty.documents), sentences.get((i,), empty.sentences))
                for i in shards}

    def apply(self, df: pl.DataFrame, state: DedupState) -> StepOutput:
        shards = df["_shard"].unique()
        counters = {"sentences_removed": 0}
        if self.sentences:
            repeats = state.sentences.filter(pl.col("_shard").is_in(shards.implode()))
            if len(repeats):
                df, counters["sentences_removed"] = _remove_lines(df, repeats)
        duplicates = state.documents.filter(pl.col("_shard").is_in(shards.implode()))
        marked = df.select(pl.col("_shard").cast(pl.Int64), pl.col("_row").cast(pl.Int64)).join(
            duplicates.with_columns(pl.lit(True).alias("_dup")), on=POSITION, how="left",
            maintain_order="left")["_dup"].fill_null(False)
        out = df.with_columns(drop_when(pl.lit(marked), "duplicate_document"))
        if DROP in df.columns:  # keep an earlier reason if the batch already had one
            out = out.with_columns(pl.coalesce(df[DROP], out[DROP]).alias(DROP))
        return StepOutput(out, counters=counters)
