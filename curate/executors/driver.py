"""What every executor does around the per-shard work: plan, resume, global stages, report.

An executor only has to say how to map work over shards (``map_tasks`` and
``process_stage``); the driver decides which shards still need work, runs the
global reduce steps, and turns the shard markers into the report.
"""

from __future__ import annotations

import hashlib
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl

from curate.config import InputConfig, InputPath, LoadedRecipe, RecipeError
from curate.executors import shuffle
from curate.executors.claim import check_output, clear_output, output_lock
from curate.executors.layout import Layout
from curate.executors.ledger import ShardLedger
from curate.executors.output_schema import conform_task, describe_drift, plan_unify, schema_of, schema_text
from curate.executors.run_key import check_resumed_key, read_run_key
from curate.executors.shard import ShardWork, Stage, split_stages
from curate.executors.shared import build_shared
from curate.executors.step_tables import gather_task
from curate.io import expand, plan_inputs
from curate.io.plan import Plan
from curate.io.read import InputSpec, RawShard, iter_raw_shards
from curate.io.remote import identity
from curate.progress import IN_TASK
from curate.report import build_report, write_reports
from curate.report.card import write_card
from curate.rules import pack_rules_dir
from curate.steps.base import GlobalStep, RunContext


def provenance_columns(spec: InputConfig) -> dict[str, tuple[tuple[str, object], ...]]:
    """Input file -> the constant columns its ``input.paths`` entry adds (the first entry naming it)."""
    columns: dict[str, tuple[tuple[str, object], ...]] = {}
    for entry in spec.paths:
        if isinstance(entry, InputPath) and entry.add:
            for path in expand([entry.path]):
                columns.setdefault(path, tuple(entry.add.items()))
    return columns


Progress = Callable[[str, int, int], None]  # (stage description, shards done, shards total)
TaskReport = Callable[[int, str, int, int], None]  # (task's index, what, done, total): see map_tasks


def fingerprint(loaded: LoadedRecipe, plan: Plan, rules: dict[str, bytes] | None = None) -> dict[str, Any]:
    """What the output depends on. Executor and worker count are left out on purpose:
    they do not change the output, so a run may be resumed on another executor."""
    recipe = loaded.recipe.model_dump(exclude={"executor", "workers", "ray_address"})
    files = [identity(f.path) for f in plan.files]  # size and mtime/etag, locally or through fsspec
    files += [identity(path) for step in loaded.steps for path in step.depends_on()]
    if rules:  # the recipe's packed `rules:` directory: the output depends on its content, not on where it sits
        recipe["rules"] = hashlib.sha256(json.dumps(
            {k: v.hex() for k, v in rules.items()}, sort_keys=True).encode()).hexdigest()
    blob = json.dumps({"recipe": recipe, "files": files}, sort_keys=True, default=str)
    return {"sha256": hashlib.sha256(blob.encode()).hexdigest(), "recipe": loaded.source}


class Executor(ABC):
    name = "abstract"

    def __init__(self, workers: int = 2):
        self.workers = workers

    @classmethod
    def create(cls, workers: int, address: str | None = None) -> Executor:
        """Build from the recipe's settings; ``address`` (a cluster's) means nothing to an in-process executor."""
        return cls(workers)

    # -- what an executor implements ------------------------------------------------------------
    @abstractmethod
    def map_tasks(self, work: ShardWork, task: Callable[..., Any], args: list[tuple],
                  done: Callable[[], None] | None = None, report: TaskReport | None = None) -> list[Any]:
        """``task(work, *a)`` for each ``a`` of ``args`` on the workers (one CPU each), results in
        ``args`` order; ``done`` is called as each finishes. Global steps run as such tasks.
        ``report``, where given, gets what a task says of its own progress (curate/progress.py:
        ``report(index in args, what, done, total)``), in the driver, while the tasks run."""

    @abstractmethod
    def process_stage(self, work: ShardWork, stage: int, shards: list[int],
                      raw: Iterator[RawShard] | None, progress: Callable[[], None]) -> list[ShardLedger]:
        """Run the stage on ``shards`` (stage 0 gets their raw input); returns their ledgers."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers or cluster connections."""

    def abort(self) -> None:
        """Stop now (Ctrl-C, an error): running work is abandoned, not waited for. Finished
        shards are on disk with their markers, so the same command resumes."""
        self.close()

    # -- the run --------------------------------------------------------------------------------
    def run(self, loaded: LoadedRecipe, overwrite: bool = False, progress: Progress | None = None,
            log: Callable[[str], None] = print) -> dict[str, Any]:
        recipe = loaded.recipe
        layout = Layout(recipe.output.path, recipe.output.format)
        plan = plan_inputs(expand(recipe.input.patterns()), recipe.input.format, recipe.batch_size,
                           provenance_columns(recipe.input))
        if layout.store.protocol == "memory" and (self.name != "local" or self.workers > 1):
            raise RecipeError(f"{layout.shown}: memory:// lives in one process; write it with the local "
                              "executor and --workers 1")
        check_output(layout, [f.path for f in plan.files], overwrite)
        run_key = read_run_key(loaded)
        with output_lock(layout) as lock:
            if lock.advisory:
                log(f"warning: {layout.shown}: this store cannot create an object only if it is absent, so "
                    "the lock that keeps a second run out is advisory: never start two runs on one output")
            if overwrite:
                clear_output(layout, tuple(a for step in loaded.steps for a in step.artifacts))
            return self._run_locked(loaded, layout, plan, run_key, progress, log)

    def _run_locked(self, loaded: LoadedRecipe, layout: Layout, plan: Plan, run_key: Any,
                    progress: Progress | None, log: Callable[[str], None]) -> dict[str, Any]:
        started = time.time()
        recipe = loaded.recipe
        rules = pack_rules_dir(recipe.rules) if recipe.rules else None  # read once: fingerprint and workers
        stamp = {**fingerprint(loaded, plan, rules), "key": run_key.record()}
        store = layout.store
        stages = split_stages(loaded.labels(), loaded.steps)
        if store.exists(layout.fingerprint):
            recorded = json.loads(store.read_bytes(layout.fingerprint))
            if recorded.get("sha256") != stamp["sha256"]:
                raise RecipeError(f"{layout.shown} holds a run of a different recipe or input; "
                                  "choose another output directory or pass --overwrite")
            # A finished run has nothing left to pseudonymize: rerunning it only rewrites the
            # report, whatever the key, and keeps the record of the key it was made with.
            if layout.done(len(stages) - 1) >= {s.index for s in plan.shards}:
                stamp = recorded
            else:
                check_resumed_key(recorded.get("key"), run_key, layout.shown)
        store.write_json(layout.fingerprint, stamp)
        layout.remove_partial_files()  # left by a run that was killed mid-write (local disks only)
        for warning in plan.warnings:
            log(f"warning: {warning}")
        key_warning = run_key.warning
        if key_warning:
            log(f"warning: {key_warning}")
        ctx = RunContext(seed=recipe.seed, key=run_key.key, work_dir=store.locate(layout.state),
                         output_dir=layout.root)
        renames = recipe.output.renames(recipe.input)
        spec = InputSpec(recipe.input.text_field, recipe.input.id_field, recipe.input.max_record_bytes,
                         recipe.input.kept_fields(),
                         tuple(c for s in loaded.steps for c in s.columns_written()) + tuple(renames.values()))
        work = ShardWork(layout, stages, spec, ctx, plan, recipe.batch_size, recipe.shuffle_partitions, rules,
                         renames, recipe.report.group_by)
        bound_steps = [(b.label, b.step) for stage in stages for b in stage.steps]
        shared = build_shared(store, bound_steps, log) if plan.shards else {}
        work.shared = set(shared)  # before any worker starts: each maps the files in its setup
        all_shards = [s.index for s in plan.shards]
        global_seconds: dict[str, dict[str, Any]] = {}
        markers: list[ShardLedger] = []
        try:
            for stage in stages if all_shards else []:  # no input records: nothing to run
                if stage.global_step is not None:
                    global_seconds[stage.global_step.label] = self._ensure_global_state(
                        work, stage, all_shards, progress, log)
                done = layout.done(stage.index)
                todo = [i for i in all_shards if i not in done]
                counter = _Counter(progress, _describe(stage), len(all_shards), len(done))
                raw = (iter_raw_shards(plan.files, plan.shards, recipe.batch_size, skip=done)
                       if stage.index == 0 else None)
                if todo:
                    self.process_stage(work, stage.index, todo, raw, counter.tick)
            names = [layout.marker(stage.index, index) for stage in stages for index in all_shards]
            markers = [ShardLedger.from_json(json.loads(data)) for data in store.read_many(names)]
            output_schema = self._unify_output(work, [m for m in markers if m.written is not None], log)
            tables = self._gather_tables(work, bound_steps, shared) if all_shards else {}
        except BaseException:
            self.abort()
            raise
        self.close()
        # A resumed or rerun run reports the time of every invocation that worked on this output,
        # not only the last one's (which, for a finished run, is only the report's rewrite).
        finished = time.time()
        runs = json.loads(store.read_bytes(layout.invocations)) if store.exists(layout.invocations) else []
        runs.append({"started": round(started, 3), "seconds": round(finished - started, 3)})
        store.write_json(layout.invocations, runs)
        earlier = sum(r["seconds"] for r in runs[:-1])
        report = build_report(loaded, plan, markers, global_seconds, self.name, self.workers,
                              started - earlier, finished,
                              list(plan.warnings) + ([key_warning] if key_warning else []))
        report["invocations"] = [r["seconds"] for r in runs]
        report["output_schema"] = output_schema
        if tables:
            report["step_tables"] = tables
        write_reports(store, report)
        write_card(store, loaded, report)
        return report

    def _unify_output(self, work: ShardWork, written: list[ShardLedger],
                      log: Callable[[str], None]) -> dict[str, Any]:
        """Rewrite the output parts whose schema differs from the others' (``output_schema``)."""
        schemas = {m.shard: schema_of(m.written.schema) for m in written if m.written and m.written.schema}
        if not schemas:
            return {}
        unified, rewrite, summary = plan_unify(schemas)
        if summary["drift"]:
            log(f"warning: input fields drifted between files: {describe_drift(summary['drift'])}")
        if rewrite and work.layout.data_format == "parquet":
            self.map_tasks(work, conform_task, [(i, schema_text(pl.DataFrame(schema=unified))) for i in rewrite])
        else:
            summary["parts_rewritten"] = 0
        return summary

    def _gather_tables(self, work: ShardWork, steps: list[tuple[str, Any]],
                       shared: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Each report table's parts into OUTPUT/reports/<name>.parquet, in a worker task."""
        labels = [label for label, step in steps if step.report_table() is not None]
        results = self.map_tasks(work, gather_task, [(label, shared.get(label, {})) for label in labels])
        return {label: {"step": step.name, **result} for (label, step), result in
                zip([(lb, st) for lb, st in steps if lb in labels], results, strict=True)}

    def _ensure_global_state(self, work: ShardWork, stage: Stage, shards: list[int],
                             progress: Progress | None, log: Callable[[str], None] = print) -> dict[str, Any]:
        """Run the stage's global step as map -> shuffle -> reduce tasks (``shuffle``); the
        driver only hands out tasks and keeps their counters."""
        store, info_path = work.layout.store, work.layout.global_info(stage.index)
        if store.exists(info_path):
            return {**json.loads(store.read_bytes(info_path)), "resumed": True}
        bound = stage.global_step
        assert bound is not None and isinstance(bound.step, GlobalStep)
        assert shards == list(range(len(shards))), "shards are numbered 0..N-1 in input order"
        records = sum(f.n_lines for f in work.plan.files) if work.plan is not None else len(shards)
        partitions = shuffle.partition_count(records, work.shuffle_partitions)
        last = bound.step.shuffle_rounds() - 1
        label = f"{bound.label}: shuffle"
        info: dict[str, Any] = {"partitions": partitions, "rounds": last + 1, "shuffled_rows": 0}
        seconds = {"map": 0.0, "reduce": 0.0, "route": 0.0, "finish": 0.0}
        peaks: dict[str, int] = {}  # round and phase -> the largest task peak RSS (MB)
        nodes: dict[str, int] = {}  # node -> tasks it ran
        shuffle.remove_shuffle_files(work, stage.index)  # a killed run's partial shuffle
        for round_ in range(last + 1):
            job = shuffle.ShuffleJob(stage.index, round_, last, partitions, len(shards))
            phases: list[tuple[str, Any, list[tuple]]] = [
                ("map", shuffle.map_task, [(job, i) for i in shards]),
                ("reduce", shuffle.reduce_task, [(job, p) for p in range(partitions)])]
            if round_ == last and bound.step.gathered():
                phases.append(("finish", shuffle.finish_task, [(job,)]))
            else:
                phases.append(("route", shuffle.route_task, [(job, g) for g in range(job.groups)]))
            for phase, task, args in phases:
                t0 = time.perf_counter()
                counter = _Counter(progress, f"{label} r{round_} {phase}", len(args), 0)
                # no bars, no listening: a Ray run would otherwise start a queue actor per phase for nothing
                in_task = _InTask(progress, f"{bound.label} r{round_} {phase}") if progress else None
                results = self.map_tasks(work, shuffle.measured_task, [(task, *a) for a in args], counter.tick,
                                         in_task)
                seconds[phase] += time.perf_counter() - t0
                peaks[f"r{round_} {phase}"] = max(r["peak_rss_mb"] for r in results)
                for r in results:
                    nodes[r["node"]] = nodes.get(r["node"], 0) + 1
                if phase == "map":
                    info["shuffled_rows"] += sum(r["rows"] for r in results)
                if phase == "finish":
                    info["tables"] = results[0]["tables"]
                    if results[0].get("notes"):
                        info["notes"] = results[0]["notes"]
                        for note in info["notes"]:
                            log(f"note: {bound.label}: {note}")
        info.update({k: round(v, 3) for k, v in seconds.items()})
        info.update(peak_rss_mb=peaks, tasks_by_node=dict(sorted(nodes.items())))
        store.write_json(info_path, info)  # last: it marks the state complete
        shuffle.remove_shuffle_files(work, stage.index)
        return info


class _Counter:
    def __init__(self, progress: Progress | None, description: str, total: int, done: int):
        self.progress, self.description, self.total, self.done = progress, description, total, done
        if progress:
            progress(description, done, total)

    def tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.description, self.done, self.total)


class _InTask:
    """What a phase's tasks say of their own progress, summed over the tasks: each task's latest
    (done, total) of each count."""

    def __init__(self, progress: Progress, label: str):
        self.progress, self.label = progress, label
        self.latest: dict[str, dict[int, tuple[int, int]]] = {}

    def __call__(self, task: int, what: str, done: int, total: int) -> None:
        tasks = self.latest.setdefault(what, {})
        tasks[task] = (done, total)
        self.progress(f"{self.label}{IN_TASK}{what}", sum(d for d, _ in tasks.values()),
                      sum(t for _, t in tasks.values()))


def _describe(stage: Stage) -> str:
    names = [b.label for b in stage.steps] or ["read"]
    shown = ", ".join(names) if len(names) <= 3 else f"{names[0]} … {names[-1]} ({len(names)} steps)"
    return f"stage {stage.index}: {shown}"
