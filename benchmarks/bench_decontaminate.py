"""Quality and speed of decontaminate with ~100k benchmark items indexed, against today's step.

    python benchmarks/bench_decontaminate.py --items 100000 --corpus-mb 100
    python benchmarks/bench_decontaminate.py --items 2000 --corpus-mb 2      # a smoke run

Items: sentences of NSMC reviews (../shared/data/nsmc_reviews.jsonl.gz) as the question, a short
review as the gold answer, written as one Parquet benchmark. Corpus: Wikinews articles
(../shared/data/wikinews_ko.csv, one sentence a line), repeated to ``--corpus-mb`` with each
copy's article order shuffled. Reviews and news share no text, so every match on the corpus
without plants is a false positive.

Plants, ``--plants`` of each kind, one a line inserted into a random article:
- verbatim: the question as written;
- with_answer: the question, "정답:", the gold answer;
- light_edit: particles swapped (은/는, 이/가, 을/를, 에/에서), punctuation and spacing changed;
- paraphrase: two words of the question replaced by other words (the similarity stage's case).

Printed: recall per kind (a plant is found when its line is removed / reported for its item),
false positives on the unplanted corpus, MB/s of the new step (one process; the index mapped
from disk as a worker maps it) and of today's matching (the step before adapters: lines joined
on their n-gram hashes) on the same text in the same run, index build seconds and size, peak RSS.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"

from curate.dedup.ngram_index import build_gram_index, shared_grams  # noqa: E402
from curate.dedup.normalize import normalize_series  # noqa: E402
from curate.steps import get_step_class  # noqa: E402
from curate.steps.base import RunContext  # noqa: E402
from curate.text.lines import LINE, explode_lines  # noqa: E402

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
PARTICLES = [("은 ", "는 "), ("는 ", "은 "), ("이 ", "가 "), ("가 ", "이 "), ("을 ", "를 "), ("를 ", "을 "),
             ("에 ", "에서 ")]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def items(n: int) -> pl.DataFrame:
    questions, answers, seen = [], [], set()
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"].strip()
            if text in seen:
                continue
            seen.add(text)
            if len(text) >= 30 and len(questions) < n:
                questions.append(text)
            elif 4 <= len(text) <= 12 and len(answers) < n:
                answers.append(text)
            if len(questions) >= n and len(answers) >= n:
                break
    # NSMC has ~79k distinct short reviews: answers repeat (as gold answers do: 1, 2, 예, 아니오)
    n = len(questions)
    answers = [answers[i % len(answers)] for i in range(n)]
    return pl.DataFrame({"id": [f"q{i}" for i in range(n)], "question": questions, "answer": answers})


def light_edit(text: str, rng: random.Random) -> str:
    for old, new in rng.sample(PARTICLES, len(PARTICLES)):
        if old in text:
            text = text.replace(old, new, 1)
            break
    text = text.replace(" ", "", 2).replace(".", "!", 1)
    return text + rng.choice(["..", " ㅋㅋ", "!", ""])


def paraphrase(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    words = text.split()
    for k in rng.sample(range(len(words)), min(2, len(words))):
        words[k] = rng.choice(vocabulary)
    return " ".join(words)


def corpus(size_mb: float, rng: random.Random) -> list[list[str]]:
    articles = [a for a in pl.read_csv(DATA / "wikinews_ko.csv")["내용"].drop_nulls().to_list() if a.strip()]
    docs, size = [], 0
    while size < size_mb * 1e6:
        for a in rng.sample(articles, len(articles)):
            lines = [s for s in SENTENCE_END.split(a) if s.strip()]
            docs.append(lines)
            size += len(a.encode("utf-8"))
            if size >= size_mb * 1e6:
                break
    return docs


CPU = {}  # the last measure's CPU seconds (all threads of this process): "per core" figures


def measure(step, frame: pl.DataFrame, batch: int) -> tuple[float, list]:
    """Seconds to process ``frame`` in batches of ``batch`` documents, and the outputs."""
    outs, start, cpu = [], time.perf_counter(), time.process_time()
    for lo in range(0, frame.height, batch):
        outs.append(step.process(frame.slice(lo, batch)))
    CPU["last"] = time.process_time() - cpu
    return time.perf_counter() - start, outs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--corpus-mb", type=float, default=100.0)
    parser.add_argument("--plants", type=int, default=200, help="plants of each kind")
    parser.add_argument("--batch", type=int, default=2000, help="documents per batch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-old", action="store_true", help="do not time today's step")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-decontam-"))
    try:
        bench = items(args.items)
        bench.write_parquet(work / "test.parquet")
        print(f"items: {bench.height:,} (NSMC reviews), corpus: {args.corpus_mb} MB of Wikinews, "
              f"{args.plants} plants of each kind")
        docs = corpus(args.corpus_mb, rng)
        clean = pl.DataFrame({"id": [f"d{i}" for i in range(len(docs))], "text": ["\n".join(d) for d in docs]})
        vocabulary = [w for d in docs[:200] for line in d for w in line.split() if len(w) >= 2]
        planted_docs = [list(d) for d in docs]
        truth = []  # (doc, kind, item id, planted line)
        for kind in ("verbatim", "with_answer", "light_edit", "paraphrase"):
            for row in bench.sample(args.plants, seed=rng.randrange(1 << 30)).iter_rows(named=True):
                q = row["question"]
                line = {"verbatim": q, "with_answer": f"{q} 정답: {row['answer']}",
                        "light_edit": light_edit(q, rng), "paraphrase": paraphrase(q, rng, vocabulary)}[kind]
                d = rng.randrange(len(planted_docs))
                planted_docs[d].insert(rng.randrange(len(planted_docs[d]) + 1), line)
                truth.append((f"d{d}", kind, row["id"], line))
        planted = clean.with_columns(text=pl.Series(["\n".join(d) for d in planted_docs]))
        mb = clean["text"].str.len_bytes().sum() / 1e6
        benchmark = [{"name": "nsmc_items", "path": str(work / "test.parquet"), "texts": ["question"],
                      "question": "question", "answer": {"field": "answer"}, "id": "id"}]
        new = get_step_class("decontaminate")(benchmarks=benchmark, report_only=True)
        start = time.perf_counter()
        info = new.write_shared(work / "index")
        build = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (work / "index").iterdir()) / 1e6
        new.attach_shared(work / "index")
        print(f"index: built in {build:.1f} s, {size:,.1f} MB on disk (mapped by workers), "
              f"{info['counts']['nsmc_items']['test']}")
        seconds, outs = measure(new, clean, args.batch)
        false_pos = sum(o.table.height for o in outs if o.table is not None)
        new_cpu = CPU["last"]
        print(f"new step, overlap: {mb / seconds:,.1f} MB/s on {mb:,.1f} MB (one process), "
              f"{mb / new_cpu:,.1f} MB per CPU-second, false positives on the unplanted corpus: {false_pos}")
        _, outs = measure(new, planted, args.batch)
        found = pl.concat([o.table for o in outs if o.table is not None])
        similar = get_step_class("decontaminate")(benchmarks=benchmark, report_only=True,
                                                  similarity={"threshold": 0.6})
        similar.setup(RunContext())
        sim_mb = min(mb, 5.0)
        sim_frame = planted.filter(pl.col("text").str.len_bytes().cum_sum() <= sim_mb * 1e6)
        sim_seconds, _ = measure(similar, sim_frame, args.batch)
        _, sim_outs = measure(similar, planted, args.batch)
        found_sim = pl.concat([o.table for o in sim_outs if o.table is not None])
        _, clean_sim = measure(similar, clean, args.batch)
        sim_fp = sum(o.table.height for o in clean_sim if o.table is not None)
        for kind in ("verbatim", "with_answer", "light_edit", "paraphrase"):
            plants = [(d, i) for d, k, i, _ in truth if k == kind]
            hit = set(zip(found["doc_id"], found["item_id"], strict=True))
            hit_sim = set(zip(found_sim["doc_id"], found_sim["item_id"], strict=True))
            recall = sum((d, i) in hit for d, i in plants) / len(plants)
            recall_sim = sum((d, i) in hit_sim for d, i in plants) / len(plants)
            extra = ""
            if kind == "with_answer":
                answered = set(zip(*found.filter(pl.col("match") == "with_answer").select("doc_id", "item_id"),
                                   strict=True))
                extra = f", reported as with_answer: {sum((d, i) in answered for d, i in plants) / len(plants):.3f}"
            print(f"recall {kind:12s} overlap: {recall:.3f}  with similarity: {recall_sim:.3f}{extra}")
        print(f"similarity stage: {sim_mb / sim_seconds:,.1f} MB/s on {sim_mb:,.1f} MB, "
              f"false positives on the unplanted corpus: {sim_fp}")
        if not args.skip_old:
            seconds_old, flagged = _todays_step(bench["question"], clean, args.batch)
            print(f"today's step (its matching: char n-gram join, curate.dedup.ngram_index): "
                  f"{mb / seconds_old:,.1f} MB/s on the same text, {mb / CPU['last']:,.1f} MB per CPU-second, "
                  f"lines flagged: {flagged}; new/today per CPU-second: {CPU['last'] / new_cpu:.2f}x")
        print(f"peak RSS of this process: {rss_mb():,.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _todays_step(questions: pl.Series, frame: pl.DataFrame, batch: int) -> tuple[float, int]:
    """What the step did before adapters, per batch: lines, normalized, joined on their 10-gram
    hashes with the items' (``GramIndex``), the same overlap rule. Seconds and lines flagged."""
    index = build_gram_index(normalize_series(questions), 10)
    flagged, start, cpu = 0, time.perf_counter(), time.process_time()
    for lo in range(0, frame.height, batch):
        lines = explode_lines(frame.slice(lo, batch))
        pairs = shared_grams(normalize_series(lines[LINE]), index)
        copied = (pl.col("shared") >= 0.5 * pl.col("item_grams")) | (
            (pl.col("text_grams") >= 3) & (pl.col("shared") >= 0.5 * pl.col("text_grams")))
        flagged += pairs.filter(copied)["_text"].n_unique()
    CPU["last"] = time.process_time() - cpu
    return time.perf_counter() - start, flagged


if __name__ == "__main__":
    main()
