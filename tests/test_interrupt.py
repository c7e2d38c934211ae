"""Issue 21: Ctrl-C printed 30-48 lines of worker tracebacks, no word about resuming, and took
seconds to exit. Now: one line, a prompt exit, the workers stopped, and the same command resumes."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from spine_util import SHARED_DATA, read_outputs, write_recipe


def _reviews(n: int) -> list[str]:
    with gzip.open(SHARED_DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line, _ in zip(fh, range(n), strict=False)]


@pytest.mark.skipif(not (SHARED_DATA / "nsmc_reviews.jsonl.gz").exists(), reason="shared data not found")
def test_ctrl_c_says_one_line_stops_the_workers_and_the_run_resumes(tmp_path):
    reviews = _reviews(4000)
    with open(tmp_path / "in.jsonl", "w", encoding="utf-8") as fh:
        for i in range(60_000):
            record = {"id": f"r{i}", "text": reviews[i % len(reviews)] + f" {i}"}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    recipe = write_recipe(tmp_path, ["in.jsonl"], [{"step": "normalize"}, {"step": "pii"},
                                                   {"step": "toxicity", "thresholds": "pretrain"}],
                          batch_size=500, workers=2, key={"env": "CURATE_TEST_INTERRUPT_KEY"})
    env = {**os.environ, "CURATE_TEST_INTERRUPT_KEY": "interrupt-test-key-0123456789"}
    command = [sys.executable, "-m", "curate.cli", "run", str(recipe), "--quiet"]
    # its own process group, as a terminal's foreground job: Ctrl-C reaches the driver and its workers
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    done = tmp_path / "out" / "_state" / "done" / "stage-0"
    deadline = time.monotonic() + 120
    while not (done.exists() and any(done.iterdir())):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "no shard finished in two minutes"
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    interrupted = time.monotonic()
    _, stderr = proc.communicate(timeout=30)
    took = time.monotonic() - interrupted
    text = stderr.decode()
    assert proc.returncode == 130, text
    assert "interrupted: shards already finished are kept; rerun the same command to resume" in text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert took < 10, took
    finished = len(list(done.iterdir()))
    assert 0 < finished < 120  # it stopped part-way
    resumed = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr.decode()
    kept, dropped, _ = read_outputs(tmp_path / "out")
    assert kept.height + dropped.height == 60_000 and kept["id"].n_unique() == kept.height
