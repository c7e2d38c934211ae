"""Toxicity scorer speed (MB/s per core; latency of one call, ``score([text])`` and the single-text
``score_one(text)``) against the scorer and model shipped before issue 18, and the share of
documents each preset drops on other kinds of Korean text.

    python benchmarks/bench_toxicity.py [--docs 200000] [--batch 10000]

Run it in a plain shell: it pins numpy/BLAS and Polars to one thread itself, whatever the
environment exports (an OPENBLAS_NUM_THREADS or POLARS_MAX_THREADS set by the machine made
earlier figures irreproducible), so MB/s is per core. Times are CPU time of this process.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS"):
    os.environ[_var] = "1"  # assigned, not setdefault: an exported value must not win

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import polars as pl  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from curate.rules import load_yaml  # noqa: E402
from curate.toxicity.corpora import load_beep, load_kmhas, parts  # noqa: E402
from curate.toxicity.scorer import ToxicityScorer  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[0].parent / "shared" / "data"
sys.path.insert(0, str(HERE / "toxicity_baseline"))
from scorer_v1 import ToxicityScorer as BaselineScorer  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def megabytes(texts: pl.Series) -> float:
    return float(texts.str.len_bytes().sum()) / 1e6


def timed_batches(score, texts: pl.Series, batch: int) -> float:
    score(texts.slice(0, batch))  # warm-up (page-faulting the weight table in), as in a long-running worker
    start = time.process_time()
    for offset in range(0, len(texts), batch):
        score(texts.slice(offset, batch))
    return time.process_time() - start


def latency_us(score_one, texts: list[str], calls: int = 2000) -> float:
    """Mean wall time of ``score_one(text)``, cycling through ``texts``."""
    score_one(texts[0])
    start = time.perf_counter()
    for call in range(calls):
        score_one(texts[call % len(texts)])
    return (time.perf_counter() - start) / calls * 1e6


def speed(reviews: pl.Series, news: pl.Series, batch: int) -> None:
    scorers = {"curate (issue 18)": ToxicityScorer.default().score,
               "baseline (before issue 18)": BaselineScorer.load(HERE / "toxicity_baseline").score}
    single = ["이 영화 진짜 최악이다 돈 아깝다 ㅋㅋㅋ"]
    distinct = reviews.head(2000).to_list()  # NSMC reviews: 43 characters (104 bytes) on average
    for name, score in scorers.items():
        one_row = lambda text, score=score: score([text])  # noqa: E731
        comments = timed_batches(score, reviews, batch)
        articles = timed_batches(score, news, 100)
        print(f"{name}: short comments {megabytes(reviews) / comments:.1f} MB/s "
              f"({len(reviews):,} NSMC reviews, {megabytes(reviews):.1f} MB, {comments:.2f} s CPU); "
              f"news {megabytes(news) / articles:.1f} MB/s ({len(news)} Wikinews articles); "
              f"one short text per call: score([text]) {latency_us(one_row, single):.0f} us, "
              f"{latency_us(one_row, distinct):.0f} us over 2,000 distinct reviews; "
              f"peak RSS {peak_rss_mb():.0f} MB")
    one = ToxicityScorer.default().score_one
    print(f"curate (issue 18) score_one(text), no Polars frame: {latency_us(one, single):.0f} us, "
          f"{latency_us(one, distinct):.0f} us over 2,000 distinct reviews")


def drop_shares(texts: dict[str, pl.Series]) -> None:
    """Share of texts each preset drops, for each labelling scheme."""
    presets = {name: limits for name, limits in load_yaml("toxicity/thresholds.yaml").items() if limits}
    for scheme in ("beep", "kmhas"):
        scorer = ToxicityScorer.default(scheme)
        scores = {name: scorer.score(series).with_columns((1 - pl.col("p_none")).alias("p_toxic"))
                  for name, series in texts.items()}
        for preset, limits in presets.items():
            shares = []
            for name, frame in scores.items():
                dropped = pl.any_horizontal([pl.col(key) > value for key, value in limits.items()])
                shares.append(f"{name} {frame.select(dropped.mean()).item():.2%}")
            print(f"{scheme} scheme, preset {preset} {limits}: " + "; ".join(shares))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"shared data not found at {DATA}")
    with threadpool_limits(1):
        reviews = pl.read_ndjson(DATA / "nsmc_reviews.jsonl.gz")["text"].drop_nulls()
        news = pl.read_csv(DATA / "wikinews_ko.csv")["내용"].drop_nulls()
        books = pl.read_csv(DATA / "nanet_book_reviews.csv")["내용"].drop_nulls()
        print(f"== speed (load average {Path('/proc/loadavg').read_text().split()[:3]}) ==")
        speed(reviews.head(args.docs), news, args.batch)
        _, beep = parts(load_beep(DATA / "beep_train.tsv"))
        _, kmhas = parts(load_kmhas(DATA / "kmhas_valid.tsv"))
        print("== share dropped (documents; toxic comments: recall) ==")
        drop_shares({"Wikinews articles": news, "NANET reviews": books,
                     "BEEP! held-out hate": beep.filter(pl.col("hate") == "hate")["text"],
                     "BEEP! held-out toxic": beep.filter(pl.col("hate") != "none")["text"],
                     "K-MHaS held-out toxic": kmhas.filter(pl.col("hate") != "none")["text"],
                     "NSMC reviews (first 50k)": reviews.head(50_000)})


if __name__ == "__main__":
    main()
