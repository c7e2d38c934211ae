"""dedup_exact: exact duplicate documents and sentences across the whole corpus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl
from pydantic import NonNegativeInt

from curate.steps import register
from curate.steps.base import GlobalStep, StepOutput
from curate.steps.filter import drop_reason
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


_NO_SENTENCES = pl.DataFrame(schema={"_shard": pl.Int64, "_row": pl.Int64, LINE_NO: pl.Int64})

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
    blanks. Only 64-bit hashes and positions are shuffled, partitioned by hash: no process
    holds more than one partition of them.
    """

    name: ClassVar[str] = "dedup_exact"
    documents: bool = True
    sentences: bool = False
    min_sentence_chars: NonNegativeInt = 20
    drop: bool = True  # false: duplicate documents stay, marked in dedup_exact_reason (sentences still go)

    def shortens_text(self) -> bool:
        return self.sentences

    def shuffle_rounds(self) -> int:
        # sentences are compared among the documents that survive: a second round, after
        # the duplicate documents are known
        return 2 if self.documents and self.sentences else 1

    def _round_kind(self, round: int) -> str:
        return "documents" if self.documents and round == 0 else "sentences"

    def summarize(self, df: pl.DataFrame, round: int = 0, previous: Any = None) -> pl.DataFrame:
        """Round "documents": (_key = hash of the normalized document, position). Round
        "sentences": (_key = hash of the normalized line, position, line number) for the lines of
        at least ``min_sentence_chars`` characters of the documents not found duplicate."""
        if previous is not None and previous.documents.height:
            df = df.join(previous.documents, on=POSITION, how="anti", maintain_order="left")
        irregular = df.select(pl.col("text").str.contains(_IRREGULAR_BLANKS).fill_null(False))["text"]
        # the lines of a regular document are regular too: normalizing one is stripping it
        parts = [self._hashes(df.filter(~irregular), _normalized_regular, pl.element().str.strip_chars(), round),
                 self._hashes(df.filter(irregular), _normalized, _normalized(pl.element()), round)]
        rows = pl.concat([part for part in parts if part.height] or parts[:1])
        return rows.sort(POSITION) if self._round_kind(round) == "documents" else rows.sort([*POSITION, LINE_NO])

    def _hashes(self, df: pl.DataFrame, normalize: Callable[[pl.Expr], pl.Expr], line: pl.Expr,
                round: int) -> pl.DataFrame:
        position = [pl.col("_shard").cast(pl.Int64), pl.col("_row").cast(pl.Int64)]
        if self._round_kind(round) == "documents":
            return df.select(normalize(pl.col("text")).hash(HASH_SEED).alias("_key"), *position)
        hashes = pl.col("text").str.split("\n").list.eval(
            pl.when(line.str.len_chars() >= self.min_sentence_chars).then(line.hash(HASH_SEED)))
        return (df.select(hashes.alias("_key"), *position)
                .with_columns(pl.int_ranges(0, pl.col("_key").list.len()).alias(LINE_NO))
                .explode(["_key", LINE_NO])
                .drop_nulls("_key")
                .select("_key", *POSITION, pl.col(LINE_NO).cast(pl.Int64)))

    def reduce(self, rows: pl.DataFrame, round: int = 0) -> pl.DataFrame:
        """Every occurrence after the first in input order (rows arrive in input order)."""
        return rows.filter(~pl.col("_key").is_first_distinct()).drop("_key")

    def shard_result(self, rows: pl.DataFrame, round: int = 0, previous: Any = None) -> DedupState:
        if self._round_kind(round) == "documents":
            return DedupState(documents=rows.select(POSITION).sort(POSITION), sentences=_NO_SENTENCES)
        documents = previous.documents if previous is not None else _NO_SENTENCES.select(POSITION)
        return DedupState(documents=documents, sentences=rows.select(*POSITION, LINE_NO).sort([*POSITION, LINE_NO]))

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
        out = df.with_columns(drop_reason([("duplicate_document", marked)]))
        return StepOutput(out, counters=counters)
