"""Benchmark of the morpheme-pretokenized tokenizer on the NSMC reviews in ../shared/data.

1. Pretokenization speed on a sample: distinct-eojeol cache (vectorized word table, Kiwi once
   per distinct eojeol, spawn pool) against plain Kiwi over every text (Kiwi's own threads).
2. End-to-end training (read, count, pretokenize, train, save) on the training split.
3. Side-by-side evaluation on held-out reviews against plain BPE, sentencepiece BPE/unigram and
   kiwipiepy's SwTokenizer, all trained on the same texts at the same vocabulary size.

    python benchmarks/bench_tokenizer.py [--train-docs N] [--vocab-size 32000] [--sample-mb 5]

4. ``--compare-rare 1,2,5,2:suffixes``: ours trained at several ``analyse_min_count[:rare_rule]``
   values (1: Kiwi on every distinct eojeol; k: eojeols seen < k times cut by ``rare.cut_rare``
   with the rule, ``syllables`` by default), timed and evaluated side by side (issue 13).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from curate.tokenizer import candidates as cand  # noqa: E402
from curate.tokenizer.build import TrainOptions, train_from_counts, train_from_texts  # noqa: E402
from curate.tokenizer.evaluate import evaluate, to_markdown  # noqa: E402
from curate.tokenizer.morphemes import load_kiwi, text_pieces  # noqa: E402
from curate.tokenizer.pretokenize import pretokenize_counts  # noqa: E402
from curate.tokenizer.specials import load_special_tokens  # noqa: E402
from curate.tokenizer.words import word_counts  # noqa: E402


def peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own, 1), "largest_child": round(children, 1)}


def mb(texts: pl.Series) -> float:
    return float(texts.str.len_bytes().sum() or 0) / 1e6


def sample_of(texts: pl.Series, size_mb: float) -> pl.Series:
    cumulative = texts.str.len_bytes().cum_sum()
    return texts.filter(cumulative <= size_mb * 1e6)


def bench_pretokenize(sample: pl.Series, workers: int) -> dict:
    size = mb(sample)
    t0 = time.perf_counter()
    table = pretokenize_counts(word_counts(sample), n_workers=workers)
    cached = time.perf_counter() - t0
    kiwi = load_kiwi(workers)
    t0 = time.perf_counter()
    pieces = text_pieces(kiwi, sample.to_list())
    plain = time.perf_counter() - t0
    return {"sample_mb": round(size, 2), "texts": sample.len(), "distinct_words": table.height,
            "cache_seconds": round(cached, 2), "cache_mb_s": round(size / cached, 3),
            "plain_kiwi_seconds": round(plain, 2), "plain_kiwi_mb_s": round(size / plain, 3),
            "speedup": round(plain / cached, 2), "plain_pieces": sum(len(p) for p in pieces)}


def compare_rare(train: pl.Series, heldout: list[str], variants: list[str], args) -> list[dict]:
    """Ours at each ``analyse_min_count[:rule]``, same texts: training seconds and held-out scores."""
    counts = word_counts(train)
    candidates, rows = [], []
    for variant in variants:
        k, _, rule = variant.partition(":")
        t0 = time.perf_counter()
        options = TrainOptions(vocab_size=args.vocab_size, n_workers=args.workers, analyse_min_count=int(k),
                               rare_rule=rule or "syllables")  # type: ignore[arg-type]
        result = train_from_counts(counts, options)
        seconds = time.perf_counter() - t0
        name = f"ours-k{variant}"
        candidates.append(cand.HFCandidate(result.tokenizer, name))
        rows.append({"name": name, "seconds_total": round(seconds, 2), "seconds": result.seconds, **result.stats})
        print(json.dumps(rows[-1]), flush=True)
    table = evaluate(candidates, heldout)
    print(to_markdown(table), flush=True)
    return [{**r, **s} for r, s in zip(rows, table.to_dicts(), strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-docs", type=int, default=700_000, help="first N reviews train")
    parser.add_argument("--heldout-docs", type=int, default=2_000)
    parser.add_argument("--vocab-size", type=int, default=32_000)
    parser.add_argument("--sample-mb", type=float, default=5.0, help="sample for the pretokenization race")
    parser.add_argument("--sw-docs", type=int, default=None, help="SwTokenizer training texts")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: pretok,train,eval")
    parser.add_argument("--compare-rare", default="", help="analyse_min_count variants, e.g. 1,5,5:runs,5:whole")
    args = parser.parse_args()
    path = DATA / "nsmc_reviews.jsonl.gz"
    if not path.exists():
        sys.exit(f"missing {path}")
    skip = set(args.skip.split(","))
    results: dict = {"vocab_size": args.vocab_size, "workers": args.workers}

    t0 = time.perf_counter()
    texts = pl.read_ndjson(io.BytesIO(gzip.open(path).read()))["text"].drop_nulls()
    train, heldout = texts.head(args.train_docs), texts.slice(args.train_docs).head(args.heldout_docs)
    results["read_seconds"] = round(time.perf_counter() - t0, 2)
    results["train_mb"], results["train_docs"] = round(mb(train), 2), train.len()
    print(json.dumps({"read": results}), flush=True)

    if "pretok" not in skip:
        results["pretokenize"] = bench_pretokenize(sample_of(train, args.sample_mb), args.workers)
        print(json.dumps({"pretokenize": results["pretokenize"]}), flush=True)

    out_dir = Path(tempfile.mkdtemp(prefix="bench_tokenizer_"))
    if "train" not in skip:
        t0 = time.perf_counter()
        result = train_from_texts(train, TrainOptions(vocab_size=args.vocab_size, n_workers=args.workers),
                                  out_dir)
        total = time.perf_counter() - t0
        results["train"] = {"seconds_total": round(total, 2), "mb_s": round(mb(train) / total, 3),
                            "seconds": result.seconds, **result.stats,
                            "tokenizer_json_mb": round((out_dir / "tokenizer.json").stat().st_size / 1e6, 2),
                            "peak_rss_mb": peak_rss_mb()}
        print(json.dumps({"train": results["train"]}), flush=True)

    if "eval" not in skip and (out_dir / "tokenizer.json").exists():
        ours = cand.HFCandidate.from_file(out_dir / "tokenizer.json", "ours")
        candidates: list[cand.Candidate] = [ours, cand.AnalyzerCandidate(ours.tokenizer)]
        builders = cand.baseline_builders(train, args.vocab_size, load_special_tokens(), args.workers)
        if args.sw_docs:
            builders["kiwi-sw"] = lambda: cand.KiwiSwCandidate(train.head(args.sw_docs), args.vocab_size,
                                                               args.workers)
        seconds = {}
        for name, build in builders.items():
            t0 = time.perf_counter()
            candidates.append(build())
            seconds[name] = round(time.perf_counter() - t0, 2)
            print(json.dumps({"baseline_trained": name, "seconds": seconds[name]}), flush=True)
        table = evaluate(candidates, [t for t in heldout.to_list() if t])
        results["baseline_train_seconds"] = seconds
        results["eval"] = table.to_dicts()
        print(to_markdown(table), flush=True)
    if args.compare_rare:
        variants = args.compare_rare.split(",")
        results["compare_rare"] = compare_rare(train, [t for t in heldout.to_list() if t], variants, args)
    results["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
