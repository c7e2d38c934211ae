"""The Ray executor writes the same bytes as the local one (a local Ray with 2 CPUs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest
from spine_util import REPO, jsonl, output_bytes, run, write_recipe

from curate.config import load_recipe
from curate.executors import driver, get_executor, ray_exec
from curate.steps import register
from curate.steps.base import RunContext, Step

pytestmark = pytest.mark.ray


@pytest.fixture(autouse=True)
def _workers_import_this_module(monkeypatch):
    """Ray's workers inherit the environment of the process that starts the cluster: with this
    folder on their path they can unpickle ``CountSetups``."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(Path(__file__).parent),
                                                                   os.environ.get("PYTHONPATH")])))


@register
class CountSetups(Step):
    """A heavy step that notes each setup (the actor's pid) in a file; Ray's workers import this
    module to unpickle it."""

    name: ClassVar[str] = "count_setups_test"
    heavy: ClassVar[bool] = True
    marks: str

    def setup(self, ctx: RunContext) -> None:
        with open(self.marks, "a") as fh:
            fh.write(f"{os.getpid()}\n")

    def process(self, df: pl.DataFrame) -> pl.DataFrame:
        return df


@register
class ExitOnPoison(Step):
    """Kills its worker's process on a record holding "독약" (a shard that crashes every worker)."""

    name: ClassVar[str] = "exit_on_poison_test"

    def process(self, df: pl.DataFrame) -> pl.DataFrame:
        if df["text"].str.contains("독약").any():
            os._exit(1)
        return df


def _corpus(tmp_path) -> list[str]:
    evals = [json.loads(line)["title"] for line in
             (REPO / "pipelines" / "evals" / "klue_tc_test.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
    records = []
    for i in range(400):
        text = f"{i % 50}번 문서. 오늘 서울의 날씨는 맑고 기온은 {i % 50}도입니다.\n<b>강조</b> 문장이 있습니다."
        if i % 40 == 0:
            text += "\n" + evals[(i // 40) % 3]  # a planted evaluation item for decontaminate
        records.append({"id": f"d{i}", "text": text})
    (tmp_path / "a.jsonl").write_bytes(jsonl(records[:250]) + b"{not json\n")
    (tmp_path / "b.jsonl").write_bytes(jsonl(records[250:]))
    return ["a.jsonl", "b.jsonl"]


def test_ray_output_is_byte_identical_to_local(tmp_path):
    inputs = _corpus(tmp_path)
    steps = [
        {"step": "regex_replace", "pattern": "<[^>]+>"},
        {"step": "decontaminate",  # heavy: runs in a Ray actor pool
         "eval_sets": [{"name": "klue-tc", "path": str(REPO / "pipelines" / "evals" / "klue_tc_test.jsonl"),
                        "field": "title"}]},
        {"step": "dedup_exact"},  # global: map, reduce and route tasks on Ray
        {"step": "noop"},
        {"step": "train_tokenizer", "vocab_size": 300, "min_frequency": 1},  # Kiwi in reduce tasks, trained in one
    ]
    recipe = write_recipe(tmp_path, inputs, steps, batch_size=60, shuffle_partitions=3)
    local = run(recipe, "local", 2, output=str(tmp_path / "local"))
    on_ray = run(recipe, "ray", 2, output=str(tmp_path / "ray"))
    assert on_ray["global_phases"]["train_tokenizer"]["partitions"] == 3
    assert output_bytes(tmp_path / "local") == output_bytes(tmp_path / "ray")
    tokenizer = sorted(p.name for p in (tmp_path / "local" / "tokenizer").iterdir())
    assert "tokenizer.json" in tokenizer
    for name in tokenizer:
        assert (tmp_path / "local" / "tokenizer" / name).read_bytes() == \
            (tmp_path / "ray" / "tokenizer" / name).read_bytes()
    for key in ("records_in", "records_kept", "records_dropped", "records_quarantined"):
        assert local[key] == on_ray[key]
    assert local["records_quarantined"] == 1 and local["records_kept"] < 400
    drops = {s["step"]: s["drops"] for s in on_ray["steps"]}
    assert drops["dedup_exact"] and drops["read"] == {}
    assert on_ray["executor"] == "ray"


def test_one_cpu_ray_with_a_heavy_step_does_not_deadlock(tmp_path):
    records = [{"id": f"d{i}", "text": f"{i}번째 문서입니다. 오늘은 맑겠습니다."} for i in range(60)]
    (tmp_path / "a.jsonl").write_bytes(jsonl(records))
    evals = str(REPO / "pipelines" / "evals" / "klue_tc_test.jsonl")
    steps = [{"step": "noop"},
             {"step": "decontaminate", "eval_sets": [{"name": "tc", "field": "title", "path": evals}]},
             {"step": "dedup_exact"}, {"step": "noop"}]
    report = run(write_recipe(tmp_path, ["a.jsonl"], steps, batch_size=20), "ray", 1)
    assert report["records_kept"] == 60


def _records(tmp_path, n: int) -> list[str]:
    (tmp_path / "a.jsonl").write_bytes(jsonl([{"id": f"d{i}", "text": f"{i % 7}번째 문서입니다."} for i in range(n)]))
    return ["a.jsonl"]


def test_each_actor_sets_up_once_for_every_stage_and_shuffle_task(tmp_path):
    marks = tmp_path / "setups.txt"
    steps = [{"step": "count_setups_test", "marks": str(marks)}, {"step": "dedup_exact"}, {"step": "noop"}]
    recipe = write_recipe(tmp_path, _records(tmp_path, 200), steps, batch_size=20)
    report = run(recipe, "ray", 2)
    assert report["records_kept"] == 7
    pids = marks.read_text().split()
    assert len(pids) == len(set(pids)) == 2  # two actors, each set up once for two stages and the shuffle


def test_the_pool_fits_the_cluster_and_keeps_two_shards_in_flight_per_actor(tmp_path, monkeypatch):
    """On a 1-CPU cluster, 3 workers means 1 actor; the driver reads a shard only when fewer than
    two are in flight."""
    import ray

    marks = tmp_path / "setups.txt"
    recipe = write_recipe(tmp_path, _records(tmp_path, 300), [{"step": "count_setups_test", "marks": str(marks)}],
                          batch_size=10)
    pulled, finished, gaps = [0], [0], []
    reader = driver.iter_raw_shards

    def counting_reader(*args, **kwargs):
        for raw in reader(*args, **kwargs):
            pulled[0] += 1
            gaps.append(pulled[0] - finished[0])
            yield raw

    def progress(description: str, done: int, total: int) -> None:
        if description.startswith("stage 0"):
            finished[0] = done

    monkeypatch.setattr(driver, "iter_raw_shards", counting_reader)
    ray.init(address="local", num_cpus=1, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1",
             configure_logging=False)
    try:
        loaded = load_recipe(recipe, {"executor": "ray", "workers": 3})
        report = get_executor("ray", 3).run(loaded, progress=progress, log=lambda _: None)
        assert ray.is_initialized()  # a cluster it joined is left running
    finally:
        ray.shutdown()
    assert report["records_kept"] == 300 and pulled[0] == 30
    assert len(marks.read_text().split()) == 1
    assert max(gaps) == 2  # the shard being read counts: one running, one queued


def test_a_shard_that_kills_every_worker_ends_the_run(tmp_path):
    records = [{"id": f"d{i}", "text": f"{i}번째 문서{'에 독약' if i == 35 else ''}입니다."} for i in range(100)]
    (tmp_path / "a.jsonl").write_bytes(jsonl(records))
    recipe = write_recipe(tmp_path, ["a.jsonl"], [{"step": "exit_on_poison_test"}], batch_size=10)
    with pytest.raises(ray_exec.WorkersLost, match=r"^shards? ([0-9, ]+) (was|were each) in flight on 3 Ray "
                       "workers that died") as caught:
        run(recipe, "ray", 2)
    named = str(caught.value).split(" w")[0].split(" ", 1)[1].split(", ")
    assert "3" in named, caught.value  # shard 3 holds record 35; one queued behind it may die with it


def test_a_ray_run_from_the_command_line_prints_only_curates_own_lines(tmp_path):
    """Issue 21: a normal Ray run printed Ray's token-auth notice (and, reported once, a
    core_worker.cc error line) among curate's own lines."""
    recipe = write_recipe(tmp_path, [str(REPO / "samples" / "sample_corpus.jsonl")],
                          [{"step": "normalize"}, {"step": "dedup_exact"}], key={"env": "NO_SUCH_KEY_ENV"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    done = subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", "run", str(recipe),
                           "--executor", "ray", "--workers", "2"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "records in" in done.stdout
    for noise in ("Token authentication", "core_worker", "Traceback", "WARNING", "(raylet)"):
        assert noise not in done.stderr, done.stderr[-2000:]
