"""Ray under faults: a worker process killed mid-run (with a CPU free to replace it, or none), and
a killed driver followed by a rerun. Either way the output equals a clean run's, byte for byte;
with no worker left and none placeable the run fails at once with a clear error, and a rerun resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from spine_util import REPO, jsonl, output_bytes, run, write_recipe

from curate.config import load_recipe
from curate.executors import get_executor, ray_exec

pytestmark = pytest.mark.ray

EVALS = str(REPO / "pipelines" / "evals" / "klue_tc_test.jsonl")
STEPS = [
    {"step": "regex_replace", "pattern": "[0-9]"},
    {"step": "decontaminate", "eval_sets": [{"name": "tc", "path": EVALS, "field": "title"}]},  # heavy
    {"step": "noop"},
]


def _corpus(tmp_path, n: int = 1500) -> list[str]:
    records = [{"text": f"{i}번째 기사입니다. 오늘 서울은 맑고 {i % 30}도까지 오르겠습니다. " * (1 + i % 4)}
               for i in range(n)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    return ["in.jsonl"]


def _ray_worker_pids() -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmd = open(f"/proc/{entry.name}/cmdline", "rb").read().replace(b"\0", b" ")
            except OSError:
                continue
            if cmd.startswith(b"ray::CurateWorker"):  # the executor's actors (idle or running a call)
                pids.append(int(entry.name))
    return pids


def test_killing_a_ray_worker_mid_run_changes_nothing(tmp_path):
    inputs = _corpus(tmp_path)
    recipe = write_recipe(tmp_path, inputs, STEPS, batch_size=30)
    clean = tmp_path / "clean"
    run(recipe, "local", 1, output=str(clean))

    out = tmp_path / "out"
    done_dir = out / "_state" / "done" / "stage-0"
    killed: list[int] = []

    def assassin() -> None:
        deadline = time.time() + 240
        while time.time() < deadline and not killed:
            finished = len(list(done_dir.glob("*.json"))) if done_dir.is_dir() else 0
            pids = _ray_worker_pids()
            if finished >= 5 and pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(finished)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=assassin, daemon=True)
    thread.start()
    report = run(recipe, "ray", 2, output=str(out))
    thread.join()
    assert killed and killed[0] < 50, "no worker was killed in the middle of the run"
    assert report["records_in"] == 1500
    assert output_bytes(out) == output_bytes(clean)


def test_killing_the_driver_then_rerunning_resumes_to_the_same_bytes(tmp_path):
    inputs = _corpus(tmp_path)
    recipe = write_recipe(tmp_path, inputs, STEPS, batch_size=30, executor="ray", workers=2)
    command = [sys.executable, "-m", "curate.cli", "run", str(recipe), "--quiet"]
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done_dir = tmp_path / "out" / "_state" / "done" / "stage-0"
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if done_dir.is_dir() and len(list(done_dir.glob("*.json"))) >= 10:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before the driver could be killed"
    os.kill(proc.pid, signal.SIGKILL)  # only the driver: Ray's own processes notice and go away
    proc.wait()
    assert len(list(done_dir.glob("*.json"))) < 50
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=400)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    run(recipe, "local", 1, output=str(tmp_path / "clean"))
    assert output_bytes(tmp_path / "out") == output_bytes(tmp_path / "clean")



LOSS_STEPS = [*STEPS[:2], {"step": "dedup_exact"}, {"step": "noop"}]  # shuffle tasks run after the loss


@pytest.fixture
def local_ray():
    """Starts a local Ray of the given CPUs that the run joins (and leaves running)."""
    import ray

    yield lambda cpus: ray.init(address="local", num_cpus=cpus, include_dashboard=False, log_to_driver=False,
                                _node_ip_address="127.0.0.1", configure_logging=False)
    ray.shutdown()


def _lose_a_worker_whose_cpu_is_taken(tmp_path, workers: int) -> tuple[dict | Exception, float, object]:
    """A run with ``workers`` actors on a local Ray of as many CPUs. After 5 shards an actor that
    needs one more CPU is queued and a worker killed: Ray hands the CPU it frees to that squatter,
    so none is free to restart the lost worker on. Returns the report (or the run's error), the
    seconds from the kill to the run's end, and the squatter (holding its CPU)."""
    import ray

    class Squatter:
        def ready(self) -> bool:
            return True

    recipe = write_recipe(tmp_path, _corpus(tmp_path), LOSS_STEPS, batch_size=30)
    done_dir = tmp_path / "out" / "_state" / "done" / "stage-0"
    killed: list[tuple[float, object]] = []

    def assassin() -> None:
        deadline = time.time() + 120
        while time.time() < deadline and not killed:
            finished = len(list(done_dir.glob("*.json"))) if done_dir.is_dir() else 0
            pids = _ray_worker_pids()
            if finished >= 5 and len(pids) == workers:
                squatter = ray.remote(num_cpus=1)(Squatter).remote()  # queued: every CPU is taken
                os.kill(pids[0], signal.SIGKILL)
                killed.append((time.monotonic(), squatter))
                return
            time.sleep(0.05)

    thread = threading.Thread(target=assassin, daemon=True)
    thread.start()
    try:
        outcome: dict | Exception = get_executor("ray", workers).run(
            load_recipe(recipe, {"executor": "ray", "workers": workers}), log=lambda _: None)
    except ray_exec.WorkersLost as exc:
        outcome = exc
    seconds = time.monotonic() - killed[0][0] if killed else 0.0
    thread.join()
    assert killed, "no worker was killed in the middle of the run"
    squatter = killed[0][1]
    ray.get(squatter.ready.remote(), timeout=30)  # the lost worker's CPU went to the squatter
    return outcome, seconds, squatter


def _local_bytes(tmp_path) -> dict[str, bytes]:
    recipe = write_recipe(tmp_path, ["in.jsonl"], LOSS_STEPS, batch_size=30)
    run(recipe, "local", 1, output=str(tmp_path / "clean"))
    return output_bytes(tmp_path / "clean")


def test_losing_a_worker_with_no_cpu_free_finishes_on_the_others(tmp_path, local_ray):
    local_ray(2)
    report, _, _ = _lose_a_worker_whose_cpu_is_taken(tmp_path, 2)
    assert isinstance(report, dict), report
    assert report["records_in"] == 1500
    assert output_bytes(tmp_path / "out") == _local_bytes(tmp_path)


def test_losing_the_last_worker_with_no_cpu_free_fails_fast_and_a_rerun_resumes(tmp_path, local_ray, monkeypatch):
    import ray

    monkeypatch.setattr(ray_exec, "PLACEMENT_TIMEOUT", 3.0)
    local_ray(1)
    error, seconds, squatter = _lose_a_worker_whose_cpu_is_taken(tmp_path, 1)
    assert isinstance(error, ray_exec.WorkersLost), error
    assert str(error).startswith("lost all Ray workers (1 died, of a pool of 1) and none could be restarted")
    assert str(error).endswith("rerun the same command to resume.")
    assert seconds < 20
    assert len(list((tmp_path / "out" / "_state" / "done" / "stage-0").glob("*.json"))) < 50
    ray.kill(squatter)  # the CPU is free again: the same run, rerun, resumes
    recipe = write_recipe(tmp_path, ["in.jsonl"], LOSS_STEPS, batch_size=30)
    assert run(recipe, "ray", 1)["records_in"] == 1500
    assert output_bytes(tmp_path / "out") == _local_bytes(tmp_path)
