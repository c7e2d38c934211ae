"""The Ray executor: one long-lived actor per worker slot, each running whole stages per shard.

Each actor holds one ``ShardWork``, set up once (Kiwi, a model, evaluation-set indexes are
loaded once per actor), and runs a shard through a whole stage with the local executor's own code
(``ShardWork.run_stage``): the same bytes come out, and a shard crosses a process boundary
once, not once per step. Global steps' shuffle tasks (``map_tasks``) run on the same actors,
so no other process starts and state is reused.

- Pool: ``min(workers, cluster CPUs)`` actors of one CPU each (an actor that cannot be placed
  would be waited for for ever: one CPU means one actor). Each also reserves the GPUs the
  recipe's steps ask for when the cluster has them, and the pool is then no larger than the
  GPUs allow; asking for GPUs that no node has would also wait for ever.
- Input: the driver reads it (one streaming reader, as in the local executor) and sends each
  raw shard to the least busy actor, at most two shards in flight per actor, so memory follows
  ``batch_size``, not corpus size. Parquet shards travel as a description and the actor reads
  its own rows. On many nodes the driver's reader and link become the limit for line-based
  input; what would lift it is actors reading their own shards: plain files by line offsets
  recorded in the plan, compressed ones only from their start (one actor per file).
- Faults: an actor whose process or node dies is restarted (its setup runs again, on another
  node if need be) and its queued calls are retried; a shard is idempotent (files written
  atomically, marker last). Restarts are bounded so that a shard which kills every worker
  that touches it ends the run instead of looping.

``import ray`` is deferred to first use: it takes seconds, and the registry imports this
module only when "ray" is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from curate.executors.driver import Executor
from curate.executors.ledger import ShardLedger
from curate.executors.registry import register_executor
from curate.executors.shard import ShardWork
from curate.io.read import RawShard

IN_FLIGHT_PER_ACTOR = 2  # one running, one queued: the actor never waits for its next shard's bytes
RESTARTS = 8  # per actor and run: enough for lost nodes, finite for a shard that crashes its worker


class CurateWorker:
    """A Ray actor (process title ``ray::CurateWorker``): one ``ShardWork``, set up on its first call.

    The work arrives with each call as a reference wrapped in a list (so Ray does not resolve
    it: the actor fetches it once). Not as a constructor argument: a restarted actor would then
    depend on Ray keeping that argument alive, which Ray warns about on every run."""

    def __init__(self) -> None:
        self.work: ShardWork | None = None

    def _work(self, ref: list[Any]) -> ShardWork:
        if self.work is None:
            import ray

            self.work = ray.get(ref[0])
            self.work.setup()
        return self.work

    def run_stage(self, ref: list[Any], stage: int, index: int, raw: RawShard | None) -> ShardLedger:
        return self._work(ref).run_stage(stage, index, raw)

    def call(self, ref: list[Any], task: Callable[..., Any], args: tuple) -> Any:
        return task(self._work(ref), *args)


@register_executor
class RayExecutor(Executor):
    name = "ray"

    def __init__(self, workers: int = 2, address: str | None = None):
        super().__init__(workers)
        self.address = address
        self._started = False
        self._actors: list[Any] = []
        self._actors_work: ShardWork | None = None
        self._work_ref: list[Any] = []  # [ray.put(work)], held while the actors may need it

    @classmethod
    def create(cls, workers: int, address: str | None = None) -> RayExecutor:
        return cls(workers, address)

    def _ray(self):
        import ray

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                # A private local cluster bound to loopback, sized by ``workers``; "local", because
                # without an address Ray joins a cluster that `ray start` left on this machine.
                # Niceness 0 (Ray's default is 15): the actors are this run's workers, as the local
                # executor's are, and at 15 any other busy process on the machine starves them.
                ray.init(address="local", num_cpus=self.workers, include_dashboard=False, log_to_driver=False,
                         _node_ip_address="127.0.0.1", configure_logging=False,
                         _system_config={"worker_niceness": 0})
            self._started = True
        return ray

    def _pool(self, work: ShardWork) -> list[Any]:
        if self._actors and self._actors_work is work:
            return self._actors
        ray = self._ray()
        self._kill_actors()
        resources = ray.cluster_resources()
        size = max(1, min(self.workers, int(resources.get("CPU", 1))))
        gpus = max((b.step.gpus() for stage in work.stages for b in stage.steps), default=0.0)
        if not 0 < gpus <= resources.get("GPU", 0):
            gpus = 0.0
        if gpus:
            size = min(size, int(resources["GPU"] // gpus))
        actor = ray.remote(num_cpus=1, num_gpus=gpus, max_restarts=RESTARTS, max_task_retries=-1)(CurateWorker)
        self._work_ref = [ray.put(work)]  # stored once, not once per actor or per call
        self._actors = [actor.remote() for _ in range(size)]
        self._actors_work = work
        return self._actors

    def _kill_actors(self) -> None:
        if self._actors:
            import ray

            for actor in self._actors:
                ray.kill(actor, no_restart=True)
        self._actors, self._actors_work, self._work_ref = [], None, []

    def close(self) -> None:
        self._kill_actors()  # on a shared cluster: free the CPUs now, not when the driver exits
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def _map(self, work: ShardWork, method: str, calls: Iterable[tuple[int, tuple]],
             on_result: Callable[[int, Any], None]) -> None:
        """``method(*args)`` on the actors for each ``(key, args)`` of ``calls``, which is read
        only as calls finish (at most ``IN_FLIGHT_PER_ACTOR`` per actor in flight); then
        ``on_result(key, result)`` as each finishes."""
        ray = self._ray()
        actors = self._pool(work)
        load = [0] * len(actors)
        in_flight: dict[Any, tuple[int, int]] = {}  # ref -> (key, actor)

        def finish_one() -> None:
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                key, slot = in_flight.pop(ref)
                load[slot] -= 1
                on_result(key, ray.get(ref))

        calls = iter(calls)
        while True:
            while len(in_flight) >= IN_FLIGHT_PER_ACTOR * len(actors):
                finish_one()  # before reading the next shard: no more than the bound is ever held
            call = next(calls, None)
            if call is None:
                break
            key, args = call
            slot = load.index(min(load))
            in_flight[getattr(actors[slot], method).remote(self._work_ref, *args)] = (key, slot)
            load[slot] += 1
        while in_flight:
            finish_one()

    def map_tasks(self, work: ShardWork, task: Callable[..., Any], args: list[tuple],
                  done: Callable[[], None] | None = None) -> list[Any]:
        results: list[Any] = [None] * len(args)

        def store(key: int, result: Any) -> None:
            results[key] = result
            if done:
                done()

        self._map(work, "call", ((k, (task, a)) for k, a in enumerate(args)), store)
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
