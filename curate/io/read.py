"""Turn a shard's raw lines (or parquet rows) into a frame, quarantining what cannot be read.

Every physical line that is not blank becomes exactly one of: a record in the
frame, or a quarantine entry (file, line, error, raw bytes). Blank lines are not
records. The fast path parses the whole chunk with Polars; only when that fails
do we look at lines one by one to find and set aside the bad ones.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from curate.io.plan import FilePlan, Shard, iter_line_chunks

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


@dataclass
class ShardInput:
    """A shard's readable records and the quarantine entries found while reading it."""

    shard: Shard
    frame: pl.DataFrame  # id, text, _src, _line (+ _shard, _row added by the runner)
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
        return _read_parquet_rows(shard, spec)
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
        frame, bad = _parse_text(numbered, shard.file)
    else:
        frame, bad = _parse_jsonl(numbered, shard.file, spec)
    quarantined.extend(bad)
    quarantined.sort(key=lambda q: q.line)
    return ShardInput(shard, frame, quarantined)


def _empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema={"id": pl.Utf8, "text": pl.Utf8, "_src": pl.Utf8, "_line": pl.Int64})


def _finish(ids: pl.Series | list, texts: pl.Series | list, line_nos: list[int], file: FilePlan) -> pl.DataFrame:
    frame = pl.DataFrame({"id": ids, "text": texts, "_line": line_nos},
                         schema={"id": pl.Utf8, "text": pl.Utf8, "_line": pl.Int64})
    generated = pl.lit(f"{file.source}:") + pl.col("_line").cast(pl.Utf8)
    return frame.select(
        pl.coalesce(pl.col("id"), generated).alias("id"),
        "text",
        pl.lit(file.source).alias("_src"),
        "_line",
    )


def _parse_text(numbered: list[tuple[int, bytes]], file: FilePlan) -> tuple[pl.DataFrame, list[Quarantined]]:
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
        return _empty_frame(), bad
    return _finish([None] * len(texts), texts, line_nos, file), bad


def _parse_jsonl(numbered: list[tuple[int, bytes]], file: FilePlan,
                 spec: InputSpec) -> tuple[pl.DataFrame, list[Quarantined]]:
    if not numbered:
        return _empty_frame(), []
    try:
        # Infer over every line: a text field that is not a string everywhere must
        # take the careful path, which quarantines it, rather than be stringified.
        frame = pl.read_ndjson(io.BytesIO(b"\n".join(line for _, line in numbered)),
                               infer_schema_length=None, schema_overrides={spec.id_field: pl.Utf8})
        if (frame.height == len(numbered) and frame.schema.get(spec.text_field) == pl.Utf8
                and frame[spec.text_field].null_count() == 0):
            if spec.id_field not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias(spec.id_field))
            return _finish(frame[spec.id_field], frame[spec.text_field], [n for n, _ in numbered], file), []
    except Exception:
        pass
    return _parse_jsonl_careful(numbered, file, spec)


def _parse_jsonl_careful(numbered: list[tuple[int, bytes]], file: FilePlan,
                         spec: InputSpec) -> tuple[pl.DataFrame, list[Quarantined]]:
    bad: list[Quarantined] = []
    ids: list[str | None] = []
    texts: list[str] = []
    line_nos: list[int] = []
    for n, line in numbered:
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append(Quarantined(file.source, n, f"invalid UTF-8 at byte {exc.start}", line))
            continue
        try:
            obj = json.loads(decoded)
        except json.JSONDecodeError as exc:
            bad.append(Quarantined(file.source, n, f"broken JSON: {exc.msg} at column {exc.colno}", line))
            continue
        if not isinstance(obj, dict):
            bad.append(Quarantined(file.source, n, f"not a JSON object ({type(obj).__name__})", line))
            continue
        text = obj.get(spec.text_field)
        if text is None:
            bad.append(Quarantined(file.source, n, f"missing text field {spec.text_field!r}", line))
            continue
        if not isinstance(text, str):
            bad.append(Quarantined(file.source, n, f"text field {spec.text_field!r} is "
                                   f"{type(text).__name__}, not a string", line))
            continue
        raw_id = obj.get(spec.id_field)
        ids.append(None if raw_id is None else str(raw_id))
        texts.append(text)
        line_nos.append(n)
    if not texts:
        return _empty_frame(), bad
    return _finish(ids, texts, line_nos, file), bad


def _read_parquet_rows(shard: Shard, spec: InputSpec) -> ShardInput:
    file = shard.file
    if file.damage is not None:
        return ShardInput(shard, _empty_frame(), [Quarantined(file.source, 1, file.damage, b"")])
    lazy = pl.scan_parquet(file.path)
    names = lazy.collect_schema().names()
    if spec.text_field not in names:
        error = f"parquet file has no column {spec.text_field!r} (columns: {', '.join(names)})"
        rows = [Quarantined(file.source, shard.first_line + i, error, b"") for i in range(shard.n_lines)]
        return ShardInput(shard, _empty_frame(), rows)
    cols = [pl.col(spec.text_field).cast(pl.Utf8).alias("text")]
    cols.append(pl.col(spec.id_field).cast(pl.Utf8).alias("id") if spec.id_field in names
                else pl.lit(None, dtype=pl.Utf8).alias("id"))
    frame = lazy.slice(shard.first_line - 1, shard.n_lines).select(cols).collect()
    line_nos = list(range(shard.first_line, shard.first_line + frame.height))
    frame = _finish(frame["id"], frame["text"], line_nos, file)
    missing = frame.filter(pl.col("text").is_null())
    quarantined = [Quarantined(file.source, n, f"missing text field {spec.text_field!r}", b"")
                   for n in missing["_line"].to_list()]
    return ShardInput(shard, frame.filter(pl.col("text").is_not_null()), quarantined)
