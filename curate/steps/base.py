"""The step contract: one small class, one job, a pure transformation of a Polars frame.

A step receives the *alive* rows of a batch (at least ``id`` and ``text``; other
columns pass through) and returns a frame with the same rows in the same order,
optionally transformed, with a ``_drop`` column (Utf8) holding a drop reason for
the rows it wants removed (null keeps the row). The runner, not the step, moves
dropped rows to the ledger, so a step never has to think about bookkeeping.

Heavy state (an analyzer, a model) is loaded in ``setup``, which the executor
calls once per worker process or Ray actor, never per batch.

Steps that need the whole corpus (exact or fuzzy dedup, say) subclass
``GlobalStep``: a map phase (``summarize``) over every batch, a reduce phase
(``reduce``) in the driver, and an apply phase (``apply``) per batch that sees
the reduced state. Both executors run these three phases the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

DROP = "_drop"  # column a step fills with a drop reason; null keeps the row
GROUP = "_group"  # the record's value of the run's report.group_by field, as text (when it has one)
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]  # a share or a probability parameter


@dataclass(frozen=True)
class RunContext:
    """What a step may know about the run it is part of."""

    seed: int = 0
    key: bytes | None = None  # secret for keyed pseudonymization; never logged
    work_dir: str | None = None  # a scratch directory private to this run (global steps' state)
    output_dir: str | None = None  # the run's OUTPUT directory (steps that write artifacts, e.g. a tokenizer)


@dataclass
class StepOutput:
    """A step's result when it has more to say than the frame.

    ``counters`` are summed across batches into the report (e.g. PII found by
    type). ``examples`` are short illustrative records (never PII values) that
    the report keeps up to a cap. ``by_group``: counters per value of the run's
    ``report.group_by`` field (the batch's ``_group`` column, when it has one).
    """

    df: pl.DataFrame
    counters: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    by_group: dict[str, dict[str, int]] = field(default_factory=dict)
    # rows of the step's report table (``Step.report_table``) for this batch: ids and counts,
    # never text; the executor gathers every shard's rows into OUTPUT/reports/<table>.parquet
    table: pl.DataFrame | None = None


class Step(BaseModel):
    """Base class of every pipeline step; its fields are the step's recipe parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: ClassVar[str] = ""
    # Parameters that name files or directories besides those the naming convention finds
    # (path, *_path, *_file, *_dir): resolved against the recipe and checked when it loads.
    path_keys: ClassVar[tuple[str, ...]] = ()
    # Directories this step writes under the run's OUTPUT (besides data/, reports/, ...):
    # --overwrite removes them with the rest of curate's own output.
    artifacts: ClassVar[tuple[str, ...]] = ()

    # The text of the records this step drops goes to dropped/ (PII treated by an earlier pii
    # step: the recipe refuses it before one), with the measures they were judged on, for
    # `curate sample` to show to a person.
    keep_dropped_text: bool = Field(False, description="keep the text of what this step drops in dropped/, "
                                                       "for `curate sample` (after the pii step only)")
    # A step used twice is told apart by its position ("dedup_exact.9") unless the recipe names it.
    label: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                              description="the step's name in the report, the logs and its <label>_reason column; "
                                          "default: its name, or name.position when the recipe repeats the step")

    _origin: str = PrivateAttr(default="")  # "recipe.yaml:12: steps[3]", for errors found while running

    @property
    def origin(self) -> str:
        return self._origin

    def setup(self, ctx: RunContext) -> None:
        """Load heavy state. Called once per worker before the first batch."""

    def shortens_text(self) -> bool:
        """Whether this step can cut a kept document shorter (drop some of its lines, replace
        spans). After a ``length_filter``, such a step is followed by the recipe's length floor
        again (``length_floor``), so no kept document ends below ``min_chars``."""
        return False

    def flag_column(self) -> str | None:
        """None when the rows this step marks are dropped; else the column that receives each
        row's reason instead, the row kept: ``<name>_reason`` for a step with a ``drop``
        parameter set to false (filters, dedup, toxicity)."""
        return None if getattr(self, "drop", True) else f"{self.label or self.name}_reason"

    def columns_written(self) -> tuple[str, ...]:
        """The columns this step adds to the records (scores, counts, flags): an input field of
        the same name is an error, and two steps may not write the same column."""
        flag = self.flag_column()
        return (flag,) if flag else ()

    def review_thresholds(self) -> dict[str, tuple[str, float]]:
        """The columns this step writes that decide a drop: column -> (">" or "<", limit), a
        value beyond the limit drops the record. ``curate sample`` finds kept records near
        them."""
        return {}

    def key_sources(self) -> tuple[str | None, str | None] | None:
        """(key file, environment variable) this step would take the run's secret key from, or
        None when it needs no key. The driver reads one key for the run (``RunContext.key``),
        records a keyed digest of it and refuses to resume with another."""
        return None

    def gpus(self) -> float:
        """GPUs one worker of this step would use: the Ray executor reserves them for its
        actors when the cluster has GPUs (a Ray worker without a reservation sees none)."""
        return 0.0

    def process(self, df: pl.DataFrame) -> pl.DataFrame | StepOutput:
        raise NotImplementedError

    def depends_on(self) -> list[str]:
        """Files the step reads besides the input (benchmarks, a model): the run's fingerprint
        records their size and version, so a resume after one of them changed is refused rather
        than mixing shards made with the old file and the new."""
        return []

    def shares_state(self) -> bool:
        """True when the step's heavy state (an index) is built once per run and shared: the
        driver calls ``write_shared`` once, before any shard, and every worker then calls
        ``attach_shared`` (before ``setup``) with a local directory holding those files, which it
        should memory-map rather than copy. Nothing is pickled per worker."""
        return False

    def write_shared(self, directory: Path) -> dict[str, Any]:
        """Write the shared state's files into ``directory``; return a small summary (JSON) that
        ``table_summary`` receives."""
        raise NotImplementedError

    def attach_shared(self, directory: Path) -> None:
        """Use the files ``write_shared`` wrote (a local directory; map them read-only)."""
        raise NotImplementedError

    def report_table(self) -> tuple[str, dict[str, Any]] | None:
        """(name, schema) of a table whose rows the step returns in ``StepOutput.table``: the
        executor writes every shard's rows, in input order, to ``OUTPUT/reports/<name>.parquet``
        (``<name>.<label>`` when the step repeats in the recipe). None: no table."""
        return None

    def table_summary(self, table: pl.LazyFrame, shared: dict[str, Any]) -> dict[str, Any]:
        """What report.json and report.html say about the whole table (``shared``: the summary
        ``write_shared`` returned, if the step shares state)."""
        return {}

    def quarantine_scrubber(self, ctx: RunContext) -> Callable[[list[str]], list[str]] | None:
        """What this step does to quarantined raw lines before they are written, or None.

        Quarantined lines never reach ``process``; a step whose job is to keep something out
        of every output (PII) declares here how to rewrite them: a function from raw lines
        (as text, invalid bytes already escaped by the executor) to as many rewritten lines."""
        return None


class GlobalStep(Step):
    """A step that needs to see the whole corpus before it can decide anything.

    It runs as map -> shuffle -> reduce, in ``rounds`` rounds, with no corpus-sized state
    on any one process (see ``curate.executors.shuffle``):

    - ``summarize(batch, round, previous)`` -> rows to shuffle, with a UInt64 ``_key`` column.
      Every row of one key lands in the same partition; ``previous`` is this shard's result
      of the previous round (None in round 0). Optionally returns ``(rows, keep)``: ``keep``
      stays with the shard (not shuffled) for ``finish`` to look up.
    - ``reduce(rows, round)`` -> result rows of one partition. ``rows`` are the partition's
      rows of every shard, in input order (by shard, then as ``summarize`` gave them).
    - A routed round (the default): every result row carries ``_shard``, and
      ``shard_result(rows, round, previous)`` turns one shard's rows into its result (the
      apply state after the last round).
    - A gathered last round (``gathered() -> True``): the results of all partitions,
      concatenated in partition order, go to ``finish(results, keep)`` in one worker task;
      its state is split by ``partition_state``.
    - ``apply(batch, state)`` -> like Step.process.
    - ``notes(state)`` -> sentences for the user about the outcome (logged, and in the report
      under ``global_phases``), e.g. a tokenizer smaller than asked and why.

    The number of partitions follows the corpus size, never the worker count, so the
    result is the same on any executor. Batches carry ``_shard`` and ``_row`` (Int64);
    (``_shard``, ``_row``) is the record's position in input order, so "keep the first
    occurrence" means the same thing everywhere.
    """

    rounds: ClassVar[int] = 1

    def shuffle_rounds(self) -> int:
        """How many map -> shuffle -> reduce rounds this configuration needs."""
        return self.rounds

    def gathered(self) -> bool:
        """True when the last round's partition results go to ``finish`` instead of to shards."""
        return False

    def summarize(self, df: pl.DataFrame, round: int = 0, previous: Any = None
                  ) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
        raise NotImplementedError

    def reduce(self, rows: pl.DataFrame, round: int = 0) -> pl.DataFrame:
        raise NotImplementedError

    def shard_result(self, rows: pl.DataFrame, round: int = 0, previous: Any = None) -> Any:
        return rows

    def finish(self, results: pl.DataFrame, keep: Callable[[list[int]], pl.DataFrame]) -> Any:
        """The state from every partition's results (gathered steps); ``keep(shards)`` reads
        those shards' ``keep`` tables."""
        raise NotImplementedError

    def apply(self, df: pl.DataFrame, state: Any) -> pl.DataFrame | StepOutput:
        raise NotImplementedError

    def notes(self, state: Any) -> list[str]:
        """What the user should know about the finished state (none by default)."""
        return []

    def partition_state(self, state: Any, shards: list[int]) -> dict[int, Any] | None:
        """The part of a gathered ``state`` each shard needs, or None to send every shard the
        whole state. Steps whose state grows with the corpus partition it, so that a worker's
        memory follows its shard, not the corpus."""
        return None

    def tables(self, state: Any) -> dict[str, pl.DataFrame]:
        """Whole-corpus tables for the report (e.g. dedup clusters) from a gathered state,
        written to ``OUTPUT/reports/<step>.<name>.parquet``. Ids and counts only, never text."""
        return {}

    def process(self, df: pl.DataFrame) -> pl.DataFrame | StepOutput:  # pragma: no cover
        raise TypeError(f"{self.name} is a global step; the executor calls summarize/reduce/apply")


def count_lines(column: str = "text") -> pl.Expr:
    return pl.col(column).str.count_matches("\n") + 1
