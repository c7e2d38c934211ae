"""What the shipped recipes guarantee at their end: planted near-duplicates removed, no kept
document below the length floor, and the cost in MB/s, with the earlier step order in the same run.

Generates a corpus (``generate_corpus.py``: it plants exact and near-duplicate copies of earlier
documents and records ``noise`` and ``dup_of`` on each), runs ``pipelines/pretrain.yaml`` and
``pipelines/benchmark.yaml`` without the tokenizer, each as shipped and in the earlier order
(one ``dedup_exact`` of documents and sentences before ``dedup_fuzzy``), and prints per run:
planted near-duplicates not in the output (recall) and which step removed them, kept documents
below the recipe's ``min_chars`` (the loader's ``length_floor`` catches them; "dropped by
length_floor" is how many would have been kept below it), and MB/s.

    python benchmarks/bench_recipe_guarantees.py --size-mb 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import yaml

REPO = Path(__file__).resolve().parents[1]
KEY = "bench-guarantees-key-0001"


def _steps(recipe: str, earlier_order: bool) -> list[dict]:
    steps = [s for s in yaml.safe_load((REPO / "pipelines" / recipe).read_text())["steps"]
             if s["step"] != "train_tokenizer"]
    for step in steps:
        for eval_set in step.get("eval_sets", []):
            eval_set["path"] = str(REPO / "pipelines" / eval_set["path"])
    if earlier_order:  # one dedup_exact (documents and sentences) before dedup_fuzzy
        sentences = next(s for s in steps if s["step"] == "dedup_exact" and s.get("sentences"))
        steps = [s for s in steps if s is not sentences]
        first = next(i for i, s in enumerate(steps) if s["step"] == "dedup_exact")
        steps[first] = {**steps[first], "sentences": True, "min_sentence_chars": sentences["min_sentence_chars"]}
    return steps


def _min_chars(steps: list[dict]) -> int:
    return max((s.get("min_chars", 10) for s in steps if s["step"] == "length_filter"), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="curate-guarantees-"))
    corpus = work / "corpus.jsonl"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_corpus.py"), "--size-mb", str(args.size_mb),
                    "--out", str(corpus)], check=True, stdout=subprocess.DEVNULL)
    planted = pl.read_ndjson(corpus, infer_schema_length=None).select("id", "noise")
    near = planted.filter(pl.col("noise") == "near_dup")["id"]
    print(f"corpus: {args.size_mb:g} MB, {planted.height:,} documents, {near.len():,} planted near-duplicates")
    print("\n| recipe | order | MB/s | planted near-dups removed | by step | kept below min_chars | "
          "dropped by length_floor |")
    print("|---|---|---|---|---|---|---|")
    for recipe in ("pretrain.yaml", "benchmark.yaml"):
        for earlier in (True, False):
            steps = _steps(recipe, earlier)
            config = yaml.safe_load((REPO / "pipelines" / recipe).read_text())
            out = work / f"out-{recipe}-{'earlier' if earlier else 'shipped'}"
            config.update(input=str(corpus), output=str(out), workers=args.workers, steps=steps)
            path = work / f"{out.name}.yaml"
            path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "curate.cli", "run", str(path), "--quiet", "--overwrite"],
                           check=True, stdout=subprocess.DEVNULL, env={**os.environ, "CURATE_PII_KEY": KEY})
            seconds = time.perf_counter() - start
            report = json.loads((out / "report.json").read_text())
            kept = pl.read_parquet(out / "data" / "*.parquet")
            dropped = pl.read_parquet(out / "dropped" / "*.parquet")
            gone = near.filter(~near.is_in(kept["id"].implode()))
            by_step = (dropped.filter(pl.col("id").is_in(near.implode())).group_by("step").len()
                       .sort("len", descending=True))
            shown = ", ".join(f"{s} {n}" for s, n in by_step.iter_rows())
            below = kept.filter(pl.col("text").str.strip_chars().str.len_chars() < _min_chars(steps)).height
            floor = dropped.filter(pl.col("step") == "length_floor").height
            recall = f"{gone.len()} / {near.len()} ({gone.len() / max(near.len(), 1):.1%})"
            print(f"| {recipe} | {'earlier' if earlier else 'shipped'} | {report['bytes_in'] / 1e6 / seconds:.2f} | "
                  f"{recall} | {shown} | {below} | {floor} |")


if __name__ == "__main__":
    main()
