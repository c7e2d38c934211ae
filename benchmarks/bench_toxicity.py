"""Toxicity scorer speed (MB/s per core) against the TF-IDF + LR baseline, and how the
scores behave on other kinds of Korean text (share flagged by the benchmark preset).

    python benchmarks/bench_toxicity.py [--docs 200000] [--batch 10000]

One process, one thread for numpy/BLAS (set before numpy loads), so MB/s is per core.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import polars as pl  # noqa: E402

from curate.steps import get_step_class  # noqa: E402
from curate.toxicity.evaluate import validation_part  # noqa: E402
from curate.toxicity.scorer import ToxicityScorer  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def megabytes(texts: pl.Series) -> float:
    return float(texts.str.len_bytes().sum()) / 1e6


def timed_batches(score, texts: pl.Series, batch: int) -> float:
    score(texts.slice(0, batch))  # warm-up (page-faulting the weight table in), as in a long-running worker
    start = time.process_time()  # CPU time of this process: fair on a shared machine
    for offset in range(0, len(texts), batch):
        score(texts.slice(offset, batch))
    return time.process_time() - start


def speed(texts: pl.Series, batch: int) -> None:
    scorer = ToxicityScorer.default()
    size = megabytes(texts)
    ours = timed_batches(scorer.score, texts, batch)
    print(f"curate scorer: {len(texts)} docs, {size:.1f} MB in {ours:.2f} s CPU -> "
          f"{size / ours:.1f} MB/s, {len(texts) / ours:,.0f} docs/s; peak RSS {peak_rss_mb():.0f} MB")

    train, _ = validation_part(DATA / "beep_train.tsv")
    # The baseline's inference: TF-IDF transform + three logistic regressions (fit outside the timing).
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True)
    features = vectorizer.fit_transform(train["text"].to_list())
    models = [LogisticRegression(C=10.0, max_iter=5000).fit(features, train[target].to_numpy())
              for target in ("hate", "gender_bias", "other_bias")]

    def baseline_score(chunk: pl.Series) -> None:
        matrix = vectorizer.transform(chunk.to_list())
        for model in models:
            model.predict_proba(matrix)

    theirs = timed_batches(baseline_score, texts, batch)
    print(f"baseline tf-idf char 1-4 + LR: {size / theirs:.1f} MB/s, {len(texts) / theirs:,.0f} docs/s; "
          f"curate/baseline speed ratio {theirs / ours:.1f}x; peak RSS {peak_rss_mb():.0f} MB")


def sentences(texts: pl.Series) -> pl.Series:
    """A rough sentence split (after . ! ? and at line breaks), enough to score sentences."""
    split = texts.str.replace_all(r"([.!?])\s+", "$1\n").str.split("\n").explode().str.strip_chars()
    return split.filter(split.str.len_chars() > 0)


def flag_rates(name: str, texts: pl.Series, examples: int = 3) -> None:
    """Share of texts the benchmark preset would drop, by reason, with a few flagged examples."""
    step = get_step_class("toxicity")(thresholds="benchmark")
    frame = pl.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    out = step.process(frame).df
    flagged = out.filter(pl.col("_drop").is_not_null()) if "_drop" in out.columns else out.head(0)
    share = len(flagged) / max(len(out), 1)
    by_reason = flagged.group_by("_drop").len().sort("_drop").rows() if len(flagged) else []
    print(f"{name}: {len(out)} texts, {share:.2%} flagged {by_reason}; mean p_toxic "
          f"{1 - out['p_none'].mean():.3f}, mean p_gender_bias {out['p_gender_bias'].mean():.3f}")
    for row in flagged.sort("p_hate", descending=True).head(examples).iter_rows(named=True):
        print(f"    [{row['_drop']} p_hate={row['p_hate']:.2f} p_gender_bias={row['p_gender_bias']:.2f}] "
              f"{row['text'][:80]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"shared data not found at {DATA}")
    reviews = pl.read_ndjson(DATA / "nsmc_reviews.jsonl.gz")["text"].drop_nulls()
    print("== speed on NSMC movie reviews ==")
    speed(reviews.head(args.docs), args.batch)
    news = pl.read_csv(DATA / "wikinews_ko.csv")["내용"].drop_nulls()
    books = pl.read_csv(DATA / "nanet_book_reviews.csv")["내용"].drop_nulls()
    print("== speed on Wikinews articles (long documents) ==")
    scorer = ToxicityScorer.default()
    seconds = timed_batches(scorer.score, news, 100)
    print(f"curate scorer: {len(news)} docs, {megabytes(news):.1f} MB -> {megabytes(news) / seconds:.1f} MB/s")
    preset = get_step_class("toxicity")(thresholds="benchmark").effective_thresholds()
    print(f"== share flagged by the benchmark preset {preset} ==")
    flag_rates("NSMC reviews (first 50k)", reviews.head(50_000))
    flag_rates("Wikinews, documents", news)
    flag_rates("Wikinews, sentences", sentences(news))
    flag_rates("NANET book reviews, documents", books)
    flag_rates("NANET book reviews, sentences", sentences(books))
    _, validation = validation_part(DATA / "beep_train.tsv")
    flag_rates("BEEP! validation comments", validation["text"])


if __name__ == "__main__":
    main()
