"""Parquet rows to records: each row a record or a quarantine entry, whatever the column types.

Text must be a string column (or categorical, or binary that is valid UTF-8).
Ids may be strings or scalars, which are spelled as Polars casts them to strings
(deterministic: ``1``, ``1.5``, ``true``, ``2024-01-02``). A list or struct id is no
stable name for a record, so such rows are quarantined, as in JSON lines.
"""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq

from curate.io.plan import Shard
from curate.io.records import InputSpec, Quarantined, empty_frame, finish
from curate.io.remote import is_url, open_input

_TEXTUAL = (pl.String, pl.Categorical, pl.Enum)
_NESTED = (pl.List, pl.Array, pl.Struct, pl.Object)


def read_parquet_rows(shard: Shard, spec: InputSpec) -> tuple[pl.DataFrame, list[Quarantined]]:
    file = shard.file
    lines = range(shard.first_line, shard.first_line + shard.n_lines)
    if file.damage is not None:
        return empty_frame(), [Quarantined(file.source, 1, file.damage, b"")]
    try:
        schema, columns = (_read_remote if is_url(file.path) else _read_local)(shard, spec)
        if columns is None:
            error = f"parquet file has no column {spec.text_field!r} (columns: {', '.join(schema)})"
            return empty_frame(), [Quarantined(file.source, n, error, b"") for n in lines]
    except (Exception, pl.exceptions.PanicException) as exc:  # damaged pages, unsupported types
        error = f"unreadable parquet data: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        return empty_frame(), [Quarantined(file.source, n, error, b"") for n in lines]
    height = columns.height
    text, text_error = _text_column(columns[spec.text_field], spec.text_field)
    ident, id_error = (_id_column(columns[spec.id_field], spec.id_field) if spec.id_field in columns.columns
                       else (_nulls(height), None))
    errors = text_error if id_error is None else pl.select(pl.coalesce(text_error, id_error)).to_series()
    rows = pl.DataFrame({"text": text, "id": ident, "_line": list(lines[:height]), "error": errors,
                         "value": columns[spec.text_field]})
    readable = rows["error"].is_null()
    good = rows.filter(readable)
    kept = spec.extra_fields(columns.columns)
    extra = columns.select(kept).filter(readable) if kept else None
    unreadable = rows.filter(pl.col("error").is_not_null()).select("_line", "error", "value")
    bad = [Quarantined(file.source, n, error, _raw(value)) for n, error, value in unreadable.iter_rows()]
    # a footer that promises more rows than the pages hold
    bad += [Quarantined(file.source, n, "row missing from the parquet data", b"") for n in lines[height:]]
    return finish(good["id"], good["text"], good["_line"], file, extra, spec), bad


def _read_local(shard: Shard, spec: InputSpec) -> tuple[list[str], pl.DataFrame | None]:
    """(column names, the shard's columns the records keep, or None without a text column) by Polars."""
    lazy = pl.scan_parquet(shard.file.path)
    schema = lazy.collect_schema()
    if spec.text_field not in schema:
        return schema.names(), None
    names = [n for n in schema.names() if n in (spec.text_field, spec.id_field)] + spec.extra_fields(schema.names())
    return schema.names(), lazy.slice(shard.first_line - 1, shard.n_lines).select(names).collect()


def _read_remote(shard: Shard, spec: InputSpec) -> tuple[list[str], pl.DataFrame | None]:
    """As ``_read_local`` for a URL, through fsspec: pyarrow fetches the footer and only the row
    groups the shard overlaps (Polars would need the store's own credentials, or the whole file)."""
    with open_input(shard.file.path) as fh:
        parquet = pq.ParquetFile(fh)
        schema = parquet.schema_arrow.names
        if spec.text_field not in schema:
            return schema, None
        first, groups, start = shard.first_line - 1, [], 0
        for i in range(parquet.num_row_groups):
            rows = parquet.metadata.row_group(i).num_rows
            if start < first + shard.n_lines and start + rows > first:
                groups.append((i, start))
            start += rows
        names = [n for n in schema if n in (spec.text_field, spec.id_field)] + spec.extra_fields(schema)
        table = parquet.read_row_groups([i for i, _ in groups], columns=names)
    offset = first - groups[0][1] if groups else 0
    return schema, pl.from_arrow(table.slice(offset, shard.n_lines))  # type: ignore[return-value]


def _raw(value: object) -> bytes:
    """What a quarantined row keeps: its text as bytes, where it has one."""
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8") if isinstance(value, str) else b""


def _nulls(n: int) -> pl.Series:
    return pl.Series([None] * n, dtype=pl.Utf8)


def _kind(dtype: pl.DataType) -> str:
    return str(dtype.base_type()).lower()


def _decoded(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """A binary column as strings; values that are not UTF-8 become null with their error."""
    try:
        return values.cast(pl.Utf8), _nulls(len(values))
    except pl.exceptions.ComputeError:
        pass
    texts: list[str | None] = []
    errors: list[str | None] = []
    for value in values.to_list():  # only columns with some invalid UTF-8 come here
        try:
            texts.append(None if value is None else value.decode("utf-8"))
            errors.append(None)
        except UnicodeDecodeError as exc:
            texts.append(None)
            errors.append(f"invalid UTF-8 at byte {exc.start}")
    return pl.Series(texts, dtype=pl.Utf8), pl.Series(errors, dtype=pl.Utf8)


def _text_column(values: pl.Series, name: str) -> tuple[pl.Series, pl.Series]:
    """(text, error) per row."""
    dtype = values.dtype
    if isinstance(dtype, _TEXTUAL) or dtype in (pl.Utf8, pl.Null):
        text, error = values.cast(pl.Utf8), _nulls(len(values))
    elif dtype == pl.Binary:
        text, error = _decoded(values)
    else:
        text = _nulls(len(values))
        error = pl.select(pl.when(values.is_not_null())
                          .then(pl.lit(f"text field {name!r} is {_kind(dtype)}, not a string"))).to_series()
    missing = pl.select(pl.when(values.is_null()).then(pl.lit(f"missing text field {name!r}"))
                        .otherwise(error)).to_series()
    return text, missing


def _id_column(values: pl.Series, name: str) -> tuple[pl.Series, pl.Series | None]:
    dtype = values.dtype
    if dtype == pl.Binary:
        text, error = _decoded(values)
        return text, pl.select(pl.when(error.is_not_null()).then(f"id field {name!r}: " + error)).to_series()
    if not isinstance(dtype, _NESTED):
        try:
            return values.cast(pl.Utf8), None
        except (Exception, pl.exceptions.PanicException):
            pass  # a type Polars cannot spell as text: quarantined like a nested one
    error = pl.select(pl.when(values.is_not_null())
                      .then(pl.lit(f"id field {name!r} is {_kind(dtype)}, not a string or number"))).to_series()
    return _nulls(len(values)), error
