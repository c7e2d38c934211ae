"""One schema for frames whose fields drifted: a field missing here, a type that differs there.

Polars' relaxed diagonal concatenation is the rule (a missing field is null; two types become
their supertype: Int64 and Float64 give Float64, a number and a string give String, structs
merge their fields). Where Polars has no supertype (a struct in one file, a string in another)
the field becomes a string holding each value as JSON, rather than failing or losing values.
"""

from __future__ import annotations

import json

import polars as pl

_NESTED = (pl.List, pl.Array, pl.Struct)


def unified_schema(schemas: list[pl.Schema]) -> pl.Schema:
    """The schema every frame of ``schemas`` can be cast to, columns in order of first appearance."""
    empties = [pl.DataFrame(schema=s) for s in schemas]
    try:
        return pl.concat(empties, how="diagonal_relaxed").schema
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
        pass
    columns: dict[str, list[pl.DataType]] = {}
    for schema in schemas:
        for name, dtype in schema.items():
            columns.setdefault(name, []).append(dtype)
    out: dict[str, pl.DataType] = {}
    for name, dtypes in columns.items():
        try:
            out[name] = pl.concat([pl.DataFrame(schema={name: d}) for d in dtypes], how="vertical_relaxed").schema[name]
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
            out[name] = pl.Utf8
    return pl.Schema(out)


def conform(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """``frame`` with exactly the columns of ``schema``, in its order and types (absent ones null)."""
    columns = []
    for name, dtype in schema.items():
        if name not in frame.columns:
            columns.append(pl.Series(name, [None] * frame.height, dtype=dtype))
            continue
        values = frame[name]
        if values.dtype == dtype:
            columns.append(values)
        elif dtype == pl.Utf8 and isinstance(values.dtype, _NESTED):
            columns.append(as_json(values))
        else:
            columns.append(values.cast(dtype))
    return pl.DataFrame(columns, schema=schema) if columns else frame.clear().select()


def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Frames stacked under their unified schema."""
    frames = [f for f in frames if f.width] or frames[:1]
    if len(frames) == 1:
        return frames[0]
    schema = unified_schema([f.schema for f in frames])
    return pl.concat([conform(f, schema) for f in frames])


def as_json(values: pl.Series) -> pl.Series:
    """Nested values as their JSON text (a value per row; null stays null)."""
    return pl.Series(values.name, [None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                                   for v in values.to_list()], dtype=pl.Utf8)


def from_records(rows: list[dict], names: list[str]) -> pl.DataFrame:
    """A frame from decoded JSON objects (one per record), a column per name in ``names``: each
    column typed as Polars infers it, or as JSON text where its values have no common type."""
    columns = []
    for name in names:
        values = [row.get(name) for row in rows]
        # Polars would spell a struct beside a string as "{1}": such a column is JSON text
        if len({isinstance(v, dict | list) for v in values if v is not None}) < 2:
            try:
                columns.append(pl.Series(name, values, strict=False))
                continue
            except (pl.exceptions.PolarsError, pl.exceptions.PanicException, TypeError, ValueError, OverflowError):
                pass
        columns.append(pl.Series(name, [None if v is None else json.dumps(v, ensure_ascii=False)
                                        for v in values], dtype=pl.Utf8))
    return pl.DataFrame(columns)
