"""A task's files read as candidate examples: split discipline, fields, labels.

Files are read by the decontamination readers (Parquet, JSONL, CSV/TSV, ``save_to_disk`` Arrow;
the split from the file or folder name). A file of an evaluation split (test, validation, dev)
is never read into examples, whatever the task says; a file whose name names no split needs the
task's ``split:``, so that no file becomes training data by accident.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from curate.decontam.items import field_text
from curate.decontam.readers import BenchmarkError, read_benchmark
from curate.instruct.spec import EVALUATION_SPLITS, TaskDefinition, TaskEntry
from curate.instruct.template import placeholders

UNKNOWN_SPLIT = "all"  # what the readers call a file whose name names no split
LABEL_RAW = "label_value"  # the label as the data file has it (as text)
LABEL_CLASS = "label"  # the class an example counts under: the mapped answer (긍정), or the value itself
# when the answer is made of fields (COPA's "{alternative_2}") or there is no mapping


def field_column(placeholder: str) -> str:
    """The column of a placeholder's values (prefixed: a field may be called id or task)."""
    return f"f.{placeholder}"


@dataclass
class Candidates:
    """A task's rows that may become examples, and what was left out before any cap."""

    frame: pl.DataFrame  # source_split, source_id, label_value, label (class), one column per field
    fields: list[str]  # the field columns, in the definition's order
    skipped: Counter = field(default_factory=Counter)  # reason -> rows
    files: list[tuple[str, str, int]] = field(default_factory=list)  # (file, split, rows) of every file seen


def read_candidates(entry: TaskEntry, definition: TaskDefinition) -> Candidates:
    name = entry.label_name
    files = read_benchmark(entry.path, entry.format)
    names = [field_column(p) for p in definition.fields]
    parts: list[pl.DataFrame] = []
    result = Candidates(pl.DataFrame(), names)
    for f in files:
        split = f.split
        if entry.split is not None:
            if split in EVALUATION_SPLITS:
                raise BenchmarkError(f"{f.path}: task {name}: the file's name says {split}, the task says "
                                     f"{entry.split}; an evaluation split never becomes training examples")
            split = entry.split
        result.files.append((f.path, split, f.frame.height))
        if split == UNKNOWN_SPLIT:
            raise BenchmarkError(f"{f.path}: task {name}: cannot tell the file's split from its name; "
                                 "say which it is (split: train)")
        if split in EVALUATION_SPLITS:
            result.skipped["evaluation_split"] += f.frame.height
            continue
        if split not in entry.splits:
            result.skipped["split_not_read"] += f.frame.height
            continue
        parts.append(_rows(f.frame, f.path, split, definition, name))
    if not parts:
        seen = ", ".join(sorted({s for _, s, _ in result.files})) or "none"
        raise BenchmarkError(f"{entry.path}: task {name}: no file of the splits read ({', '.join(entry.splits)}); "
                             f"splits found: {seen}")
    frame = _keep(pl.concat(parts), names, definition, result.skipped)
    result.frame = frame.with_columns(label_class(definition))
    return result


def label_class(definition: TaskDefinition) -> pl.Expr:
    if definition.label is None:
        return pl.lit(None, dtype=pl.Utf8).alias(LABEL_CLASS)
    mapping = definition.label.map
    if mapping is None:
        return pl.col(LABEL_RAW).alias(LABEL_CLASS)
    names = {value: (value if placeholders(answer) else answer) for value, answer in mapping.items()}
    return pl.col(LABEL_RAW).replace_strict(names, default=None, return_dtype=pl.Utf8).alias(LABEL_CLASS)


def _rows(frame: pl.DataFrame, path: str, split: str, definition: TaskDefinition, task: str) -> pl.DataFrame:
    where = f"{path}: task {task}"
    n = frame.height
    ids = (field_text(frame, definition.id, where) if definition.id
           else pl.Series([f"{Path(path).name}#{i}" for i in range(n)], dtype=pl.Utf8))
    columns = {"source_split": pl.Series([split] * n, dtype=pl.Utf8), "source_id": ids.alias("source_id")}
    columns[LABEL_RAW] = (field_text(frame, definition.label.field, where) if definition.label
                          else pl.Series([None] * n, dtype=pl.Utf8))
    for placeholder, source_field in definition.fields.items():
        columns[field_column(placeholder)] = field_text(frame, source_field, where)
    return pl.DataFrame({k: v.alias(k) for k, v in columns.items()})


def skip_reason(names: list[str], definition: TaskDefinition) -> pl.Expr:
    """Why a row is no example (null: it is one): a field missing, no label, a label the task
    does not map, an input over ``max_input_chars``; the first that holds."""
    reasons = [("missing_field", pl.any_horizontal([pl.col(n).is_null() | (pl.col(n).str.strip_chars() == "")
                                                    for n in names]))]
    if definition.label is not None:
        reasons.append(("missing_label", pl.col(LABEL_RAW).is_null()))
        if definition.label.map is not None:
            reasons.append(("label_not_mapped", ~pl.col(LABEL_RAW).is_in(list(definition.label.map))))
    if definition.max_input_chars is not None:
        total = pl.sum_horizontal([pl.col(n).str.len_chars() for n in names])
        reasons.append(("input_too_long", total > definition.max_input_chars))
    reason = pl.lit(None, dtype=pl.Utf8)
    for name, condition in reversed(reasons):
        reason = pl.when(condition).then(pl.lit(name)).otherwise(reason)
    return reason


def _keep(frame: pl.DataFrame, names: list[str], definition: TaskDefinition, skipped: Counter) -> pl.DataFrame:
    judged = frame.with_columns(skip_reason(names, definition).alias("_reason"))
    for why, n in judged["_reason"].drop_nulls().value_counts().iter_rows():
        skipped[why] += n
    return judged.filter(pl.col("_reason").is_null()).drop("_reason")
