"""Run a chain of steps over one batch and keep the books.

The runner is what both executors call per shard. It feeds each step the alive
rows, moves the rows a step drops (or empties) to the dead list with the step
and reason, and records per-step figures: rows and bytes in and out, seconds,
drop reasons and the step's own counters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curate.steps.base import DROP, GROUP, GlobalStep, Step, StepOutput

DEAD_SCHEMA = {"id": pl.Utf8, "_src": pl.Utf8, "_line": pl.Int64, "_shard": pl.Int64, "_row": pl.Int64,
               "step": pl.Utf8, "reason": pl.Utf8, "_group": pl.Utf8, "text": pl.Utf8, "scores": pl.Utf8}
EXAMPLES_PER_STEP = 20  # examples kept per step and shard (the report keeps fewer overall)


@dataclass
class StepStats:
    step: str
    rows_in: int = 0
    rows_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0
    drops: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    by_group: dict[str, dict[str, int]] = field(default_factory=dict)  # counters per report.group_by value
    # the step's report-table rows for this shard (StepOutput.table): written beside the shard, not in its marker
    table: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    def merge(self, other: StepStats, max_examples: int = EXAMPLES_PER_STEP) -> None:
        self.rows_in += other.rows_in
        self.rows_out += other.rows_out
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out
        self.seconds += other.seconds
        for key, value in other.drops.items():
            self.drops[key] = self.drops.get(key, 0) + value
        for key, value in other.counters.items():
            self.counters[key] = self.counters.get(key, 0) + value
        for group, counters in other.by_group.items():
            mine = self.by_group.setdefault(group, {})
            for key, value in counters.items():
                mine[key] = mine.get(key, 0) + value
        room = max_examples - len(self.examples)
        if room > 0:
            self.examples.extend(other.examples[:room])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": self.step, "rows_in": self.rows_in, "rows_out": self.rows_out,
            "bytes_in": self.bytes_in, "bytes_out": self.bytes_out, "seconds": round(self.seconds, 6),
            "drops": dict(sorted(self.drops.items())), "counters": dict(sorted(self.counters.items())),
            "examples": self.examples,
        }
        if self.by_group:
            data["by_group"] = {g: dict(sorted(c.items())) for g, c in sorted(self.by_group.items())}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepStats:
        return cls(**data)


@dataclass
class BoundStep:
    """A step instance with its label in the recipe (unique, e.g. ``boilerplate`` or ``pii.2``)."""

    label: str
    step: Step
    state: Any = None  # a GlobalStep's reduced state, once known


def step_labels(steps: list[Step]) -> list[str]:
    """Each step's label in a recipe: its ``label``, else its name, or ``name.position`` when the
    name repeats."""
    names = [s.name for s in steps]
    return [s.label or (f"{n}.{i}" if names.count(n) > 1 else n) for i, (s, n) in enumerate(zip(steps, names,
                                                                                                  strict=True))]


def empty_dead() -> pl.DataFrame:
    return pl.DataFrame(schema=DEAD_SCHEMA)


def text_bytes(df: pl.DataFrame) -> int:
    if df.height == 0:
        return 0
    return int(df["text"].str.len_bytes().sum() or 0)


def run_step(bound: BoundStep, alive: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, StepStats]:
    """One step over the alive rows: (still alive, newly dead, stats)."""
    stats = StepStats(bound.label, rows_in=alive.height, bytes_in=text_bytes(alive))
    start = time.perf_counter()
    if alive.height == 0:
        out = StepOutput(alive)
    else:
        step = bound.step
        result = step.apply(alive, bound.state) if isinstance(step, GlobalStep) else step.process(alive)
        out = result if isinstance(result, StepOutput) else StepOutput(result)
    stats.seconds = time.perf_counter() - start
    df = out.df
    if df.height != alive.height:
        raise RuntimeError(f"step {bound.label} returned {df.height} rows for {alive.height}; "
                           "steps mark drops in the _drop column instead of removing rows")
    reason = pl.col(DROP) if DROP in df.columns else pl.lit(None, dtype=pl.Utf8)
    flag = bound.step.flag_column()
    if flag is not None:  # drop: false -- the reason goes in a column, the row stays
        df = df.with_columns(reason.alias(flag))
        reason = pl.lit(None, dtype=pl.Utf8)
        flagged = df[flag].drop_nulls().value_counts(sort=True)
        out.counters.update({f"flagged_{r}": n for r, n in sorted(flagged.iter_rows())})
    empty = pl.col("text").is_null() | (pl.col("text").str.strip_chars() == "")
    df = df.with_columns(pl.coalesce(reason, pl.when(empty).then(pl.lit("empty_text"))).alias(DROP))
    dead = (df.filter(pl.col(DROP).is_not_null())
              .select("id", "_src", "_line", "_shard", "_row", pl.lit(bound.label).alias("step"),
                      pl.col(DROP).alias("reason"),
                      pl.col(GROUP) if GROUP in df.columns else pl.lit(None, dtype=pl.Utf8).alias(GROUP),
                      *_review_columns(bound.step, df)))
    alive_out = df.filter(pl.col(DROP).is_null()).drop(DROP)
    stats.rows_out = alive_out.height
    stats.bytes_out = text_bytes(alive_out)
    if dead.height:
        counts = dead.group_by("reason").len().sort("reason")
        stats.drops = dict(zip(counts["reason"].to_list(), counts["len"].to_list(), strict=True))
    stats.counters = {k: int(v) for k, v in out.counters.items()}
    stats.examples = list(out.examples[:EXAMPLES_PER_STEP])
    stats.by_group = out.by_group
    stats.table = out.table
    return alive_out, dead.cast(DEAD_SCHEMA), stats  # type: ignore[arg-type]


def _review_columns(step: Step, df: pl.DataFrame) -> list[pl.Expr]:
    """The dropped rows' text and the measures they were judged on (JSON), for a step with
    ``keep_dropped_text`` (``curate sample`` reads them); null otherwise."""
    none = pl.lit(None, dtype=pl.Utf8)
    if not step.keep_dropped_text:
        return [none.alias("text"), none.alias("scores")]
    measured = [c for c in step.review_thresholds() if c in df.columns]
    scores = pl.struct(measured).struct.json_encode() if measured else none
    return [pl.col("text"), scores.alias("scores")]


def run_steps(steps: list[BoundStep], alive: pl.DataFrame,
              dead: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame, list[StepStats]]:
    """Run ``steps`` in order; returns (kept rows, all dead rows, stats per step)."""
    dead_parts = [dead if dead is not None else empty_dead()]
    all_stats = []
    for bound in steps:
        alive, newly_dead, stats = run_step(bound, alive)
        dead_parts.append(newly_dead)
        all_stats.append(stats)
    return alive, pl.concat(dead_parts), all_stats


def run_in_memory(steps: list[Step], df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[StepStats]]:
    """Run steps over one in-memory frame (``id`` and ``text``), global steps included.

    For tests and notebooks: the frame is treated as a single shard.
    """
    frame = df.with_columns(
        pl.lit(0, dtype=pl.Int64).alias("_shard"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
        *([] if "_src" in df.columns else [pl.lit("memory").alias("_src")]),
        *([] if "_line" in df.columns else [pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_line")]),
    )
    bound = [BoundStep(label, s) for label, s in zip(step_labels(steps), steps, strict=True)]
    dead = empty_dead()
    stats: list[StepStats] = []
    for b in bound:
        if isinstance(b.step, GlobalStep):
            from curate.executors.shuffle import states_in_memory  # the executors import this module

            b.state = states_in_memory(b.step, [frame])[0]
        frame, dead, s = run_steps([b], frame, dead)
        stats.extend(s)
    return frame, dead, stats
