"""The in-process executor: shards go to a pool of spawned worker processes.

Spawn, not fork: Polars' thread pool deadlocks in forked children. Each worker
builds its steps once (heavy state loaded once per worker) and keeps at most a
couple of shards in flight, so memory is bounded by batch size, not corpus size.
With ``workers: 1`` everything runs in this process, which is easiest to debug.
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from curate.executors.driver import Executor, TaskReport
from curate.executors.ledger import ShardLedger
from curate.executors.progress_listener import ProgressListener, call_reporting
from curate.executors.registry import register_executor
from curate.executors.shard import ShardWork
from curate.io.read import RawShard
from curate.progress import reporting_to

_WORK: ShardWork | None = None  # the worker process's copy
_REPORTS: Any = None  # the worker process's end of the pool's progress queue


def _init_worker(work: ShardWork, reports: Any) -> None:
    # Ctrl-C reaches every process of the terminal's group: the driver alone handles it (it stops
    # the workers), so the user sees one line, not a traceback from each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORK, _REPORTS
    _WORK, _REPORTS = work, reports
    _WORK.setup()


def _run_stage(stage: int, index: int, raw: RawShard | None) -> ShardLedger:
    assert _WORK is not None
    return _WORK.run_stage(stage, index, raw)


def _call(task: Callable[..., Any], args: tuple, call: tuple[int, int] | None = None) -> Any:
    """``call``: (the map's number, the task's index) when the driver listens to the task's progress."""
    assert _WORK is not None
    return call_reporting(task, _WORK, args, _REPORTS.put, call)


@register_executor
class LocalExecutor(Executor):
    name = "local"

    def __init__(self, workers: int = 2):
        super().__init__(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_work: ShardWork | None = None
        self._reports: Any = None  # the workers' progress messages (curate/progress.py)
        self._maps = 0  # map_tasks calls so far: numbers their progress messages

    def _get_pool(self, work: ShardWork) -> ProcessPoolExecutor:
        if self._pool is None or self._pool_work is not work:
            self.close()
            context = mp.get_context("spawn")
            self._reports = context.Queue()
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                             initializer=_init_worker, initargs=(work, self._reports))
            self._pool_work = work
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pool_work = None

    def abort(self) -> None:
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values())  # no public way to stop them
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=5)
            self._pool = None
            self._pool_work = None

    def map_tasks(self, work: ShardWork, task: Callable[..., Any], args: list[tuple],
                  done: Callable[[], None] | None = None, report: TaskReport | None = None) -> list[Any]:
        if self.workers == 1:
            results = []
            for index, a in enumerate(args):
                with reporting_to(None if report is None else functools.partial(report, index)):
                    results.append(task(work, *a))
                if done:
                    done()
            return results
        pool = self._get_pool(work)
        self._maps += 1
        listener = ProgressListener(self._reports, self._maps, report) if report else None
        try:
            futures = [pool.submit(_call, task, a, (self._maps, index) if report else None)
                       for index, a in enumerate(args)]
            for future in futures:
                future.add_done_callback(lambda _: done() if done else None)
            return [future.result() for future in futures]
        finally:
            if listener:
                listener.stop()

    def process_stage(self, work: ShardWork, stage: int, shards: list[int],
                      raw: Iterator[RawShard] | None, progress: Callable[[], None]) -> list[ShardLedger]:
        tasks: Iterator[tuple[int, RawShard | None]]
        tasks = ((r.shard.index, r) for r in raw) if raw is not None else ((i, None) for i in shards)
        markers: list[ShardLedger] = []
        if self.workers == 1:
            for index, item in tasks:
                markers.append(work.run_stage(stage, index, item))
                progress()
            return markers
        pool = self._get_pool(work)
        in_flight: set[Future] = set()
        limit = 2 * self.workers  # bounded look-ahead keeps memory flat
        for index, item in tasks:
            if len(in_flight) >= limit:
                finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    markers.append(future.result())
                    progress()
            in_flight.add(pool.submit(_run_stage, stage, index, item))
        for future in in_flight:
            markers.append(future.result())
            progress()
        return markers
