"""What reading produces: record frames and quarantine entries, whatever the input format."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from curate.io.plan import FilePlan

RECORD_COLUMNS = ("id", "text", "_src", "_line")


@dataclass(frozen=True)
class InputSpec:
    text_field: str = "text"
    id_field: str = "id"
    max_record_bytes: int = 64 << 20


@dataclass
class Quarantined:
    file: str
    line: int
    error: str
    raw: bytes


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema={"id": pl.Utf8, "text": pl.Utf8, "_src": pl.Utf8, "_line": pl.Int64})


def finish(ids: pl.Series | list, texts: pl.Series | list, line_nos: pl.Series | list[int],
           file: FilePlan) -> pl.DataFrame:
    """The record frame: ids where the input has none are generated as ``<file>:<line>``."""
    frame = pl.DataFrame({"id": ids, "text": texts, "_line": line_nos},
                         schema={"id": pl.Utf8, "text": pl.Utf8, "_line": pl.Int64})
    generated = pl.lit(f"{file.source}:") + pl.col("_line").cast(pl.Utf8)
    return frame.select(
        pl.coalesce(pl.col("id"), generated).alias("id"),
        "text",
        pl.lit(file.source).alias("_src"),
        "_line",
    )
