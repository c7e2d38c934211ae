"""Turn a shard's raw lines (or parquet rows) into a frame, quarantining what cannot be read.

Every physical line that is not blank becomes exactly one of: a record in the
frame, or a quarantine entry (file, line, error, raw bytes); so does every
parquet row. Blank lines are not records. JSON lines are read by
``curate.io.jsonl`` (which also handles lone surrogate escapes), parquet rows by
``curate.io.parquet_rows``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from curate.io.jsonl import parse_jsonl
from curate.io.parquet_rows import read_parquet_rows
from curate.io.plan import FilePlan, Shard, iter_line_chunks
from curate.io.records import RECORD_COLUMNS, InputSpec, Quarantined, empty_frame, finish

__all__ = ["RECORD_COLUMNS", "InputSpec", "Quarantined", "RawShard", "ShardInput", "iter_raw_shards",
           "parse_raw_shard"]


@dataclass
class ShardInput:
    """A shard's readable records and the quarantine entries found while reading it."""

    shard: Shard
    frame: pl.DataFrame  # id, text, _src, _line, the kept input fields (+ _shard, _row added by the runner)
    quarantined: list[Quarantined] = field(default_factory=list)


@dataclass
class RawShard:
    """What the driver hands a worker: the shard and its raw lines (None for parquet)."""

    shard: Shard
    lines: list[bytes] | None
    tail: bytes | None = None


def iter_raw_shards(files: tuple[FilePlan, ...], shards: tuple[Shard, ...], batch_size: int,
                    skip: set[int] | frozenset[int] = frozenset()) -> Iterator[RawShard]:
    """Raw shards in order, streaming each file once; shards in ``skip`` are read past, not sent."""
    by_file: dict[str, list[Shard]] = {}
    for shard in shards:
        by_file.setdefault(shard.file.path, []).append(shard)
    for file in files:
        planned = by_file.get(file.path, [])
        if not planned or all(s.index in skip for s in planned):
            continue
        if file.fmt == "parquet":
            for shard in planned:
                if shard.index not in skip:
                    yield RawShard(shard, None)
            continue
        for (chunk, lines, tail), shard in zip(iter_line_chunks(file, batch_size), planned, strict=True):
            assert chunk == shard.chunk
            if shard.index not in skip:
                yield RawShard(shard, lines, tail)


def parse_raw_shard(raw: RawShard, spec: InputSpec) -> ShardInput:
    shard = raw.shard
    if raw.lines is None:
        return ShardInput(shard, *read_parquet_rows(shard, spec))
    quarantined: list[Quarantined] = []
    if raw.tail is not None:
        line_no = shard.first_line + len(raw.lines)
        quarantined.append(Quarantined(shard.file.source, line_no, shard.file.damage or "damaged stream",
                                       raw.tail))
    numbered = [(shard.first_line + i, line) for i, line in enumerate(raw.lines) if line.strip()]
    too_big = [(n, line) for n, line in numbered if len(line) > spec.max_record_bytes]
    if too_big:
        quarantined.extend(
            Quarantined(shard.file.source, n, f"record of {len(line)} bytes exceeds max_record_bytes "
                        f"({spec.max_record_bytes})", line) for n, line in too_big)
        numbered = [(n, line) for n, line in numbered if len(line) <= spec.max_record_bytes]
    if shard.file.fmt == "text":
        frame, bad = _parse_text(numbered, shard.file, spec)
    else:
        frame, bad = parse_jsonl(numbered, shard.file, spec)
    quarantined.extend(bad)
    quarantined.sort(key=lambda q: q.line)
    return ShardInput(shard, frame, quarantined)


def _parse_text(numbered: list[tuple[int, bytes]], file: FilePlan,
                spec: InputSpec) -> tuple[pl.DataFrame, list[Quarantined]]:
    bad: list[Quarantined] = []
    texts: list[str] = []
    line_nos: list[int] = []
    for n, line in numbered:
        try:
            texts.append(line.rstrip(b"\r").decode("utf-8"))
            line_nos.append(n)
        except UnicodeDecodeError as exc:
            bad.append(Quarantined(file.source, n, f"invalid UTF-8 at byte {exc.start}", line))
    if not texts:
        return empty_frame(), bad
    return finish([None] * len(texts), texts, line_nos, file, spec=spec), bad
