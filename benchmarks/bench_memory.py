"""Memory at scale: pipelines/pretrain.yaml (without the tokenizer step, or with it at vocab
32,000: --tokenizer) on corpora of growing size; peak RSS of the driver and of the largest
worker process must not grow with the input (global steps run as shuffle tasks).

    python benchmarks/bench_memory.py benchmarks/data/corpus_1g.jsonl benchmarks/data/corpus_5g.jsonl.zst
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_executor import PeakRss, _pretrain_steps

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executor", default="local")
    parser.add_argument("--work", type=Path, default=None, help="where outputs go (default: a temp dir)")
    parser.add_argument("--shuffle-partitions", type=int, default=None,
                        help="global steps' partitions (default: one per 100,000 records)")
    parser.add_argument("--tokenizer", action="store_true", help="add train_tokenizer (vocab 32,000)")
    args = parser.parse_args()
    recipe = yaml.safe_load((REPO / "pipelines" / "pretrain.yaml").read_text())
    recipe["steps"] = _pretrain_steps()
    if args.tokenizer:  # the recipe's own step, at the vocabulary a real corpus gets
        recipe["steps"].append({"step": "train_tokenizer", "vocab_size": 32_000})
    if args.shuffle_partitions:
        recipe["shuffle_partitions"] = args.shuffle_partitions
    work = args.work or Path(tempfile.mkdtemp(prefix="curate-mem-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in args.inputs:
        out = work / f"out-{path.name}"
        recipe.update(input=str(path.resolve()), output=str(out), workers=args.workers, executor=args.executor)
        recipe_path = work / f"{path.name}.yaml"
        recipe_path.write_text(yaml.safe_dump(recipe, allow_unicode=True))
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "curate.cli", "run", str(recipe_path), "--quiet", "--overwrite"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={**__import__("os").environ, "CURATE_PII_KEY": "bench-memory-key-000001"})
        with PeakRss(proc.pid) as rss:
            _, err = proc.communicate()
        if proc.returncode:
            raise RuntimeError(err.decode()[-3000:])
        report = json.loads((out / "report.json").read_text())
        row = {"input": path.name, "mb_in": round(report["bytes_in"] / 1e6), "records_in": report["records_in"],
               "records_kept": report["records_kept"], "wall_s": round(time.perf_counter() - start, 1),
               "mb_per_s": round(report["bytes_in"] / 1e6 / (time.perf_counter() - start), 2),
               "peak_rss_driver_mb": round(rss.driver / 2**20), "peak_rss_worker_mb": round(rss.worker / 2**20),
               "peak_rss_total_mb": round(rss.total / 2**20),
               "global_s": {k: {p: v.get(p) for p in ("partitions", "map", "reduce", "route", "finish") if p in v}
                            for k, v in report["global_phases"].items()},
               # which work sets the workers' memory: each shuffle phase's and each stage's largest task peak
               "task_peak_mb": {k: v.get("peak_rss_mb") for k, v in report["global_phases"].items()},
               "stage_peak_mb": _stage_peaks(report)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print("\ninput                 MB in   MB/s   driver MB   largest worker MB   all processes MB")
    for r in rows:
        print(f"{r['input']:20} {r['mb_in']:6} {r['mb_per_s']:6} {r['peak_rss_driver_mb']:10} "
              f"{r['peak_rss_worker_mb']:18} {r['peak_rss_total_mb']:18}")


def _stage_peaks(report: dict) -> dict[str, int]:
    peaks: dict[str, int] = {}
    for node in report.get("nodes", {}).values():
        for stage, mb in node["peak_rss_mb_by_stage"].items():
            peaks[stage] = max(peaks.get(stage, 0), mb)
    return dict(sorted(peaks.items(), key=lambda kv: int(kv[0])))


if __name__ == "__main__":
    main()
