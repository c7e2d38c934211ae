"""Agreement and speed of curate's Polars sentence splitter against kiwipiepy's split_into_sents,
and its precision against hand judgments.

Boundaries are compared as positions in the stream of non-blank characters (the Polars
splitter only rewrites blanks), so both splitters are scored on the same coordinates.

Kiwi is not a clean gold (it cuts before the particle after a closing quote: ‘약점’|을), so
``sentence_gold/`` holds hand judgments (see its README): every boundary on which curate and
Kiwi disagree in the first 322 Wikinews articles, and 200 unpunctuated boundaries drawn at random.

    python benchmarks/eval_sentence_split.py [--reviews 3000] [--articles 322]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import resource
import time
from pathlib import Path

import polars as pl

from curate.text.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GOLD = Path(__file__).resolve().parent / "sentence_gold"
BLANK = re.compile(r"\s")


def load_samples(n_reviews: int, n_articles: int) -> dict[str, list[str]]:
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        reviews = []
        for i, line in enumerate(fh):
            if i % 200 == 0:  # spread the sample over the whole file
                reviews.append(json.loads(line)["text"])
            if len(reviews) >= n_reviews:
                break
    with open(DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        news = [row["내용"] for row in csv.DictReader(fh)][:n_articles]
    with open(DATA / "nanet_book_reviews.csv", encoding="utf-8") as fh:
        books = [row["내용"] for row in csv.DictReader(fh)][: n_articles // 2]
    return {"nsmc_reviews": reviews, "wikinews": news, "nanet_book_reviews": books}


def boundaries_from_pieces(pieces: list[str]) -> set[int]:
    """End positions (in non-blank characters) of every piece but the last."""
    ends, count = set(), 0
    for piece in pieces[:-1]:
        count += len(BLANK.sub("", piece))
        ends.add(count)
    return ends


def score(gold: list[set[int]], pred: list[set[int]]) -> dict[str, float]:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "kiwi_boundaries": n_gold}


def unpunctuated(pieces: list[str]) -> set[int]:
    """The boundaries (as in ``boundaries_from_pieces``) after a piece that ends in a Hangul
    syllable: those the sentence-final-ending rule made, without punctuation."""
    ends, count = set(), 0
    for piece in pieces[:-1]:
        count += len(BLANK.sub("", piece))
        stripped = piece.rstrip()
        if stripped and "가" <= stripped[-1] <= "힣":
            ends.add(count)
    return ends


def read_judgments(name: str) -> list[dict[str, str]]:
    with open(GOLD / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def adjudicated(gold: list[set[int]], pred: list[set[int]]) -> str:
    """Precision and recall on Wikinews against Kiwi corrected by the hand judgments of every
    disagreement; disagreements nobody judged yet are counted, not guessed."""
    judged = read_judgments("wikinews_disagreements.tsv")
    verdict = {(int(r["article"]), int(r["offset"])): r["verdict"] for r in judged}
    right = [{b for b in g | p if verdict.get((i, b), "boundary" if b in g else "no_boundary") == "boundary"}
             for i, (g, p) in enumerate(zip(gold, pred, strict=True))]
    unjudged = sum(1 for i, (g, p) in enumerate(zip(gold, pred, strict=True)) for b in g ^ p if (i, b) not in verdict)
    s = score(right, pred)
    return (f"wikinews, Kiwi with every disagreement judged by hand: P {s['precision']:.4f}, "
            f"R {s['recall']:.4f} ({sum(map(len, pred))} boundaries; {unjudged} disagreements not judged yet)")


def judged_unpunctuated(pred: dict[str, list[set[int]]]) -> str:
    """Of the 200 hand-judged unpunctuated boundaries (drawn from an earlier splitter's output):
    how many the splitter still makes, and how many of those are right."""
    rows = read_judgments("unpunctuated_sample.tsv")
    made = [r for r in rows if int(r["offset"]) in pred[r["corpus"]][int(r["doc"])]]
    right = sum(r["verdict"] == "boundary" for r in made)
    dropped_wrong = sum(r["verdict"] == "no_boundary" for r in rows if r not in made)
    dropped_right = sum(r["verdict"] == "boundary" for r in rows if r not in made)
    return (f"unpunctuated, 200 judged by hand: {len(made)} still made, {right} right "
            f"(P {right / len(made):.3f}); no longer made: {dropped_wrong} wrong, {dropped_right} right")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=3000)
    parser.add_argument("--articles", type=int, default=322, help="the first N Wikinews articles (<= 322: "
                        "the rest went into rules/clean/not_sentence_final.txt)")
    args = parser.parse_args()
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=1)
    kiwi.split_into_sents("워밍업 문장입니다.")
    split_sentences(pl.Series(["워밍업 문장입니다. 정규식을 컴파일한다."]))  # compile the regexes
    print("| corpus | splitter | docs | MB | F1 vs kiwi | P | R | unpunctuated: ours, P vs kiwi | "
          "polars MB per CPU-s |")
    print("|---|---|---|---|---|---|---|---|---|")
    judged = args.reviews == 3000 and args.articles == 322  # the samples the judgments refer to
    ours_by_corpus, notes = {}, []
    for name, texts in load_samples(args.reviews, args.articles).items():
        mb = sum(len(t.encode()) for t in texts) / 1e6
        # CPU seconds (all threads of this process): wall time is meaningless on a shared machine
        t0 = time.process_time()
        kiwi_out = [[s.text for s in sents] for sents in kiwi.split_into_sents(texts)]
        kiwi_s = time.process_time() - t0
        gold = [boundaries_from_pieces(p) for p in kiwi_out]
        series = pl.Series("text", texts)
        for label, splitter in (("curate", split_sentences),):
            t0 = time.process_time()
            ours = splitter(series).to_list()
            ours_s = time.process_time() - t0
            pieces = [t.split("\n") for t in ours]
            ours_by_corpus[name] = [boundaries_from_pieces(p) for p in pieces]
            s = score(gold, ours_by_corpus[name])
            if judged and name == "wikinews":
                notes.append(adjudicated(gold, ours_by_corpus[name]))
            bare = [unpunctuated(p) for p in pieces]
            n_bare = sum(map(len, bare))
            bare_p = sum(len(g & b) for g, b in zip(gold, bare, strict=True)) / n_bare if n_bare else 1.0
            print(f"| {name} | {label} | {len(texts)} | {mb:.2f} | {s['f1']:.4f} | {s['precision']:.4f} | "
                  f"{s['recall']:.4f} | {n_bare}, {bare_p:.3f} | {mb / ours_s:.1f} |")
        print(f"| {name} | kiwi split_into_sents | {len(texts)} | {mb:.2f} | | | | | {mb / kiwi_s:.3f} |")
    if judged:
        notes.append(judged_unpunctuated(ours_by_corpus))
    print("\n".join(notes))
    # Speed on more text than the samples above (CPU seconds, best of 3): 200,000 NSMC reviews and
    # every Wikinews article five times over.
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        reviews = [json.loads(line)["text"] for line, _ in zip(fh, range(200_000), strict=False)]
    with open(DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        news = [row["내용"] for row in csv.DictReader(fh)] * 5
    for name, texts in (("200,000 NSMC reviews", reviews), ("Wikinews x5", news)):
        series = pl.Series("text", texts)
        mb = series.str.len_bytes().sum() / 1e6
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            split_sentences(series)
            best = min(best, time.process_time() - t0)
        print(f"speed, {name}: {mb:.1f} MB, {mb / best:.1f} MB per CPU-s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB (kiwi model included)")


if __name__ == "__main__":
    main()
