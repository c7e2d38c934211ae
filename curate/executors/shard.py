"""The work both executors do per shard: parse, run a stage's steps, write, mark done.

A recipe is cut into stages at each global step: stage 0 holds the steps before
the first global step (possibly none), and every later stage starts with a
global step. Between stages, each shard's alive rows are kept under ``_state``;
the global step's summaries are computed from them, reduced once, and applied
at the start of the next stage.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curate.executors.layout import Layout
from curate.executors.ledger import HIST_BINS, Received, ShardLedger, Written
from curate.executors.output_schema import schema_text
from curate.executors.shared import local_shared_dir
from curate.executors.step_tables import part_path
from curate.executors.worker_info import node_name, peak_rss_mb, reset_peak
from curate.io.plan import Plan
from curate.io.read import InputSpec, Quarantined, RawShard, parse_raw_shard
from curate.io.schema import as_json
from curate.rules import unpack_rules, use_rules_dir
from curate.runner import DEAD_SCHEMA, BoundStep, empty_dead, run_steps, text_bytes
from curate.steps.base import GROUP, GlobalStep, RunContext, Step

INTERNAL = ("_src", "_line", "_shard", "_row", GROUP)
READ = "read"  # the pseudo-step that accounts for records arriving with empty text


class _ReadCheck(Step):
    name = READ

    def process(self, df: pl.DataFrame) -> pl.DataFrame:
        return df  # the runner drops empty texts by itself


MISSING = "(missing)"  # the group of records without a value in the report.group_by field


def group_values(frame: pl.DataFrame, name: str) -> pl.Expr:
    """The ``_group`` column: the field's value as text (a nested value as JSON), or MISSING."""
    if name not in frame.columns:
        return pl.lit(MISSING).alias(GROUP)
    values = frame[name]
    if isinstance(values.dtype, pl.List | pl.Array | pl.Struct):
        values = as_json(values)
    return pl.lit(values.cast(pl.Utf8, strict=False)).fill_null(MISSING).alias(GROUP)


@dataclass
class Stage:
    index: int
    steps: list[BoundStep]

    @property
    def global_step(self) -> BoundStep | None:
        first = self.steps[0] if self.steps else None
        return first if first is not None and isinstance(first.step, GlobalStep) else None


def split_stages(labels: list[str], steps: list[Step]) -> list[Stage]:
    stages = [Stage(0, [])]
    for label, step in zip(labels, steps, strict=True):
        if isinstance(step, GlobalStep):
            stages.append(Stage(len(stages), []))
        stages[-1].steps.append(BoundStep(label, step))
    return stages


def length_histogram(df: pl.DataFrame) -> list[int]:
    counts = [0] * HIST_BINS
    if df.height == 0:
        return counts
    bins = (df.select(((pl.col("text").str.len_chars() + 1).log(2).floor().cast(pl.Int64))
                      .clip(0, HIST_BINS - 1).alias("b"))
              .group_by("b").len())
    for b, n in bins.iter_rows():
        counts[b] = n
    return counts


_PUA = 0xF0000  # raw byte b <-> U+F0000 + b (Supplementary Private Use Area-A)
_ESCAPED = re.compile("[\U000f0000-\U000f00ff\udc80-\udcff]")
_PUA_RUN = re.compile("([\U000f0000-\U000f00ff]+)")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\udc80" <= char <= "\udcff":  # a byte that is not UTF-8, from surrogateescape
        return chr(_PUA + ord(char) - 0xDC00)
    # A real U+F00xx in the input is spelled as its own four bytes, so that every
    # U+F00xx in the text stands for exactly one raw byte and the way back is exact.
    return "".join(chr(_PUA + b) for b in char.encode("utf-8"))


def _bytes_to_text(raw: bytes) -> str:
    """Raw bytes as text a scrubber can read (Polars cannot hold the lone surrogates of surrogateescape)."""
    return _ESCAPED.sub(_escape, raw.decode("utf-8", "surrogateescape"))


def _text_to_bytes(text: str) -> bytes:
    """The inverse of ``_bytes_to_text`` for any input; text a scrubber put in is encoded as UTF-8."""
    parts = _PUA_RUN.split(text)  # odd parts are runs of escaped bytes
    return b"".join(bytes(ord(c) - _PUA for c in part) if i % 2 else part.encode("utf-8")
                    for i, part in enumerate(parts))


def quarantine_jsonl(items: list[Quarantined]) -> bytes:
    lines = [json.dumps({"file": q.file, "line": q.line, "error": q.error,
                         "raw_base64": base64.b64encode(q.raw).decode("ascii")}, ensure_ascii=False)
             for q in items]
    return ("\n".join(lines) + "\n").encode("utf-8")


def parquet_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.rechunk().write_parquet(buf, compression="zstd", statistics=True)
    return buf.getvalue()


@dataclass
class ShardState:
    """A shard between steps: what the Ray executor passes from one map to the next."""

    index: int
    stage: int
    alive: pl.DataFrame
    dead: pl.DataFrame
    quarantined: list[Quarantined]
    ledger: ShardLedger


@dataclass
class ShardWork:
    """Everything a worker needs; built once per worker process or Ray actor."""

    layout: Layout
    stages: list[Stage]
    input_spec: InputSpec
    ctx: RunContext
    plan: Plan | None = None  # the shards (the Ray datasource reads them itself)
    batch_size: int = 0
    shuffle_partitions: int | None = None  # global steps' partitions; None: from the record count
    rules_files: dict[str, bytes] | None = None  # the recipe's `rules:` directory, packed (rules.pack_rules_dir)
    renames: dict[str, str] = field(default_factory=dict)  # column -> its name in the output (text -> content)
    group_by: str | None = None  # report.group_by: the field the report counts by
    shared: set[str] = field(default_factory=set)  # labels of steps whose state the driver built (shared.py)
    _ready: set[str] = field(default_factory=set, init=False)
    _states: dict[int, Any] = field(default_factory=dict, init=False)
    _scrubbers: list[Any] | None = field(default=None, init=False)  # built on first use

    def setup(self) -> None:
        """Load every step's heavy state (a local worker runs all steps)."""
        use_rules_dir(unpack_rules(self.rules_files) if self.rules_files else None)
        for stage in self.stages:
            for bound in stage.steps:
                self.setup_step(bound)

    def setup_step(self, bound: BoundStep) -> None:
        """Load one step's heavy state once (a global step's tasks need only theirs)."""
        if bound.label not in self._ready:
            if bound.label in self.shared:  # mapped from the files the driver wrote, before setup
                bound.step.attach_shared(local_shared_dir(self.layout.store, bound.label))
            bound.step.setup(self.ctx)
            self._ready.add(bound.label)

    @property
    def keeps_dropped_text(self) -> bool:
        """Whether dropped/ parts carry text and scores: one schema for every part of a run."""
        return any(b.step.keep_dropped_text for stage in self.stages for b in stage.steps)

    @property
    def last_stage(self) -> int:
        return len(self.stages) - 1

    def global_state(self, stage: int, index: int) -> Any:
        """The reduced state of a stage's global step for one shard: its own part when the
        step partitions its state, else the shared state (loaded once per worker)."""
        if stage in self._states:  # a step writes either a shared state or parts, never both
            return self._states[stage]
        try:
            return pickle.loads(self.layout.store.read_bytes(self.layout.global_part(stage, index)))
        except FileNotFoundError:
            pass
        self._states[stage] = pickle.loads(self.layout.store.read_bytes(self.layout.global_state(stage)))
        return self._states[stage]

    # -- stage inputs ---------------------------------------------------------------------------
    def read_stage_input(self, stage: int, index: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        alive = self.read_parquet(self.layout.stage_rows(stage - 1, index))
        dead = self.read_parquet(self.layout.stage_dead(stage - 1, index))
        if alive is None:
            raise FileNotFoundError(self.layout.store.shown(self.layout.stage_rows(stage - 1, index)))
        if dead is not None:  # written by a version without groups or review text: those are null
            dead = dead.with_columns(pl.lit(None, dtype=dtype).alias(name) for name, dtype in DEAD_SCHEMA.items()
                                     if name not in dead.columns)
        return alive, empty_dead() if dead is None else dead

    def read_parquet(self, rel: str) -> pl.DataFrame | None:
        """A parquet file of the run (None when absent): read in place on a local disk, fetched whole from a store."""
        store = self.layout.store
        local = store.local_path(rel)
        if local is not None:
            return pl.read_parquet(local) if local.exists() else None
        try:
            return pl.read_parquet(io.BytesIO(store.read_bytes(rel)))
        except FileNotFoundError:
            return None

    # -- processing -----------------------------------------------------------------------------
    def scrub(self, quarantined: list[Quarantined]) -> list[Quarantined]:
        """Quarantined raw bytes get the treatment of every step that declares one (PII) before
        they touch the disk.

        Bytes that are not UTF-8 travel as private-use characters (Polars cannot hold lone
        surrogates), so everything a scrubber leaves alone stays byte-for-byte.
        """
        if not quarantined:
            return quarantined
        if self._scrubbers is None:
            declared = (b.step.quarantine_scrubber(self.ctx) for st in self.stages for b in st.steps)
            self._scrubbers = [scrub for scrub in declared if scrub is not None]
        if not self._scrubbers:
            return quarantined
        texts = [_bytes_to_text(q.raw) for q in quarantined]
        for scrub in self._scrubbers:
            texts = scrub(texts)
        return [Quarantined(q.file, q.line, q.error, _text_to_bytes(t))
                for q, t in zip(quarantined, texts, strict=True)]

    def parse(self, raw: RawShard) -> tuple[pl.DataFrame, list[Quarantined], Received]:
        parsed = parse_raw_shard(raw, self.input_spec)
        parsed.quarantined = self.scrub(parsed.quarantined)
        frame = parsed.frame.with_columns(
            pl.lit(raw.shard.index, dtype=pl.Int64).alias("_shard"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
        )
        groups = None
        if self.group_by is not None:
            frame = frame.with_columns(group_values(frame, self.group_by))
            groups = {g: [n, b] for g, n, b in frame.group_by(GROUP).agg(
                pl.len(), pl.col("text").str.len_bytes().sum()).sort(GROUP).iter_rows()}
        received = Received(frame.height + len(parsed.quarantined), len(parsed.quarantined),
                            length_histogram(frame), text_bytes(frame), groups)
        return frame, parsed.quarantined, received

    def run_stage(self, stage: int, index: int, raw: RawShard | None = None) -> ShardLedger:
        """Process one shard through one stage, write its files, then its marker. Returns its ledger."""
        reset_peak()
        state = self.start(stage, index, raw)
        for position in range(len(self.stage_steps(stage))):
            state = self.step(state, position)
        return self.finish(state)

    def stage_steps(self, stage: int) -> list[BoundStep]:
        steps = self.stages[stage].steps
        # Records that arrive empty are dropped by "read", not blamed on the first step.
        return [BoundStep(READ, _ReadCheck()), *steps] if stage == 0 else steps

    def start(self, stage: int, index: int, raw: RawShard | None = None) -> ShardState:
        """A shard's rows at the start of a stage: parsed input (stage 0) or the previous stage's."""
        if stage == 0:
            assert raw is not None and raw.shard.index == index
            alive, quarantined, received = self.parse(raw)
            return ShardState(index, stage, alive, empty_dead(), quarantined, ShardLedger(index, stage, [], received))
        alive, dead = self.read_stage_input(stage, index)
        return ShardState(index, stage, alive, dead, [], ShardLedger(index, stage))

    def step(self, state: ShardState, position: int) -> ShardState:
        """Run the stage's step at ``position`` on the shard."""
        bound = self.stage_steps(state.stage)[position]
        self.setup_step(bound)
        if isinstance(bound.step, GlobalStep):
            bound.state = self.global_state(state.stage, state.index)
        alive, dead, stats = run_steps([bound], state.alive, state.dead)
        state.alive, state.dead = alive, dead
        state.ledger.steps.extend(stats)
        return state

    def finish(self, state: ShardState) -> ShardLedger:
        """Write the shard's files for this stage, then its marker (last, so it means done)."""
        index, stage, alive, dead = state.index, state.stage, state.alive, state.dead
        ledger = state.ledger
        store = self.layout.store
        if state.quarantined:
            store.write_bytes(self.layout.quarantine(index), quarantine_jsonl(state.quarantined))
        for stats in ledger.steps:  # the steps' report-table rows (step_tables.py)
            if stats.table is not None:
                store.write_bytes(part_path(stats.step, index), parquet_bytes(stats.table))
        if stage == self.last_stage:
            data = self.write_final(index, alive, dead)
            ledger.written = Written(alive.height, dead.height, length_histogram(alive), text_bytes(alive),
                                     schema_text(data), self.group_counts(alive, dead))
        else:
            store.write_bytes(self.layout.stage_rows(stage, index), parquet_bytes(alive))
            store.write_bytes(self.layout.stage_dead(stage, index), parquet_bytes(dead))
        ledger.node, ledger.peak_rss_mb = node_name(), peak_rss_mb()
        store.write_json(self.layout.marker(stage, index), ledger.to_json())  # last: the shard is done
        return ledger

    def group_counts(self, alive: pl.DataFrame, dead: pl.DataFrame) -> dict[str, dict[str, Any]] | None:
        """Per report.group_by value: records kept, their text bytes, and drops by step and reason."""
        if self.group_by is None:
            return None
        groups: dict[str, dict[str, Any]] = {}
        kept = alive.group_by(GROUP).agg(pl.len(), pl.col("text").str.len_bytes().sum()).sort(GROUP)
        for group, n, size in kept.iter_rows():
            groups[group] = {"kept": n, "bytes_out": size, "dropped": {}}
        drops = dead.group_by(GROUP, "step", "reason").len().sort(GROUP, "step", "reason")
        for group, step, reason, n in drops.iter_rows():
            entry = groups.setdefault(group or MISSING, {"kept": 0, "bytes_out": 0, "dropped": {}})
            entry["dropped"][f"{step}: {reason}"] = n
        return groups

    def write_final(self, index: int, alive: pl.DataFrame, dead: pl.DataFrame) -> pl.DataFrame:
        """Write the shard's output part and its dropped list; returns the part's records."""
        data = alive.drop([c for c in INTERNAL if c in alive.columns]).rename(self.renames, strict=False)
        self.write_data(index, data)
        if dead.height:
            review = ("text", "scores") if self.keeps_dropped_text else ()
            dropped = dead.sort("_row").select("id", pl.col("_src").alias("source"),
                                               pl.col("_line").alias("line"), "step", "reason", *review)
            self.layout.store.write_bytes(self.layout.dropped(index), parquet_bytes(dropped))
        return data

    def write_data(self, index: int, data: pl.DataFrame) -> None:
        if self.layout.data_format == "jsonl":
            buf = io.BytesIO()
            data.write_ndjson(buf)
            payload = buf.getvalue()
        else:
            payload = parquet_bytes(data)
        self.layout.store.write_bytes(self.layout.data(index), payload)

