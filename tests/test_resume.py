"""Kill a run with SIGKILL in the middle, rerun the same command: the output is byte-identical
to an uninterrupted run's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from spine_util import jsonl, output_bytes, write_recipe

STEPS = [{"step": "regex_replace", "pattern": "[0-9]+"}, {"step": "dedup_fuzzy"}, {"step": "noop"}]


def _corpus(n: int) -> bytes:
    records = [{"text": f"문서 {i}: 오늘은 {i % 37}번째 날입니다. 비가 오고 바람이 붑니다. " * (1 + i % 3)}
               for i in range(n)]
    return jsonl(records) + b"{broken line\n"


def _command(recipe, *extra):
    return [sys.executable, "-m", "curate.cli", "run", str(recipe), "--quiet", *extra]


def test_sigkill_then_rerun_gives_the_same_bytes(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(_corpus(6000))
    recipe = write_recipe(tmp_path, ["in.jsonl"], STEPS, batch_size=25, workers=2)
    out = tmp_path / "out"
    proc = subprocess.Popen(_command(recipe), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done_dir = out / "_state" / "done" / "stage-0"
    deadline = time.time() + 240
    while time.time() < deadline:
        if done_dir.is_dir() and len(list(done_dir.glob("*.json"))) >= 20:
            break
        if proc.poll() is not None:
            pytest.fail("the run ended before it could be killed")
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker processes, like a lost machine
    proc.wait()
    finished = len(list(done_dir.glob("*.json")))
    assert 20 <= finished < 241, "the kill did not land in the middle of the run"
    assert not (out / "report.json").exists()

    resumed = subprocess.run(_command(recipe), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    clean = subprocess.run(_command(recipe, "--output", str(tmp_path / "clean")), capture_output=True,
                           text=True, timeout=300)
    assert clean.returncode == 0, clean.stderr
    assert output_bytes(out) == output_bytes(tmp_path / "clean")
    assert "6,001 records in" in resumed.stdout


def test_a_finished_run_is_not_redone_and_a_changed_recipe_is_refused(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(_corpus(200))
    recipe = write_recipe(tmp_path, ["in.jsonl"], STEPS, batch_size=50, workers=1)
    first = subprocess.run(_command(recipe), capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out" / "data").iterdir()}
    again = subprocess.run(_command(recipe), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out" / "data").iterdir()} == before

    write_recipe(tmp_path, ["in.jsonl"], STEPS[:1], batch_size=50, workers=1)
    changed = subprocess.run(_command(recipe), capture_output=True, text=True, timeout=120)
    assert changed.returncode == 2 and "different recipe" in changed.stderr
    forced = subprocess.run(_command(recipe, "--overwrite"), capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0, forced.stderr
