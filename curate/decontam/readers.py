"""Benchmark files in the Hugging Face on-disk layouts, read whole into Polars frames.

- Parquet (``test-00000-of-00001.parquet``), JSONL (``.jsonl``, ``.json``, ``.ndjson``, one
  object a line, or one JSON array), CSV / TSV, plain text (one item a line, field ``text``);
- a ``save_to_disk`` directory: a ``Dataset`` (``state.json`` and ``data-*.arrow`` files, Arrow
  IPC streams) or a ``DatasetDict`` (``dataset_dict.json`` and one such directory a split);
- a directory or a glob of any of those files.

The split of a file is the ``DatasetDict``'s directory name, the ``Dataset``'s recorded split,
or test / validation / dev / train found in its file name (or its folder's, if that is one of them).
"""

from __future__ import annotations

import glob
import json
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

from curate.io.errors import InputError
from curate.io.remote import files_of

FORMATS = ("parquet", "jsonl", "csv", "text", "arrow")
_EXTENSIONS = {".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
               ".tsv": "csv", ".txt": "text", ".arrow": "arrow"}
_SPLIT = re.compile(r"(?<![a-z])(test|validation|valid|dev|train)(?![a-z])")


class BenchmarkError(InputError):
    """A benchmark file that cannot be read as its adapter says (names the file and the field)."""


@dataclass(frozen=True)
class BenchmarkFile:
    path: str
    split: str
    frame: pl.DataFrame


def split_of(path: str) -> str:
    """test / validation / dev / train from the file's name (``test-00000-of-00001.parquet``,
    ``kmmlu_dev.csv``), else its folder's when that is exactly a split name (``test/0.jsonl``)."""
    p = Path(path)
    found = _SPLIT.search(p.name.lower())
    if found is None and _SPLIT.fullmatch(p.parent.name.lower()):
        found = _SPLIT.fullmatch(p.parent.name.lower())
    if found is None:
        return "all"
    return "validation" if found.group(1) == "valid" else found.group(1)


def read_benchmark(path: str, fmt: str | None = None) -> list[BenchmarkFile]:
    """Every file ``path`` names (a file, a directory, a glob), with its split and rows."""
    p = Path(path)
    if p.is_dir():
        if (p / "dataset_dict.json").exists():
            splits = json.loads((p / "dataset_dict.json").read_text(encoding="utf-8")).get("splits", [])
            return [f for split in splits for f in _arrow_dataset(p / split, split)]
        if (p / "state.json").exists():
            return _arrow_dataset(p, None)
        files = sorted(str(f) for f in p.rglob("*") if f.is_file() and _format(str(f), None, strict=False))
    else:
        files = [path] if p.exists() else sorted(glob.glob(path, recursive=True))
    if not files:
        raise BenchmarkError(f"{path}: no benchmark file found (Parquet, JSONL, CSV, text or a save_to_disk directory)")
    return [BenchmarkFile(f, split_of(f), _read_file(f, _format(f, fmt))) for f in files]


def _format(path: str, fmt: str | None, strict: bool = True) -> str | None:
    if fmt is not None:
        return fmt
    name = path.lower().removesuffix(".gz")
    found = next((f for ext, f in _EXTENSIONS.items() if name.endswith(ext)), None)
    if found is None and strict:
        raise BenchmarkError(f"{path}: cannot tell the format from the name; give format: one of {', '.join(FORMATS)}")
    return found


def _read_file(path: str, fmt: str) -> pl.DataFrame:
    try:
        if fmt == "parquet":
            return pl.read_parquet(path)
        if fmt == "jsonl":
            return _read_json(path)
        if fmt == "csv":
            return pl.read_csv(path, separator="\t" if path.lower().endswith(".tsv") else ",",
                               infer_schema_length=10_000)
        if fmt == "text":
            lines = Path(path).read_text(encoding="utf-8").splitlines()
            return pl.DataFrame({"text": [line for line in lines if line.strip()]}, schema={"text": pl.Utf8})
        if fmt == "arrow":
            return _read_arrow(path)
    except (OSError, pl.exceptions.PolarsError, pa.ArrowException, ValueError) as exc:
        raise BenchmarkError(f"{path}: cannot read as {fmt}: {str(exc).splitlines()[0]}") from None
    raise BenchmarkError(f"{path}: unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def _read_json(path: str) -> pl.DataFrame:
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip()
    if not head:
        return pl.DataFrame()
    if head.startswith(b"["):  # one JSON array of objects
        return pl.DataFrame(json.loads(Path(path).read_text(encoding="utf-8")), infer_schema_length=None)
    return pl.read_ndjson(path, infer_schema_length=None)


def _read_arrow(path: str) -> pl.DataFrame:
    """An Arrow IPC stream (what ``save_to_disk`` writes) or file."""
    with pa.memory_map(path) as source:
        try:
            table = pa.ipc.open_stream(source).read_all()
        except pa.ArrowInvalid:
            table = pa.ipc.open_file(source).read_all()
    return pl.from_arrow(table)  # type: ignore[return-value]


def _arrow_dataset(directory: Path, split: str | None) -> list[BenchmarkFile]:
    """A ``save_to_disk`` Dataset directory: its Arrow files in the order ``state.json`` lists."""
    state_path = directory / "state.json"
    if not state_path.exists():
        raise BenchmarkError(f"{directory}: not a save_to_disk dataset (no state.json)")
    state = json.loads(state_path.read_text(encoding="utf-8"))
    names = [f["filename"] for f in state.get("_data_files", [])] or sorted(
        f.name for f in directory.glob("*.arrow"))
    split = split or state.get("_split") or split_of(str(directory))
    return [BenchmarkFile(str(directory / n), split, _read_file(str(directory / n), "arrow")) for n in names]


def top_level_fields(path: str, fmt: str | None = None) -> dict[str, list[str] | None]:
    """Each file of ``path`` -> its top-level field names (None: the file has no rows), read
    from the schema where the format has one (the recipe check: a missing field fails when the
    recipe loads)."""
    p = Path(path)
    if p.is_dir() and ((p / "dataset_dict.json").exists() or (p / "state.json").exists()):
        return {f.path: f.frame.columns if f.frame.height else None for f in read_benchmark(path, fmt)}
    out: dict[str, list[str] | None] = {}
    for f in ([str(x) for x in sorted(p.rglob("*")) if x.is_file() and _format(str(x), None, strict=False)]
              if p.is_dir() else files_of(path)):
        kind = _format(f, fmt)
        try:
            if kind == "parquet":
                rows = pq.ParquetFile(f).metadata.num_rows
                out[f] = list(pl.read_parquet_schema(f)) if rows else None
            elif kind == "csv":
                head = pl.read_csv(f, n_rows=1, separator="\t" if f.lower().endswith(".tsv") else ",")
                out[f] = head.columns if head.height else None
            else:
                frame = _read_file(f, kind)  # JSON: a key may first appear on a later line
                out[f] = frame.columns if frame.height else None
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise BenchmarkError(f"{f}: cannot read as {kind}: {str(exc).splitlines()[0]}") from None
    if not out:
        raise BenchmarkError(f"{path}: no benchmark file found (Parquet, JSONL, CSV, text or a save_to_disk directory)")
    return out
