"""A benchmark's files read through its item layout: items, and the probes matched against text.

An *item* is one benchmark example (benchmark, split, item id, gold answer). A *probe* is one
text field of one item (its passage, its question, one sentence of a pair): each is matched on
its own, so a corpus that holds only the passage of a reading-comprehension item is found, and
the report says which field was found.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from curate.decontam.adapters import Answer, ItemLayout
from curate.decontam.readers import BenchmarkError, BenchmarkFile


@dataclass(frozen=True)
class BenchmarkItems:
    items: pl.DataFrame  # benchmark, split, item_id, answer (Utf8; answer null when none)
    probes: pl.DataFrame  # item (Int64, row of items), field (Utf8), text (Utf8), is_question (bool)


def _field(frame: pl.DataFrame, path: str, where: str) -> pl.Series:
    """A field's values as text; ``a.b`` reaches into a struct, a list gives its first element."""
    head, *rest = path.split(".")
    if head not in frame.columns:
        raise BenchmarkError(f"{where}: no field {head!r}" + (f" (for {path!r})" if rest else "")
                             + f"; its fields: {', '.join(frame.columns)}")
    values = frame[head]
    for part in rest:
        if isinstance(values.dtype, pl.List):
            values = values.list.first()
        if not isinstance(values.dtype, pl.Struct) or part not in [f.name for f in values.dtype.fields]:
            raise BenchmarkError(f"{where}: field {path!r}: {head!r} has no sub-field {part!r}")
        values = values.struct.field(part)
    if isinstance(values.dtype, pl.List):
        values = values.list.first()
    if isinstance(values.dtype, pl.Struct):
        raise BenchmarkError(f"{where}: field {path!r} is a struct; name one of its text fields ({path}.NAME)")
    return values.cast(pl.Utf8).alias(path)


field_text = _field  # a field's values as text, for other readers of these layouts (curate.instruct)


def _answer(frame: pl.DataFrame, answer: Answer, where: str) -> pl.Series:
    value = _field(frame, answer.field, where)
    if answer.pattern is not None:
        value = value.str.extract(answer.pattern, 1)
    if answer.choices is None and answer.choices_field is None:
        return value
    index = value.str.strip_chars().cast(pl.Int64, strict=False) - answer.base
    if answer.choices is not None:
        choices = pl.DataFrame([_field(frame, c, where).alias(str(i)) for i, c in enumerate(answer.choices)])
        listed = choices.select(pl.concat_list(pl.all()).alias("c"))["c"]
    else:
        assert answer.choices_field is not None
        listed = frame[answer.choices_field] if answer.choices_field in frame.columns else None
        if listed is None or not isinstance(listed.dtype, pl.List):
            raise BenchmarkError(f"{where}: choices_field {answer.choices_field!r} is not a list field; "
                                 f"its fields: {', '.join(frame.columns)}")
        listed = listed.cast(pl.List(pl.Utf8))
    return (pl.DataFrame({"c": listed, "i": index})
            .select(pl.col("c").list.get(pl.col("i"), null_on_oob=True))["c"].alias("answer"))


def read_items(name: str, layout: ItemLayout, files: list[BenchmarkFile]) -> BenchmarkItems:
    """Items and probes of one benchmark; an error naming the file and the field when a file
    lacks a field its layout needs, and when the benchmark has no item at all."""
    item_parts, probe_parts, offset = [], [], 0
    for f in files:
        where = f"{f.path}: benchmark {name}"
        frame = f.frame
        n = frame.height
        ids = (_field(frame, layout.id, where) if layout.id else pl.Series(range(n), dtype=pl.Int64).cast(pl.Utf8))
        answer = (_answer(frame, layout.answer, where) if layout.answer is not None
                  else pl.Series([None] * n, dtype=pl.Utf8))
        item_parts.append(pl.DataFrame({"benchmark": [name] * n, "split": [f.split] * n, "item_id": ids,
                                        "answer": answer}, schema={"benchmark": pl.Utf8, "split": pl.Utf8,
                                                                   "item_id": pl.Utf8, "answer": pl.Utf8}))
        row = pl.Series(range(offset, offset + n), dtype=pl.Int64)
        for text_field in dict.fromkeys([*layout.texts, *([layout.question] if layout.question else [])]):
            probe_parts.append(pl.DataFrame({"item": row, "field": [text_field] * n,
                                             "text": _field(frame, text_field, where),
                                             "is_question": [text_field == layout.question] * n},
                                            schema={"item": pl.Int64, "field": pl.Utf8, "text": pl.Utf8,
                                                    "is_question": pl.Boolean}))
        offset += n
    if offset == 0:
        shown = ", ".join(f.path for f in files) or "(no file)"
        raise BenchmarkError(f"{shown}: benchmark {name} has no items")
    probes = pl.concat(probe_parts).filter(pl.col("text").is_not_null() & (pl.col("text").str.strip_chars() != ""))
    return BenchmarkItems(pl.concat(item_parts), probes)
