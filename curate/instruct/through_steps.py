"""The examples' inputs through curate's own steps: PII, dedup, decontamination, filters.

Each example is one document for the steps: its fields' values, one field after another,
joined by a line break (the answer is not part of it: the same review under two labels is one
duplicate, not two texts). A step that changes text (``pii``, ``normalize``) rewrites the fields;
a step that drops (``dedup_exact``, ``dedup_fuzzy``, ``decontaminate`` with ``unit: document``,
``filter``) refuses the example, and the refusal is recorded with the step and its reason. An
example's fields are found again by their line counts, so a step that adds or removes lines
is refused when the task file loads (``spec._LINE_STEPS``) and caught here if one slips through.
"""

from __future__ import annotations

import polars as pl

from curate.runner import StepStats, run_in_memory
from curate.steps.base import RunContext, Step

REFUSED_SCHEMA = {"id": pl.Utf8, "task": pl.Utf8, "step": pl.Utf8, "reason": pl.Utf8}


class LinesChanged(RuntimeError):
    """A step changed the number of lines of an example's input."""


def input_document(fields: list[str]) -> pl.Expr:
    return pl.concat_str([pl.col(f) for f in fields], separator="\n").alias("text")


def _line_counts(fields: list[str]) -> list[pl.Expr]:
    return [(pl.col(f).str.count_matches("\n") + 1).alias(f"_lines_{i}") for i, f in enumerate(fields)]


def pass_through(tasks: dict[str, tuple[pl.DataFrame, list[str]]], steps: list[Step], ctx: RunContext
                 ) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, list[StepStats]]:
    """``tasks``: name -> (examples with ``id`` and field columns, field names). Returns the kept
    examples of each task with their fields as the steps left them, the refused ones, and
    each step's statistics."""
    if not steps:
        return {name: frame for name, (frame, _) in tasks.items()}, pl.DataFrame(schema=REFUSED_SCHEMA), []
    documents = pl.concat([frame.select("id", input_document(fields), pl.lit(name).alias("_src"))
                           for name, (frame, fields) in tasks.items()])
    for step in steps:
        step.setup(ctx)
    kept, dead, stats = run_in_memory(steps, documents)
    refused = dead.select("id", pl.col("_src").alias("task"), "step", "reason").cast(REFUSED_SCHEMA)  # type: ignore[arg-type]
    out: dict[str, pl.DataFrame] = {}
    for name, (frame, fields) in tasks.items():
        rows = frame.with_columns(_line_counts(fields)).join(kept.select("id", pl.col("text").alias("_text")),
                                                             on="id", how="inner", maintain_order="left")
        lines = pl.col("_text").str.split("\n")
        changed = rows.filter(lines.list.len() != pl.sum_horizontal(pl.col(f"_lines_{i}") for i in range(len(fields))))
        if changed.height:
            raise LinesChanged(f"task {name}: a step changed the lines of example {changed['id'][0]}; steps "
                               "over instruction examples must keep each example's lines")
        offset = pl.lit(0, dtype=pl.Int64)
        rebuilt = []
        for i, f in enumerate(fields):
            count = pl.col(f"_lines_{i}").cast(pl.Int64)
            rebuilt.append(lines.list.slice(offset, count).list.join("\n").alias(f))
            offset = offset + count
        out[name] = rows.with_columns(rebuilt).drop("_text", *[f"_lines_{i}" for i in range(len(fields))])
    return out, refused, stats
