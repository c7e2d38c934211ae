"""JSON lines to records: a line reads the same whatever its neighbours.

The careful path (``json.loads``, line by line) defines what a line means. The fast
path hands many lines to Polars at once, which differs from it on a few kinds of
line: it respells numbers (``1.5e3`` becomes ``1500``), stringifies non-string text,
keeps the first of two equal keys, unescapes keys, turns a lone ``\\ud800`` into NUL
and accepts deeper nesting than Python can. A byte-level scan of the whole shard
picks out every line that might be one of those, and such lines always take the
careful path, so Polars only sees lines on which both paths agree. The scan may
pick out harmless lines too; that only costs speed.
"""

from __future__ import annotations

import io
import json
import re
from functools import lru_cache

import numpy as np
import polars as pl

from curate.io.plan import FilePlan
from curate.io.records import InputSpec, Quarantined, empty_frame, finish
from curate.io.schema import concat, from_records

MAX_DEPTH = 500  # deeper JSON is quarantined: Python's parser would hit its recursion limit
_WS = rb"[ \t\r]*"
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_OPEN, _CLOSE = np.frombuffer(b"[{", dtype=np.uint8), np.frombuffer(b"]}", dtype=np.uint8)


class _Number(str):
    """A JSON number as written: an id ``1.5e3`` stays "1.5e3" (float() would make it "1500.0")."""


class _Object(dict):
    duplicates: frozenset[str] = frozenset()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        obj.duplicates = frozenset(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return obj


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _spelled(char: str) -> bytes:
    """A regex for every way JSON may write ``char`` inside a string: as itself or escaped."""
    code = ord(char)
    units = [code] if code < 0x10000 else [0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)]
    hex_digit = {d: f"[{d}{d.upper()}]" if d.isalpha() else d for d in "0123456789abcdef"}
    escaped = "".join(r"\\u" + "".join(hex_digit[d] for d in f"{u:04x}") for u in units).encode()
    options = [re.escape(json.dumps(char, ensure_ascii=False)[1:-1].encode("utf-8")), escaped]
    return b"(?:" + b"|".join(options + ([rb"\\/"] if char == "/" else [])) + b")"


@lru_cache(maxsize=8)
def _key_pattern(field: str, is_id: bool) -> re.Pattern[bytes]:
    """The key ``field`` however spelled, then the start of its value; ``plain`` matches where
    Polars reads the value as json.loads does (a string; for ids also null or an int64)."""
    plain = rb'"|null' + _WS + rb"[,}]|(?:0|-?[1-9][0-9]{0,17})" + _WS + rb"[,}]" if is_id else rb'"'
    key = b'"' + b"".join(_spelled(c) for c in field) + b'"'
    return re.compile(key + _WS + b":" + _WS + b"(?P<plain>" + plain + b")?")


def _keys(blob: bytes, field: str, is_id: bool) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of the keys ``field`` in ``blob``, and of those Polars may read otherwise:
    an escaped spelling (Polars unescapes keys) or a value that is not plain."""
    found = [(m.start(), m.group("plain") is None or b"\\" in m.group())
             for m in _key_pattern(field, is_id).finditer(blob)]
    offsets = np.array([f[0] for f in found], dtype=np.int64)
    return offsets, offsets[np.array([f[1] for f in found], dtype=bool)]


def _needs_care(lines: list[bytes], spec: InputSpec) -> np.ndarray:
    """A mask of the lines that must take the careful path (nested keys of the same name count
    too: harmless, as the careful path reads only the top level)."""
    blob = b"\n".join(lines) + b"\n"
    buf = np.frombuffer(blob, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)

    def per_line(offsets: np.ndarray) -> np.ndarray:
        return np.bincount(np.searchsorted(ends, offsets), minlength=len(lines))

    text, odd_text = _keys(blob, spec.text_field, False)
    ident, odd_id = _keys(blob, spec.id_field, True)
    care = per_line(text) != 1  # missing or duplicated
    care |= per_line(ident) > 1
    care |= per_line(np.concatenate([odd_text, odd_id])) > 0
    care |= per_line(np.flatnonzero((buf == ord("[")) | (buf == ord("{")))) > MAX_DEPTH
    return care


def parse_jsonl(numbered: list[tuple[int, bytes]], file: FilePlan,
                spec: InputSpec) -> tuple[pl.DataFrame, list[Quarantined]]:
    if not numbered:
        return empty_frame(), []
    care = _needs_care([line for _, line in numbered], spec)
    frame = _parse_fast([nl for nl, c in zip(numbered, care, strict=True) if not c] if care.any() else numbered,
                        file, spec)
    if frame is None:  # some line Polars cannot read: all go the careful way
        return _parse_careful(numbered, file, spec)
    # Polars reads a lone high surrogate escape as NUL: such lines are read again carefully
    # (a real \u0000 reads the same there).
    nul = pl.col("text").str.contains("\x00", literal=True) | pl.col("id").str.contains("\x00", literal=True)
    again = set(frame.filter(nul)["_line"].to_list())
    if not care.any() and not again:
        return frame, []
    careful, bad = _parse_careful([nl for nl, c in zip(numbered, care, strict=True) if c or nl[0] in again],
                                  file, spec)
    return concat([frame.filter(~nul), careful]).sort("_line"), bad


def _parse_fast(numbered: list[tuple[int, bytes]], file: FilePlan, spec: InputSpec) -> pl.DataFrame | None:
    if not numbered:
        return empty_frame()
    blob = io.BytesIO(b"\n".join(line for _, line in numbered))
    try:
        if spec.fields == ():
            # With a schema Polars reads only these two fields (other fields cannot upset
            # type inference) and still checks that the whole line is valid JSON.
            frame = pl.read_ndjson(blob, schema={spec.text_field: pl.Utf8, spec.id_field: pl.Utf8})
        else:  # every field, typed from all the shard's lines
            frame = pl.read_ndjson(blob, infer_schema_length=None)
    except (Exception, pl.exceptions.PanicException):
        return None
    if frame.height != len(numbered) or spec.text_field not in frame.columns:
        return None
    text = frame[spec.text_field]
    ident = frame[spec.id_field] if spec.id_field in frame.columns else pl.Series([None] * frame.height)
    # The scan sent every line whose text is not a string, or whose id is not a string, null or
    # a plain integer, the careful way; any other type here means Polars read something else.
    if text.dtype != pl.Utf8 or text.null_count() or ident.dtype not in (pl.Utf8, pl.Int64, pl.Null):
        return None
    extra = frame.select(spec.extra_fields(frame.columns))
    return finish(ident.cast(pl.Utf8), text, [n for n, _ in numbered], file, extra, spec)


def _parse_careful(numbered: list[tuple[int, bytes]], file: FilePlan,
                   spec: InputSpec) -> tuple[pl.DataFrame, list[Quarantined]]:
    bad: list[Quarantined] = []
    ids: list[str | None] = []
    texts: list[str] = []
    line_nos: list[int] = []
    extras: list[dict] = []
    names: dict[str, None] = {}  # the kept fields, in order of first appearance
    for n, line in numbered:
        record = _read_line(line, spec)
        if isinstance(record, str):
            bad.append(Quarantined(file.source, n, record, line))
            continue
        ids.append(record[0])
        texts.append(record[1])
        line_nos.append(n)
        extras.append(record[2])
        names.update(dict.fromkeys(record[2]))
    if not texts:
        return empty_frame(), bad
    extra = from_records(extras, list(names)) if names else None
    return finish(ids, texts, line_nos, file, extra, spec), bad


def _plain(value: object) -> object:
    """A decoded value as Polars should hold it: numbers as numbers again, lone surrogates
    (which no Arrow string can hold) as U+FFFD."""
    if isinstance(value, _Number):
        try:
            return int(value)
        except ValueError:
            return float(value)
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read_line(line: bytes, spec: InputSpec) -> tuple[str | None, str, dict] | str:
    """(id, text, the other kept fields) of one line, or why it cannot be read."""
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start}"
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH and _depth(line) > MAX_DEPTH:
        return f"JSON nested deeper than {MAX_DEPTH} levels"
    try:
        obj = json.loads(decoded, object_pairs_hook=_object, parse_int=_Number, parse_float=_Number,
                         parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return f"broken JSON: {exc.msg} at column {exc.colno}"
    except ValueError as exc:
        return f"broken JSON: {exc}"
    if not isinstance(obj, _Object):
        return f"not a JSON object ({_json_type(obj)})"
    for name in (spec.text_field, spec.id_field):
        if name in obj.duplicates:
            return f"duplicate key {name!r}"
    text, raw_id = obj.get(spec.text_field), obj.get(spec.id_field)
    if text is None:
        return f"missing text field {spec.text_field!r}"
    if type(text) is not str:
        return f"text field {spec.text_field!r} is {_json_type(text)}, not a string"
    if isinstance(raw_id, list | dict):
        return f"id field {spec.id_field!r} is {_json_type(raw_id)}, not a string or number"
    ident = None if raw_id is None else ("true" if raw_id else "false") if isinstance(raw_id, bool) else str(raw_id)
    for name, value in ((spec.text_field, text), (spec.id_field, ident)):
        if value is not None and (lone := _SURROGATE.search(value)):
            return f"field {name!r} holds a lone surrogate (\\u{ord(lone.group()):04x})"
    return ident, text, {k: _plain(obj[k]) for k in spec.extra_fields(list(obj))}


def _depth(line: bytes) -> int:
    buf = np.frombuffer(_STRING.sub(b"", line), dtype=np.uint8)
    return int(np.cumsum(np.isin(buf, _OPEN).astype(np.int64) - np.isin(buf, _CLOSE)).max(initial=0))


def _json_type(value: object) -> str:
    if isinstance(value, _Number):
        return "number"
    return {str: "string", bool: "boolean", list: "array", dict: "object", _Object: "object",
            type(None): "null"}.get(type(value), type(value).__name__)
