"""The Ray executor: ``ray.data`` read -> one ``map_batches`` per step -> write.

A row of the Ray dataset is a whole shard (its frame pickled into one binary
cell), so Ray may move, fuse and schedule the maps as it likes without ever
splitting or merging shards: that is what makes its output the same bytes as
the local executor's, which runs exactly the same per-shard code.

- read: a datasource with one read task per input file (each file is streamed
  once), yielding one row per shard; parsing happens in the first map.
- steps: each run of consecutive light steps is one task map (a shard is pickled
  between maps, so fewer maps is less copying); each heavy step (``Step.heavy``)
  is its own map in an actor pool, so its state (Kiwi, a model) is loaded once per actor.
- write: the last map also writes the shard's files and its completion marker.
- global steps: ``summarize`` runs as Ray tasks over the previous stage's shard
  files, the driver reduces, and the state file is read once per worker.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
from ray.data import Datasource

from curate.executors.driver import Executor
from curate.executors.ledger import ShardLedger
from curate.executors.registry import register_executor
from curate.executors.shard import ShardWork
from curate.io.read import RawShard
from curate.io.remote import redact
from curate.io.remote import size as input_size


def _table(rows: list[tuple[int, bytes]]) -> pa.Table:
    return pa.table({"shard": pa.array([r[0] for r in rows], pa.int64()),
                     "payload": pa.array([r[1] for r in rows], pa.large_binary())})


def _rows(batch: pa.Table) -> Iterator[tuple[int, bytes]]:
    yield from zip(batch.column("shard").to_pylist(), batch.column("payload").to_pylist(), strict=True)


def _segments(work: ShardWork, stage: int) -> list[tuple[bool, tuple[int, ...]]]:
    """The stage's step positions cut into maps: each heavy step alone (it runs in an actor
    pool), every run of light steps together (one task, so a shard is pickled once per run of
    light steps instead of once per step)."""
    segments: list[tuple[bool, tuple[int, ...]]] = []
    for position, bound in enumerate(work.stage_steps(stage)):
        heavy = bound.step.heavy
        if segments and not heavy and not segments[-1][0]:
            segments[-1] = (False, (*segments[-1][1], position))
        else:
            segments.append((heavy, (position,)))
    return segments


def _run_task(batch: pa.Table, work: ShardWork, stage: int, positions: tuple[int, ...], first: bool,
              last: bool) -> pa.Table:
    """Run ``positions`` of the stage on each shard of the batch. The first map starts the shard
    (parses its raw lines in stage 0, reads the previous stage's rows later); the last one writes
    its files and returns its marker."""
    rows = []
    for index, payload in _rows(batch):
        if first:
            state = work.start(stage, index, pickle.loads(payload) if stage == 0 else None)
        else:
            state = pickle.loads(payload)
        for position in positions:
            state = work.step(state, position)
        rows.append((index, pickle.dumps(work.finish(state) if last else state)))
    return _table(rows)


class _HeavyMap:
    """An actor of a heavy step's pool: ``work`` (and so the step's loaded state) lives as long
    as the actor."""

    def __init__(self, work: ShardWork, stage: int, positions: tuple[int, ...], first: bool, last: bool):
        self.args = (work, stage, positions, first, last)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return _run_task(batch, *self.args)


def _call(work: ShardWork, task: Callable[..., Any], args: tuple) -> Any:
    return task(work, *args)


@register_executor
class RayExecutor(Executor):
    name = "ray"

    def __init__(self, workers: int = 2, address: str | None = None):
        super().__init__(workers)
        self.address = address
        self._started = False

    @classmethod
    def create(cls, workers: int, address: str | None = None) -> RayExecutor:
        return cls(workers, address)

    def _ray(self):
        import ray

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                # A private local cluster bound to loopback, sized by ``workers``.
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False,
                         _node_ip_address="127.0.0.1", configure_logging=False)
            self._started = True
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # curate draws its own progress bars
        ctx.verbose_stats_logs = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        return ray

    def close(self) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def map_tasks(self, work: ShardWork, task: Callable[..., Any], args: list[tuple],
                  done: Callable[[], None] | None = None) -> list[Any]:
        ray = self._ray()
        work_ref = ray.put(work)
        remote = ray.remote(num_cpus=1)(_call)
        refs = [remote.remote(work_ref, task, a) for a in args]
        pending = list(refs)
        while pending:  # progress as tasks finish; results below in submission order
            _, pending = ray.wait(pending, num_returns=1)
            if done:
                done()
        return ray.get(refs)

    def process_stage(self, work: ShardWork, stage: int, shards: list[int],
                      raw: Iterator[RawShard] | None, progress: Callable[[], None]) -> list[ShardLedger]:
        ray = self._ray()
        from ray.data import ActorPoolStrategy

        if stage == 0:
            assert raw is not None
            ds = ray.data.read_datasource(_ShardSource(work, set(shards)), override_num_blocks=len(shards))
        else:
            ds = ray.data.from_arrow(_table([(i, b"") for i in shards]))
        segments = _segments(work, stage) or [(False, ())]
        for k, (heavy, positions) in enumerate(segments):
            args = (work, stage, positions, k == 0, k == len(segments) - 1)
            if heavy:
                # Actors reserve no CPU: an idle actor holding a CPU starves the task maps, and
                # on a small cluster (1 CPU, or several heavy steps) that deadlocks the run. The
                # pool size (``workers`` actors per heavy step) bounds them instead. GPUs are
                # reserved only where the cluster has them: an actor asking for a GPU that no
                # node has would wait for ever.
                step = work.stage_steps(stage)[positions[0]].step
                gpus = step.gpus() if 0 < step.gpus() <= ray.cluster_resources().get("GPU", 0) else 0.0
                ds = ds.map_batches(_HeavyMap, fn_constructor_args=args, batch_size=1, batch_format="pyarrow",
                                    num_cpus=0, num_gpus=gpus,
                                    compute=ActorPoolStrategy(min_size=1, max_size=self.workers))
            else:
                ds = ds.map_batches(_run_task, fn_args=args, batch_size=1, batch_format="pyarrow")
        markers: list[ShardLedger] = []
        for row in ds.iter_rows():
            markers.append(pickle.loads(row["payload"]))
            progress()
        return markers


class _ShardSource(Datasource):
    """A ray.data datasource: one read task per input file, one row per (unfinished) shard."""

    def __init__(self, work: ShardWork, todo: set[int]):
        super().__init__()
        self.work, self.todo = work, todo

    def estimate_inmemory_data_size(self) -> int | None:
        return None

    def get_name(self) -> str:
        return "CurateShards"

    @property
    def supports_distributed_reads(self) -> bool:
        return True

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                       data_context: Any = None) -> list:
        from ray.data.block import BlockMetadata
        from ray.data.datasource import ReadTask

        plan = self.work.plan
        assert plan is not None
        tasks = []
        for file in plan.files:
            shards = tuple(s for s in plan.shards if s.file.path == file.path)
            if not any(s.index in self.todo for s in shards):
                continue
            meta = BlockMetadata(num_rows=sum(s.index in self.todo for s in shards),
                                 size_bytes=input_size(file.path), exec_stats=None,
                                 input_files=(redact(file.path),))
            tasks.append(ReadTask(_read_file_fn(file, shards, self.work.batch_size, self.todo), meta))
        return tasks


def _read_file_fn(file, shards, batch_size: int, todo: set[int]) -> Callable[[], Iterator[pa.Table]]:
    from curate.io.read import iter_raw_shards

    def read() -> Iterator[pa.Table]:
        skip = {s.index for s in shards if s.index not in todo}
        for raw in iter_raw_shards((file,), shards, batch_size, skip=skip):
            yield _table([(raw.shard.index, pickle.dumps(raw))])

    return read
