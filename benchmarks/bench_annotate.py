"""Annotate-then-filter benchmark (issue 17): what keeping every decision as columns costs, and
how cheap deciding again is.

Three runs of the local executor over the same input (every field of the generated corpus kept):
  one-shot   the document-level recipe below, dropping as it goes
  annotate   the same steps with drop: false (and annotate: true where a step has it)
  filter     a second recipe reading annotate's output, one `filter` step
Prints MB/s (input text bytes / wall time, start-up included), peak RSS of the driver and of
the largest worker, the output sizes, and whether filter keeps exactly one-shot's records.

    python benchmarks/generate_corpus.py --size-mb 200 --out benchmarks/data/corpus_200m.jsonl
    python benchmarks/bench_annotate.py --input benchmarks/data/corpus_200m.jsonl --limit-mb 20
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import polars as pl
import yaml

from curate.config import load_recipe
from curate.executors import get_executor

REPO = Path(__file__).resolve().parents[1]

# Document-level decisions only: a step that removes lines (cjk_filter, sentence dedup) has no
# one-row verdict to annotate, so the two ways cannot be compared on it.
ONE_SHOT = [
    {"step": "normalize"}, {"step": "strip_markup"}, {"step": "pii"},
    {"step": "language_filter", "min_hangul_ratio": 0.3},
    {"step": "quality_filter"},
    {"step": "dedup_exact", "documents": True},
    {"step": "dedup_fuzzy", "threshold": 0.6},
    {"step": "toxicity", "thresholds": "benchmark"},
]
ANNOTATES = {"language_filter", "quality_filter", "dedup_fuzzy"}
DECIDERS = ["language_filter", "quality_filter", "dedup_exact", "dedup_fuzzy", "toxicity"]


def annotated() -> list[dict]:
    return [{**s, "drop": False, **({"annotate": True} if s["step"] in ANNOTATES else {})}
            if s["step"] in DECIDERS else s for s in ONE_SHOT]


def run(folder: Path, inputs: list[str], steps: list[dict], name: str) -> tuple[dict, float]:
    recipe = {"input": inputs, "output": str(folder / name), "steps": steps, "batch_size": 5000,
              "executor": "local", "workers": 2, "key": {"env": "BENCH_ANNOTATE_KEY"}}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
    start = time.perf_counter()
    report = get_executor("local", 2).run(load_recipe(path), log=lambda _: None)
    return report, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(REPO / "benchmarks" / "data" / "corpus_200m.jsonl"))
    parser.add_argument("--limit-mb", type=float, default=20)
    args = parser.parse_args()
    import os

    os.environ.setdefault("BENCH_ANNOTATE_KEY", "bench-annotate-key-0123456789")  # the same fakes in both runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample = folder / "input.jsonl"
        limit = int(args.limit_mb * 1e6)
        with open(args.input, "rb") as src, open(sample, "wb") as dst:
            written = 0
            for line in src:
                if written >= limit:
                    break
                dst.write(line)
                written += len(line)
        text_mb = pl.scan_ndjson(sample).select(pl.col("text").str.len_bytes().sum()).collect().item() / 1e6
        one, t_one = run(folder, [str(sample)], ONE_SHOT, "one")
        ann, t_ann = run(folder, [str(sample)], annotated(), "annotate")
        where = " and ".join(f"{s}_reason is null" for s in DECIDERS)
        flt, t_flt = run(folder, [str(folder / "annotate" / "data" / "*.parquet")],
                         [{"step": "filter", "where": where}], "filter")
        kept_one = pl.read_parquet(folder / "one" / "data" / "*.parquet").select("id", "text")
        kept_two = pl.read_parquet(folder / "filter" / "data" / "*.parquet").select("id", "text")
        sizes = {n: sum(p.stat().st_size for p in (folder / n / "data").glob("*")) / 1e6
                 for n in ("one", "annotate", "filter")}
        columns = pl.read_parquet_schema(next((folder / "annotate" / "data").glob("*.parquet")))
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"input: {text_mb:.1f} MB of text, {one['records_in']:,} records; load average "
          f"{os.getloadavg()[0]:.2f} at the end")
    for name, report, seconds in (("one-shot", one, t_one), ("annotate", ann, t_ann), ("filter", flt, t_flt)):
        print(f"{name:9s} {seconds:7.2f} s  {text_mb / seconds:6.2f} MB/s  kept {report['records_kept']:,}  "
              f"dropped {report['records_dropped']:,}")
    print(f"annotate / one-shot time: {t_ann / t_one:.2f}; filter / annotate time: {t_flt / t_ann:.3f}")
    print(f"output MB: one-shot {sizes['one']:.1f}, annotated {sizes['annotate']:.1f} "
          f"({len(columns)} columns), filtered {sizes['filter']:.1f}")
    one_ids, two_ids = set(kept_one["id"]), set(kept_two["id"])
    # Not always equal: one-shot's dedup sees only what the filters before it kept, so a near
    # copy of a document a filter dropped survives there and is flagged as a copy here.
    print(f"filter keeps one-shot's records exactly: {kept_one.equals(kept_two)} "
          f"(only one-shot: {len(one_ids - two_ids)}, only filter: {len(two_ids - one_ids)})")
    print(f"peak RSS: driver {self_rss:.0f} MB, largest worker {child_rss:.0f} MB")


if __name__ == "__main__":
    main()
