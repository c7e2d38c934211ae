"""Global steps as map -> shuffle -> reduce over files: no process holds the whole corpus's state.

Each round of a global step at stage K (see ``GlobalStep``) runs as tasks on the workers:

- map, one task a shard: ``summarize`` -> rows hash-partitioned by ``_key`` into P partitions,
  written as one Arrow IPC file with one record batch a partition (a reduce task reads only
  its batch), plus an optional keep table that stays with the shard;
- reduce, one task a partition: the partition's slice of every map file, in shard order ->
  ``reduce`` -> written sorted by shard group (routed rounds) or as is (a gathered round);
- route, one task a group of shards (routed rounds): the group's slice of every reduce file
  -> ``shard_result`` per shard -> one small file a shard (after the last round: the file
  apply reads);
- finish, one task (a gathered last round): every reduce file -> ``finish`` ->
  ``partition_state`` -> state files, report tables.

P follows the number of input records (``partition_count``), never the worker count, so every
executor and every resume computes the same partitions. The driver holds file names and
counters only.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from curate.executors.shard import ShardWork, parquet_bytes
from curate.executors.worker_info import measured
from curate.steps.base import GlobalStep

RECORDS_PER_PARTITION = 100_000  # a reduce task holds ~2.5 M band rows of dedup_fuzzy: ~0.6 GB per worker
_PART = "_partition"


def partition_count(records: int, configured: int | None = None) -> int:
    return configured or max(1, math.ceil(records / RECORDS_PER_PARTITION))


@dataclass(frozen=True)
class ShuffleJob:
    """One round of one global step: where its files go and how work is cut."""

    stage: int
    round: int
    last_round: int
    partitions: int
    n_shards: int  # shards are numbered 0 .. n_shards - 1 in input order

    @property
    def groups(self) -> int:
        return max(1, min(self.n_shards, self.partitions))

    def group_start(self, group: int) -> int:
        return group * self.n_shards // self.groups

    def group_shards(self, group: int) -> range:
        return range(self.group_start(group), self.group_start(group + 1))

    def group_of(self, shards: np.ndarray) -> np.ndarray:
        starts = np.array([self.group_start(g) for g in range(self.groups)], dtype=np.int64)
        return np.searchsorted(starts, shards, side="right") - 1


# Paths relative to the output root, written and read through ``work.layout.store``: on a cluster
# without a shared disk a reduce task reads, from the store, the map files other nodes wrote.
def shuffle_dir(work: ShardWork, stage: int) -> str:
    return f"{work.layout.stage_dir(stage)}/shuffle"


def _map_path(work: ShardWork, job: ShuffleJob, index: int) -> str:
    return f"{shuffle_dir(work, job.stage)}/r{job.round}/map/{work.layout.part(index)}.arrow"


def _keep_path(work: ShardWork, stage: int, index: int) -> str:
    return f"{shuffle_dir(work, stage)}/keep/{work.layout.part(index)}.arrow"


def _reduce_path(work: ShardWork, job: ShuffleJob, partition: int) -> str:
    return f"{shuffle_dir(work, job.stage)}/r{job.round}/reduce/p-{partition:05d}.arrow"


def _result_path(work: ShardWork, stage: int, round: int, index: int) -> str:
    return f"{shuffle_dir(work, stage)}/r{round}/result/{work.layout.part(index)}.pkl"


def _write(work: ShardWork, rel: str, data: bytes) -> None:
    work.layout.store.write_bytes(rel, data)


def _write_pickle(work: ShardWork, rel: str, obj: Any) -> None:
    _write(work, rel, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


# -- Arrow files cut into slices -------------------------------------------------------------------
def _write_sliced(work: ShardWork, rel: str, frame: pl.DataFrame, slot: np.ndarray, slots: int) -> None:
    """``frame`` cut by ``slot`` into one record batch a slot (order within a slot kept), so that a
    reader fetches only its batch: a memory-mapped page range here, a range request on a store."""
    table = frame.to_arrow()
    order = np.argsort(slot, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(slot, minlength=slots))])
    table = table.take(pa.array(order)).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        for k in range(slots):
            part = table.slice(offsets[k], offsets[k + 1] - offsets[k])
            writer.write_batch(pa.RecordBatch.from_arrays(
                [column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column for column in part.columns],
                schema=table.schema))
    _write(work, rel, sink.getvalue().to_pybytes())


def _read_slice(work: ShardWork, rel: str, slot: int | None = None) -> pl.DataFrame:
    """One slot's batch of a sliced file, or all of it."""
    with work.layout.store.open_read(rel) as source:  # the batches are read into memory of their own
        reader = pa.ipc.open_file(source)
        table = (pa.Table.from_batches([reader.get_batch(slot)]) if slot is not None
                 else pa.Table.from_batches([reader.get_batch(i) for i in range(reader.num_record_batches)],
                                            schema=reader.schema))
    return pl.from_arrow(table, rechunk=False)  # type: ignore[return-value]


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    filled = [f for f in frames if f.height]
    return pl.concat(filled, how="vertical_relaxed") if filled else frames[0]


def _global(work: ShardWork, stage: int) -> GlobalStep:
    bound = work.stages[stage].global_step
    assert bound is not None and isinstance(bound.step, GlobalStep)
    work.setup_step(bound)
    return bound.step


def _previous(work: ShardWork, job: ShuffleJob, index: int) -> Any:
    if job.round == 0:
        return None
    return pickle.loads(work.layout.store.read_bytes(_result_path(work, job.stage, job.round - 1, index)))


# -- the tasks (each runs on a worker: fn(work, *args)) ---------------------------------------------
def measured_task(work: ShardWork, task: Any, *args: Any) -> dict[str, Any]:
    """``task(work, *args)``'s counters, with the node it ran on and its peak memory."""
    result, worker = measured(task, work, *args)
    return {**result, **worker}


def map_task(work: ShardWork, job: ShuffleJob, index: int) -> dict[str, int]:
    step = _global(work, job.stage)
    alive, _ = work.read_stage_input(job.stage, index)
    out = step.summarize(alive, job.round, _previous(work, job, index))
    rows, keep = out if isinstance(out, tuple) else (out, None)
    partition = (rows["_key"].to_numpy() % np.uint64(job.partitions)).astype(np.int64)
    _write_sliced(work, _map_path(work, job, index), rows, partition, job.partitions)
    if keep is not None:
        _write_sliced(work, _keep_path(work, job.stage, index), keep, np.zeros(keep.height, np.int64), 1)
    return {"rows": rows.height}


def reduce_task(work: ShardWork, job: ShuffleJob, partition: int) -> dict[str, int]:
    step = _global(work, job.stage)
    rows = _concat([_read_slice(work, _map_path(work, job, i), partition) for i in range(job.n_shards)])
    result = step.reduce(rows, job.round)
    if job.round == job.last_round and step.gathered():
        slot = np.zeros(result.height, np.int64)
        _write_sliced(work, _reduce_path(work, job, partition), result, slot, 1)
    else:
        shards = result["_shard"].to_numpy().astype(np.int64)
        _write_sliced(work, _reduce_path(work, job, partition), result, job.group_of(shards), job.groups)
    return {"rows": rows.height, "results": result.height}


def route_task(work: ShardWork, job: ShuffleJob, group: int) -> dict[str, int]:
    step = _global(work, job.stage)
    rows = _concat([_read_slice(work, _reduce_path(work, job, p), group) for p in range(job.partitions)])
    by_shard = rows.partition_by("_shard", as_dict=True, maintain_order=True)
    for index in job.group_shards(group):
        mine = by_shard.get((index,), rows.clear())
        result = step.shard_result(mine, job.round, _previous(work, job, index))
        target = (work.layout.global_part(job.stage, index) if job.round == job.last_round
                  else _result_path(work, job.stage, job.round, index))
        _write_pickle(work, target, result)
    return {"rows": rows.height}


def finish_task(work: ShardWork, job: ShuffleJob) -> dict[str, Any]:
    step = _global(work, job.stage)
    results = _concat([_read_slice(work, _reduce_path(work, job, p)) for p in range(job.partitions)])

    def keep(shards: list[int]) -> pl.DataFrame:
        return _concat([_read_slice(work, _keep_path(work, job.stage, i)) for i in shards])

    state = step.finish(results, keep)
    tables = {}
    label = work.stages[job.stage].global_step.label  # type: ignore[union-attr]
    for name, table in step.tables(state).items():
        target = f"reports/{label}.{name}.parquet"
        _write(work, target, parquet_bytes(table))
        tables[name] = {"path": target, "rows": table.height}
    shards = list(range(job.n_shards))
    parts = step.partition_state(state, shards)
    if parts is None:
        _write_pickle(work, work.layout.global_state(job.stage), state)
    else:  # each worker then loads only its shard's part
        for index in shards:
            _write_pickle(work, work.layout.global_part(job.stage, index), parts[index])
    return {"results": results.height, "tables": tables, "notes": step.notes(state)}


def remove_shuffle_files(work: ShardWork, stage: int) -> None:
    """Intermediate files of a finished shuffle (the state files stay)."""
    work.layout.store.remove_tree(shuffle_dir(work, stage))


def states_in_memory(step: GlobalStep, shards: list[pl.DataFrame], partitions: int = 1) -> list[Any]:
    """The apply state of each shard, computed in this process the way the tasks above do
    over files (same partitioning, same order): for ``run_in_memory``, notebooks and tests."""
    previous, state = _in_memory(step, shards, partitions)
    if not step.gathered():
        return previous
    split = step.partition_state(state, list(range(len(shards))))
    return [state] * len(shards) if split is None else [split[i] for i in range(len(shards))]


def finished_state_in_memory(step: GlobalStep, shards: list[pl.DataFrame], partitions: int = 1) -> Any:
    """A gathered step's whole ``finish`` state (before ``partition_state``), in this process."""
    assert step.gathered()
    return _in_memory(step, shards, partitions)[1]


def _in_memory(step: GlobalStep, shards: list[pl.DataFrame], partitions: int) -> tuple[list[Any], Any]:
    previous: list[Any] = [None] * len(shards)
    keeps: list[Any] = [None] * len(shards)  # a round's keep tables stay for finish, as their files do
    last = step.shuffle_rounds() - 1
    for round in range(last + 1):
        outputs = [step.summarize(frame, round, previous[i]) for i, frame in enumerate(shards)]
        rows = [o[0] if isinstance(o, tuple) else o for o in outputs]
        keeps = [o[1] if isinstance(o, tuple) else keeps[i] for i, o in enumerate(outputs)]
        parts = [frame.with_columns((pl.col("_key") % partitions).cast(pl.Int64).alias(_PART)) for frame in rows]
        results = [step.reduce(_concat([f.filter(pl.col(_PART) == p).drop(_PART) for f in parts]), round)
                   for p in range(partitions)]
        if round == last and step.gathered():
            return previous, step.finish(_concat(results), lambda wanted, keeps=keeps: _concat(
                [keeps[i] for i in wanted]))
        every = _concat(results)
        previous = [step.shard_result(every.filter(pl.col("_shard") == i), round, previous[i])
                    for i in range(len(shards))]
    return previous, None
