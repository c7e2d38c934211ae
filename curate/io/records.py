"""What reading produces: record frames and quarantine entries, whatever the input format.

A record frame holds ``id`` and ``text``, curate's bookkeeping columns (``_src``, ``_line``),
every other field of the input that the recipe keeps (``input.fields``), with its type, and
the constant provenance columns of its input (``input.paths[].add``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from curate.io.errors import InputError
from curate.io.plan import FilePlan

RECORD_COLUMNS = ("id", "text", "_src", "_line")
# Columns curate itself writes while records are in flight; an input field may not take their names.
INTERNAL_COLUMNS = ("_src", "_line", "_shard", "_row", "_drop", "_group")


@dataclass(frozen=True)
class InputSpec:
    text_field: str = "text"
    id_field: str = "id"
    max_record_bytes: int = 64 << 20
    fields: tuple[str, ...] | None = None  # other input fields to keep; None: all of them
    reserved: tuple[str, ...] = ()  # columns the recipe's steps write (toxicity's p_hate, ...)

    def extra_fields(self, names: list[str]) -> list[str]:
        """The input fields, besides id and text, that records keep, in input order."""
        own = (self.text_field, self.id_field)
        return [n for n in names if n not in own and (self.fields is None or n in self.fields)]

    def taken(self) -> dict[str, str]:
        """Column names an input field may not have, with whose they are."""
        taken = {name: "curate's bookkeeping" for name in INTERNAL_COLUMNS}
        taken.update((name, "a column the recipe's steps write") for name in self.reserved)
        if self.id_field != "id":
            taken["id"] = f"the record id (id_field is {self.id_field!r})"
        if self.text_field != "text":
            taken["text"] = f"the record text (text_field is {self.text_field!r})"
        return taken


@dataclass
class Quarantined:
    file: str
    line: int
    error: str
    raw: bytes


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema={"id": pl.Utf8, "text": pl.Utf8, "_src": pl.Utf8, "_line": pl.Int64})


def finish(ids: pl.Series | list, texts: pl.Series | list, line_nos: pl.Series | list[int],
           file: FilePlan, extra: pl.DataFrame | None = None, spec: InputSpec | None = None) -> pl.DataFrame:
    """The record frame: ids where the input has none are generated as ``<file>:<line>``;
    ``extra`` holds the kept input fields, row for row."""
    frame = pl.DataFrame({"id": ids, "text": texts, "_line": line_nos},
                         schema={"id": pl.Utf8, "text": pl.Utf8, "_line": pl.Int64})
    generated = pl.lit(f"{file.source}:") + pl.col("_line").cast(pl.Utf8)
    frame = frame.select(
        pl.coalesce(pl.col("id"), generated).alias("id"),
        "text",
        pl.lit(file.source).alias("_src"),
        "_line",
    )
    extra = extra if extra is not None and extra.width else None
    if extra is not None:
        _check_names(extra, frame["_line"], file, spec or InputSpec())
        frame = pl.concat([frame, extra], how="horizontal")
    if file.add:
        clash = [name for name, _ in file.add if name in frame.columns or name in (spec or InputSpec()).taken()]
        if clash:
            raise InputError(f"{file.source}: provenance column {clash[0]!r} (input.paths[].add) is also "
                             "the name of an input field or of one of curate's own columns")
        frame = frame.with_columns(pl.lit(value).alias(name) for name, value in file.add)
    return frame


def _check_names(extra: pl.DataFrame, lines: pl.Series, file: FilePlan, spec: InputSpec) -> None:
    taken = spec.taken()
    for name in extra.columns:
        if name in taken:
            present = extra[name].is_not_null()
            line = lines.filter(present)[0] if present.any() else lines[0]
            raise InputError(f"{file.source}:{line}: input field {name!r} has the name of {taken[name]}; "
                             "rename it in the input, or leave it out with input.fields")
