"""The Ray executor: one long-lived actor per worker slot, each running whole stages per shard.

Each actor holds one ``ShardWork``, set up once (Kiwi, a model, evaluation-set indexes are
loaded once per actor), and runs a shard through a whole stage with the local executor's own code
(``ShardWork.run_stage``): the same bytes come out, and a shard crosses a process boundary
once, not once per step. Global steps' shuffle tasks (``map_tasks``) run on the same actors,
so no other process starts and state is reused.

- Pool: ``min(workers, cluster CPUs)`` actors of one CPU each (one CPU means one actor), each
  used once it answers ``ready``. Each also reserves the GPUs the recipe's steps ask for when
  the cluster has them, and the pool is then no larger than the GPUs allow (asking for GPUs
  that no node has would wait for ever).
- Input: the driver reads it (one streaming reader, as in the local executor) and sends each
  raw shard to the least busy actor, at most two shards in flight per actor, so memory follows
  ``batch_size``, not corpus size. Parquet shards travel as a description and the actor reads
  its own rows. On many nodes the driver's reader and link become the limit for line-based
  input; what would lift it is actors reading their own shards: plain files by line offsets
  recorded in the plan, compressed ones only from their start (one actor per file).
- Faults: actors are not restarted by Ray (a restart waits for a free CPU, for ever if none
  comes). An actor whose process or node dies is dropped; the shards it held go back to the
  queue and run on the live actors (a shard is idempotent: files written atomically, marker
  last), and a replacement is started only when the cluster shows a free CPU, joining the pool
  once it answers. With no live actor the run waits ``PLACEMENT_TIMEOUT`` seconds for one, then
  fails with ``WorkersLost``; so does a shard that was in flight on ``DEATHS_PER_TASK`` actors
  that died (one that kills every worker that touches it), instead of looping.

``import ray`` is deferred to first use: it takes seconds, and the registry imports this
module only when "ray" is asked for.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from curate.config import RecipeError
from curate.executors.driver import Executor, TaskReport
from curate.executors.ledger import ShardLedger
from curate.executors.progress_listener import ProgressListener, call_reporting
from curate.executors.registry import register_executor
from curate.executors.shard import ShardWork
from curate.executors.worker_info import NODE_ENV
from curate.io.read import RawShard

IN_FLIGHT_PER_ACTOR = 2  # one running, one queued: the actor never waits for its next shard's bytes
PLACEMENT_TIMEOUT = 60.0  # seconds a run with no live actor waits for one to be placed
DEATHS_PER_TASK = 3  # a shard in flight on this many actors that died ends the run
POLL = 1.0  # seconds between looks for a free CPU while the pool is short


class WorkersLost(RecipeError):
    """The run cannot go on: no Ray worker is alive or can be placed, or a shard keeps killing its
    workers. (A ``RecipeError``, so that the command line shows the message, not a traceback.)"""


class CurateWorker:
    """A Ray actor (process title ``ray::CurateWorker``): one ``ShardWork``, set up on its first call.

    The work arrives with each call as a reference wrapped in a list (so Ray does not resolve
    it: the actor fetches it once). Not as a constructor argument: a restarted actor would then
    depend on Ray keeping that argument alive, which Ray warns about on every run."""

    def __init__(self) -> None:
        import ray

        self.work: ShardWork | None = None
        # Nodes started on one machine share a host name: the report tells them apart by Ray's node id.
        node = ray.get_runtime_context().get_node_id()
        os.environ[NODE_ENV] = f"{ray.util.get_node_ip_address()}/{node[:8]}"

    def _work(self, ref: list[Any]) -> ShardWork:
        if self.work is None:
            import ray

            self.work = ray.get(ref[0])
            self.work.setup()
        return self.work

    def ready(self) -> bool:
        return True  # answered once the actor is placed and its process is up

    def run_stage(self, ref: list[Any], stage: int, index: int, raw: RawShard | None) -> ShardLedger:
        return self._work(ref).run_stage(stage, index, raw)

    def call(self, ref: list[Any], task: Callable[..., Any], args: tuple, reports: Any = None,
             call: tuple[int, int] | None = None) -> Any:
        """``reports``: a Ray queue the driver reads the task's progress from, ``call`` its
        (map's number, task's index)."""
        return call_reporting(task, self._work(ref), args, None if reports is None else reports.put_nowait, call)


@register_executor
class RayExecutor(Executor):
    name = "ray"

    def __init__(self, workers: int = 2, address: str | None = None):
        super().__init__(workers)
        self.address = address
        self._started = False
        self._actors: list[Any] = []  # live: placed, and answered ``ready``
        self._pending: dict[Any, Any] = {}  # ready() ref -> an actor not yet placed or up
        self._actors_work: ShardWork | None = None
        self._work_ref: list[Any] = []  # [ray.put(work)], held while the actors may need it
        self._size = 0  # the pool's size when whole
        self._new_actor: Callable[[], Any] | None = None
        self._gpus = 0.0
        self._lost = 0  # actors that died in this run
        self._looked = 0.0  # when the cluster was last looked at for a free CPU

    @classmethod
    def create(cls, workers: int, address: str | None = None) -> RayExecutor:
        return cls(workers, address)

    def _ray(self):
        import ray

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                # Ray's default token authentication stays on; its notice of that on every run
                # ("Token authentication is enabled for this Ray cluster ...") is not shown.
                logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
                # A private local cluster bound to loopback, sized by ``workers``; "local", because
                # without an address Ray joins a cluster that `ray start` left on this machine.
                # Niceness 0 (Ray's default is 15): the actors are this run's workers, as the local
                # executor's are, and at 15 any other busy process on the machine starves them.
                ray.init(address="local", num_cpus=self.workers, include_dashboard=False, log_to_driver=False,
                         _node_ip_address="127.0.0.1", configure_logging=False,
                         _system_config={"worker_niceness": 0})
            self._started = True
        return ray

    def _pool(self, work: ShardWork) -> None:
        if self._actors_work is work:
            return
        ray = self._ray()
        self._kill_actors()
        resources = ray.cluster_resources()
        size = max(1, min(self.workers, int(resources.get("CPU", 1))))
        gpus = max((b.step.gpus() for stage in work.stages for b in stage.steps), default=0.0)
        if not 0 < gpus <= resources.get("GPU", 0):
            gpus = 0.0
        if gpus:
            size = min(size, int(resources["GPU"] // gpus))
        # No restarts by Ray: a restart waits for a CPU, for ever if none comes (see ``_map``).
        actor = ray.remote(num_cpus=1, num_gpus=gpus, max_restarts=0, max_task_retries=0)(CurateWorker)
        self._work_ref = [ray.put(work)]  # stored once, not once per actor or per call
        self._new_actor, self._gpus, self._size, self._lost = actor.remote, gpus, size, 0
        self._actors_work = work
        for _ in range(size):
            self._start_actor()

    def _start_actor(self) -> None:
        assert self._new_actor is not None
        actor = self._new_actor()
        self._pending[actor.ready.remote()] = actor

    def _top_up(self, ray) -> None:
        """Start replacements for lost actors while the cluster shows a free CPU (and GPUs), at most
        once per ``POLL``: an actor that cannot be placed would only wait."""
        if len(self._actors) + len(self._pending) >= self._size or time.monotonic() - self._looked < POLL:
            return
        self._looked = time.monotonic()
        free = ray.available_resources()
        room = int(free.get("CPU", 0))
        if self._gpus:
            room = min(room, int(free.get("GPU", 0) // self._gpus))
        for _ in range(min(room, self._size - len(self._actors) - len(self._pending))):
            self._start_actor()

    def _kill_actors(self) -> None:
        if self._actors or self._pending:
            import ray

            for actor in [*self._actors, *self._pending.values()]:
                try:
                    ray.kill(actor, no_restart=True)
                except Exception:  # already gone, with its node
                    pass
        self._actors, self._pending, self._actors_work, self._work_ref = [], {}, None, []

    def close(self) -> None:
        self._kill_actors()  # on a shared cluster: free the CPUs now, not when the driver exits
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def _lose(self, ray, actor: Any) -> None:
        self._lost += 1
        if actor in self._actors:
            self._actors.remove(actor)
        try:
            ray.kill(actor, no_restart=True)  # in case it is only unreachable: it must not run on
        except Exception:  # already gone
            pass

    def _no_worker(self, waited: float) -> WorkersLost:
        cause = (f"lost all Ray workers ({self._lost} died, of a pool of {self._size}) and none could be "
                 f"restarted within {waited:.0f} s" if self._lost else
                 f"no Ray worker could be placed within {waited:.0f} s")
        need = f"1 CPU{f' and {self._gpus:g} GPU' if self._gpus else ''}"
        return WorkersLost(f"{cause}: no node has {need} free for one. Shards already finished are kept: "
                           "rerun the same command to resume.")

    def _map(self, work: ShardWork, method: str, calls: Iterable[tuple[int, tuple]],
             on_result: Callable[[int, Any], None]) -> None:
        """``method(*args)`` on the actors for each ``(key, args)`` of ``calls``, which is read
        only as calls finish (at most ``IN_FLIGHT_PER_ACTOR`` per live actor in flight); then
        ``on_result(key, result)`` as each finishes. A call whose actor dies runs again on another."""
        from ray.exceptions import RayActorError

        ray = self._ray()
        self._pool(work)
        load = {actor: 0 for actor in self._actors}
        in_flight: dict[Any, tuple[int, tuple, Any]] = {}  # ref -> (key, args, actor)
        again: deque[tuple[int, tuple]] = deque()  # calls of lost actors, to run before reading on
        deaths: dict[int, int] = {}
        calls = iter(calls)
        read_all = False
        alone_since: float | None = None  # since when no actor is live

        while True:
            while len(in_flight) < IN_FLIGHT_PER_ACTOR * len(self._actors):  # read no more than the bound
                call = again.popleft() if again else None if read_all else next(calls, None)
                if call is None:
                    read_all = True
                    break
                key, args = call
                actor = min(self._actors, key=load.__getitem__)
                in_flight[getattr(actor, method).remote(self._work_ref, *args)] = (key, args, actor)
                load[actor] += 1
            if not in_flight and not again and read_all:
                return
            self._top_up(ray)
            if self._actors:
                alone_since = None
            else:
                alone_since = alone_since or time.monotonic()
                if time.monotonic() - alone_since > PLACEMENT_TIMEOUT:
                    raise self._no_worker(time.monotonic() - alone_since)
            short = len(self._actors) + len(self._pending) < self._size or not self._actors
            waiting = [*in_flight, *self._pending]
            if not waiting:  # every actor lost, no CPU seen free yet
                time.sleep(POLL)
                continue
            ready, _ = ray.wait(waiting, num_returns=1, timeout=POLL if short else None)
            for ref in ready:
                if ref in self._pending:
                    actor = self._pending.pop(ref)
                    try:
                        ray.get(ref)
                    except RayActorError:
                        self._lose(ray, actor)
                        continue
                    self._actors.append(actor)
                    load[actor] = 0
                    continue
                key, args, actor = in_flight.pop(ref)
                load[actor] -= 1
                try:
                    result = ray.get(ref)
                except RayActorError:
                    self._lose(ray, actor)
                    lost = [(key, args)]
                    for other in [r for r, (_, _, x) in in_flight.items() if x == actor]:  # they fail too
                        k, a, _ = in_flight.pop(other)
                        lost.append((k, a))
                    for k, a in reversed(lost):
                        deaths[k] = deaths.get(k, 0) + 1
                        again.appendleft((k, a))
                    doomed = sorted(k for k, _ in lost if deaths[k] >= DEATHS_PER_TASK)
                    if doomed:
                        what = "shard" if method == "run_stage" else "shuffle task"
                        raise WorkersLost(f"{what}{'s' * (len(doomed) > 1)} {', '.join(map(str, doomed))} "
                                          f"{'was' if len(doomed) == 1 else 'were each'} in flight on "
                                          f"{DEATHS_PER_TASK} Ray workers that died: one of them is killing "
                                          "its workers (see the Ray logs)") from None
                    continue
                on_result(key, result)

    def map_tasks(self, work: ShardWork, task: Callable[..., Any], args: list[tuple],
                  done: Callable[[], None] | None = None, report: TaskReport | None = None) -> list[Any]:
        results: list[Any] = [None] * len(args)

        def store(key: int, result: Any) -> None:
            results[key] = result
            if done:
                done()

        if report is None:
            self._map(work, "call", ((k, (task, a)) for k, a in enumerate(args)), store)
            return results
        from ray.util.queue import Queue

        ray = self._ray()
        reports = Queue(actor_options={"num_cpus": 0})  # placed even while the workers hold every CPU
        listener = ProgressListener(reports, 0, report)
        try:
            self._map(work, "call", ((k, (task, a, reports, (0, k))) for k, a in enumerate(args)), store)
        finally:
            listener.stop()
            ray.kill(reports.actor)
        return results

    def process_stage(self, work: ShardWork, stage: int, shards: list[int],
                      raw: Iterator[RawShard] | None, progress: Callable[[], None]) -> list[ShardLedger]:
        calls = (((r.shard.index, (stage, r.shard.index, r)) for r in raw) if raw is not None
                 else ((i, (stage, i, None)) for i in shards))
        markers: list[ShardLedger] = []

        def store(_: int, marker: ShardLedger) -> None:
            markers.append(marker)
            progress()

        self._map(work, "run_stage", calls, store)
        return markers
