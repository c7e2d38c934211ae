"""Speed and memory of dedup_fuzzy (summarize + reduce + apply), and datasketch on the same data.

    python benchmarks/generate_corpus.py --size-mb 1024 --out benchmarks/data/corpus_1024m.jsonl
    python benchmarks/bench_dedup.py --input benchmarks/data/corpus_1024m.jsonl --workers 1 2 \\
        --peer-mb 50

The input (JSONL with ``id``, ``text``; ``dup_of`` is used when present) is cut into
parquet batches of ``--batch-docs`` documents once, untimed, as the runner's shards
would be. A timed run then does what an executor does with a global step: every batch
is read and summarized in a spawn process pool (``--workers`` processes, started and
warmed before the clock starts), the summaries are concatenated and reduced in the
driver, and every batch is read again and passed to ``apply``. MB/s counts UTF-8 bytes
of ``text``. Peak RSS is reported per worker process (max over workers) and for the
driver (which holds all summaries during reduce).

The peer, datasketch's MinHashLSH (the usual single-process loop: query, and insert the
document unless it has a candidate), runs on the first ``--peer-mb`` MB with the same
normalization, shingles (character 5-grams), permutations (100) and bands (25 x 4), and
``dedup_fuzzy`` with one worker runs on the same subset in the same process for the ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curate.steps import get_step_class  # noqa: E402

MB = 1 << 20


def rss_mb() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: a spawned worker inherits the
    parent's ru_maxrss across exec, which would report the driver's peak as the worker's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_shards(source: Path, limit_mb: float | None, batch_docs: int, out_dir: Path) -> list[Path]:
    done = out_dir / "DONE"
    if done.exists():
        return sorted(out_dir.glob("shard-*.parquet"))
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = ["id", "text"]
    df = pl.read_ndjson(source)
    df = df.select([c for c in [*columns, "dup_of"] if c in df.columns])
    if limit_mb is not None:
        size = df["text"].str.len_bytes().cum_sum()
        df = df.filter(size <= limit_mb * MB)
    paths = []
    for shard, lo in enumerate(range(0, df.height, batch_docs)):
        part = df[lo:lo + batch_docs].with_columns(_shard=pl.lit(shard, pl.Int64),
                                                   _row=pl.int_range(pl.len(), dtype=pl.Int64))
        path = out_dir / f"shard-{shard:05d}.parquet"
        part.write_parquet(path)
        paths.append(path)
    done.write_text("ok")
    return paths


def _step(params: dict):
    return get_step_class("dedup_fuzzy")(**params)


def summarize_task(args: tuple[dict, Path]) -> tuple[tuple[pl.DataFrame, pl.DataFrame], int, float]:
    params, path = args
    df = pl.read_parquet(path, columns=["id", "text", "_shard", "_row"])
    return _step(params).summarize(df), int(df["text"].str.len_bytes().sum()), rss_mb()


def _finish_in_process(step, summaries: list[tuple[pl.DataFrame, pl.DataFrame]]):
    """The shuffle's reduce and finish in this process, one partition (the pipeline runs them as
    tasks on the workers; ``curate run`` measures that, see bench_memory.py)."""
    rows = pl.concat([s[0] for s in summaries])
    keeps = [s[1] for s in summaries]
    return step.finish(step.reduce(rows), lambda wanted: pl.concat([keeps[i] for i in wanted]))


def apply_task(args: tuple[dict, Path, object]) -> tuple[pl.DataFrame, float]:
    params, path, state = args
    df = pl.read_parquet(path)
    out = _step(params).apply(df.drop([c for c in ["dup_of"] if c in df.columns]), state).df
    removed = out.filter(pl.col("_drop").is_not_null()).select("id")
    return removed, rss_mb()


def _noop(_: int) -> float:
    return rss_mb()


def run_ours(paths: list[Path], workers: int, params: dict) -> dict:
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers) as pool:
        pool.map(_noop, range(workers))  # start and import before timing
        idle = max(pool.map(_noop, range(workers)))
        t0 = time.perf_counter()
        results = pool.map(summarize_task, [(params, p) for p in paths], chunksize=1)
        t1 = time.perf_counter()
        state = _finish_in_process(_step(params), [r[0] for r in results])
        t2 = time.perf_counter()
        driver_rss = rss_mb()  # peak so far: summaries held, concatenated and reduced
        shards = _step(params).partition_state(state, list(range(len(paths))))
        applied = pool.map(apply_task, [(params, p, shards[i]) for i, p in enumerate(paths)], chunksize=1)
        t3 = time.perf_counter()
    nbytes = sum(r[1] for r in results)
    removed = pl.concat([a[0] for a in applied])["id"]
    pairs = (state.clusters.select("cluster_id", "removed_ids").explode("removed_ids")
             .rename({"cluster_id": "matched", "removed_ids": "id"}))
    worker_rss = max([r[2] for r in results] + [a[1] for a in applied])
    return {"mb": nbytes / MB, "seconds": t3 - t0, "summarize_s": t1 - t0, "reduce_s": t2 - t1,
            "apply_s": t3 - t2, "mb_s": nbytes / MB / (t3 - t0), "removed": removed, "pairs": pairs,
            "clusters": state.clusters.height, "candidates": state.candidate_pairs,
            "worker_rss_mb": worker_rss, "worker_idle_rss_mb": idle,
            "driver_rss_mb": driver_rss}


def run_datasketch(paths: list[Path], params: dict) -> dict:
    from datasketch import MinHash, MinHashLSH

    from curate.dedup.normalize import normalize_series

    n, bands, rows = params["ngram"], params["bands"], params["rows"]
    num_perm = bands * rows
    t0 = time.perf_counter()
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
    removed, matched, nbytes = [], [], 0
    for path in paths:
        df = pl.read_parquet(path, columns=["id", "text"])
        nbytes += int(df["text"].str.len_bytes().sum())
        for doc_id, text in zip(df["id"], normalize_series(df["text"]), strict=True):
            if not text:
                continue
            grams = {text[i:i + n] for i in range(max(len(text) - n + 1, 1))}
            m = MinHash(num_perm=num_perm, seed=1)
            m.update_batch([g.encode("utf-8") for g in grams])
            if candidates := lsh.query(m):
                removed.append(doc_id)
                matched.append(min(candidates))
            else:
                lsh.insert(doc_id, m)
    seconds = time.perf_counter() - t0
    return {"mb": nbytes / MB, "seconds": seconds, "mb_s": nbytes / MB / seconds,
            "removed": pl.Series(removed, dtype=pl.Utf8),
            "pairs": pl.DataFrame({"matched": matched, "id": removed}, schema={"matched": pl.Utf8, "id": pl.Utf8})}


def planted_recall(paths: list[Path], removed: pl.Series, threshold: float) -> str:
    """Recall of the generator's planted duplicates (``dup_of``), overall and among those
    whose exact character 5-gram Jaccard with their original reaches ``threshold`` (the
    generator also appends tails to two-word comments, which leaves them far from near)."""
    if "dup_of" not in pl.read_parquet_schema(paths[0]):
        return "n/a"
    docs = pl.concat([pl.read_parquet(p, columns=["id", "text", "dup_of"]) for p in paths])
    planted = docs.filter(pl.col("dup_of").is_not_null() & (pl.col("dup_of") != ""))
    found = planted["id"].is_in(removed.implode()).to_numpy()
    near = exact_jaccard(docs, planted.select("id", matched="dup_of")) >= threshold
    return (f"{int(found.sum())}/{planted.height} = {found.mean():.3f}; at exact Jaccard >= {threshold}: "
            f"{int(found[near].sum())}/{int(near.sum())} = {found[near].mean():.3f}")


def removal_precision(paths: list[Path], pairs: pl.DataFrame, threshold: float) -> str:
    """Share of removed documents whose exact Jaccard with the document that caused the
    removal (ours: the one its cluster keeps; datasketch: its first LSH candidate) reaches
    ``threshold``: a precision that needs no labels."""
    docs = pl.concat([pl.read_parquet(p, columns=["id", "text"]) for p in paths])
    ok = exact_jaccard(docs, pairs) >= threshold
    return f"{int(ok.sum())}/{len(ok)} = {ok.mean():.3f}"


def exact_jaccard(docs: pl.DataFrame, pairs: pl.DataFrame, n: int = 5) -> np.ndarray:
    """Exact character n-gram Jaccard (Python sets, normalized text) of each (id, matched) pair."""
    from curate.dedup.normalize import normalize_series

    text = dict(zip(docs["id"], normalize_series(docs["text"]), strict=True))

    def grams(t: str) -> set[str]:
        return {t[i:i + n] for i in range(len(t) - n + 1)} or {t}

    out = np.zeros(pairs.height)
    for k, (a, b) in enumerate(zip(pairs["id"], pairs["matched"], strict=True)):
        ga, gb = grams(text.get(a, "")), grams(text.get(b, ""))
        out[k] = len(ga & gb) / len(ga | gb)
    return out


def run_decontaminate(paths: list[Path], unit: str, similarity: bool) -> str:
    """decontaminate (one process) against the sample recipe's stand-in eval sets."""
    from curate.steps.base import RunContext

    evals = REPO / "pipelines" / "evals"
    sets = [{"name": "klue_tc", "path": str(evals / "klue_tc_test.jsonl"), "field": "title"},
            {"name": "kobest_boolq", "path": str(evals / "kobest_boolq_test.jsonl"), "field": "paragraph"}]
    step = get_step_class("decontaminate")(eval_sets=sets, unit=unit,
                                           similarity={} if similarity else None)
    step.setup(RunContext())
    nbytes, removed = 0, 0
    t0 = time.perf_counter()
    for path in paths:
        df = pl.read_parquet(path, columns=["id", "text"])
        nbytes += int(df["text"].str.len_bytes().sum())
        removed += sum(step.process(df).counters.values())
    seconds = time.perf_counter() - t0
    return (f"decontaminate unit={unit} similarity={similarity}: {nbytes / MB:.1f} MB in {seconds:.1f} s "
            f"= {nbytes / MB / seconds:.2f} MB/s, {removed} units removed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--limit-mb", type=float, default=None, help="use only the first N MB of text")
    ap.add_argument("--batch-docs", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--peer-mb", type=float, default=50, help="0 skips datasketch")
    ap.add_argument("--work", type=Path, default=REPO / "benchmarks" / "data")
    args = ap.parse_args()
    params = {"ngram": 5, "bands": 25, "rows": 4, "threshold": 0.6, "verify": True}
    tag = f"{args.input.stem}_{args.limit_mb or 'all'}_{args.batch_docs}"
    with mp.get_context("spawn").Pool(1) as pool:  # keeps the whole-file read out of the driver's peak RSS
        paths = pool.apply(make_shards, (args.input, args.limit_mb, args.batch_docs,
                                         args.work / f"dedup_shards_{tag}"))
        sub_dir = args.work / f"dedup_shards_{args.input.stem}_{args.peer_mb}_{args.batch_docs}"
        sub = pool.apply(make_shards, (args.input, args.peer_mb, args.batch_docs, sub_dir))
    print(f"input {args.input} -> {len(paths)} batches of {args.batch_docs} documents; params {params}")
    for workers in args.workers:
        r = run_ours(paths, workers, params)
        print(f"dedup_fuzzy workers={workers}: {r['mb']:.1f} MB in {r['seconds']:.1f} s "
              f"= {r['mb_s']:.2f} MB/s (summarize {r['summarize_s']:.1f} s, reduce {r['reduce_s']:.1f} s, "
              f"apply {r['apply_s']:.1f} s); "
              f"removed {r['removed'].len()} in {r['clusters']} clusters, {r['candidates']} candidate pairs; "
              f"planted-duplicate recall {planted_recall(paths, r['removed'], params['threshold'])}; "
              f"peak RSS per worker "
              f"{r['worker_rss_mb']:.0f} MB (idle {r['worker_idle_rss_mb']:.0f}), driver after reduce "
              f"{r['driver_rss_mb']:.0f} MB")
    if args.peer_mb > 0:
        ours = run_ours(sub, 1, params)
        peer = run_datasketch(sub, params)
        a, b = set(ours["removed"].to_list()), set(peer["removed"].to_list())
        print(f"same {ours['mb']:.1f} MB subset: dedup_fuzzy 1 worker {ours['mb_s']:.2f} MB/s, "
              f"datasketch MinHashLSH {peer['mb_s']:.3f} MB/s ({peer['seconds']:.1f} s), "
              f"ratio {ours['mb_s'] / peer['mb_s']:.1f}x; removed {len(a)} vs {len(b)}, both {len(a & b)}; "
              f"planted recall ours {planted_recall(sub, ours['removed'], params['threshold'])}, "
              f"datasketch {planted_recall(sub, peer['removed'], params['threshold'])}; removals with exact "
              f"Jaccard >= {params['threshold']} to their match: ours "
              f"{removal_precision(sub, ours['pairs'], params['threshold'])}, datasketch "
              f"{removal_precision(sub, peer['pairs'], params['threshold'])}")
        for unit, similarity in [("document", False), ("line", False), ("line", True)]:
            print(run_decontaminate(sub, unit, similarity))
    print(f"driver peak RSS {rss_mb():.0f} MB (includes the scoring, which reads all texts)")


if __name__ == "__main__":
    main()
