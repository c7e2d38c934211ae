"""Ray under faults: a worker process killed mid-run, and a killed driver followed by a rerun.
Either way the output equals a clean run's, byte for byte."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from spine_util import REPO, jsonl, output_bytes, run, write_recipe

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
