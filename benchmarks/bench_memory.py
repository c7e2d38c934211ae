"""Memory at scale: pipelines/pretrain.yaml (without the tokenizer step) on corpora of
growing size; peak RSS of the driver and of the largest worker process must not grow with
the input (the driver's global-step reduce does, by design: it holds hashes per document).

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
    args = parser.parse_args()
    recipe = yaml.safe_load((REPO / "pipelines" / "pretrain.yaml").read_text())
    recipe["steps"] = _pretrain_steps()
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
               "global_reduce_s": {k: v.get("reduce") for k, v in report["global_phases"].items()}}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print("\ninput                 MB in   MB/s   driver MB   largest worker MB   all processes MB")
    for r in rows:
        print(f"{r['input']:20} {r['mb_in']:6} {r['mb_per_s']:6} {r['peak_rss_driver_mb']:10} "
              f"{r['peak_rss_worker_mb']:18} {r['peak_rss_total_mb']:18}")


if __name__ == "__main__":
    main()
