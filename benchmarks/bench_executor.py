"""Executor benchmark: a no-op step and a one-regex step, local vs Ray, 1 and 2 workers.

Prints MB/s (input text bytes over wall time, start-up included and also excluded
where it can be told apart) and peak RSS: of the largest single process and of
all the run's processes together (driver + workers, or driver + Ray's processes).

    python benchmarks/generate_corpus.py --size-mb 200 --out benchmarks/data/corpus_200m.jsonl
    python benchmarks/bench_executor.py --input benchmarks/data/corpus_200m.jsonl --limit-mb 100
    python benchmarks/bench_executor.py --limit-mb 100 --steps pretrain     # the scaling figures
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _pretrain_steps() -> list[dict]:
    """pipelines/pretrain.yaml without the tokenizer, eval-set paths made absolute."""
    steps = [s for s in yaml.safe_load((REPO / "pipelines" / "pretrain.yaml").read_text())["steps"]
             if s["step"] != "train_tokenizer"]
    for step in steps:
        for eval_set in step.get("eval_sets", []):
            eval_set["path"] = str(REPO / "pipelines" / eval_set["path"])
    return steps


STEPS = {
    "noop": [{"step": "noop"}],
    "one_regex": [{"step": "regex_replace", "pattern": r"<[^>]+>", "replacement": ""}],
    "pretrain": _pretrain_steps(),
}


def _rss_by_pid() -> dict[int, int]:
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", "rb") as fh:
                for line in fh:
                    if line.startswith(b"VmRSS:"):
                        out[int(entry.name)] = int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return out


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    seen, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo.extend(children.get(pid, []))
    return seen


class PeakRss:
    """Samples the RSS of a process tree (Ray's processes are its descendants too) every 0.2 s."""

    def __init__(self, root: int):
        self.root, self.total, self.single = root, 0, 0
        self.driver, self.worker = 0, 0  # the root process; the largest of the others
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = _rss_by_pid()
            pids = _descendants(self.root)
            tree = [rss.get(p, 0) for p in pids]
            if tree:
                self.total = max(self.total, sum(tree))
                self.single = max(self.single, max(tree))
                self.driver = max(self.driver, rss.get(self.root, 0))
                self.worker = max([self.worker] + [rss.get(p, 0) for p in pids if p != self.root])
            time.sleep(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _limited_input(src: Path, limit_mb: float, folder: Path) -> Path:
    if limit_mb <= 0:
        return src
    dst = folder / "input.jsonl"
    budget = int(limit_mb * 1e6)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for line in fin:
            fout.write(line)
            budget -= len(line)
            if budget <= 0:
                break
    return dst


def run_one(input_path: Path, executor: str, workers: int, step: str, folder: Path, batch_size: int) -> dict:
    recipe = {"input": str(input_path), "output": str(folder / f"out-{executor}-{workers}-{step}"),
              "steps": STEPS[step], "batch_size": batch_size, "executor": executor, "workers": workers}
    recipe_path = folder / f"{executor}-{workers}-{step}.yaml"
    recipe_path.write_text(yaml.safe_dump(recipe))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "curate.cli", "run", str(recipe_path), "--quiet", "--overwrite"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "CURATE_PII_KEY": "bench-executor-key-0001"})
    with PeakRss(proc.pid) as rss:
        _, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(err.decode()[-2000:])
    report = json.loads((folder / f"out-{executor}-{workers}-{step}" / "report.json").read_text())
    mb = report["bytes_in"] / 1e6
    return {"executor": executor, "workers": workers, "step": step, "mb": round(mb, 1),
            "wall_s": round(wall, 2), "mb_per_s": round(mb / wall, 2),
            "run_s": report["seconds"], "mb_per_s_run": round(mb / report["seconds"], 2),
            "peak_rss_total_mb": round(rss.total / 2**20), "peak_rss_max_process_mb": round(rss.single / 2**20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=Path("benchmarks/data/corpus_200m.jsonl"))
    parser.add_argument("--limit-mb", type=float, default=100, help="use the first N MB of the input (0: all)")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--executors", default="local,ray")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--steps", default="noop,one_regex", help=f"comma-separated, of {', '.join(STEPS)}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        input_path = _limited_input(args.input, args.limit_mb, folder)
        rows = []
        for executor in args.executors.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                for step in args.steps.split(","):
                    row = run_one(input_path, executor, workers, step, folder, args.batch_size)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    base = {(r["step"]): r["mb_per_s"] for r in rows if r["executor"] == "local" and r["workers"] == 1}
    print("\nexecutor workers step       MB/s(wall)  MB/s(run)  vs local-1  peak RSS total / largest (MB)")
    for r in rows:
        ratio = r["mb_per_s"] / base[r["step"]] if r["step"] in base else float("nan")
        print(f"{r['executor']:8} {r['workers']:7} {r['step']:10} {r['mb_per_s']:10.1f} {r['mb_per_s_run']:10.1f}"
              f" {ratio:10.2f}x  {r['peak_rss_total_mb']:6} / {r['peak_rss_max_process_mb']}")


if __name__ == "__main__":
    main()
