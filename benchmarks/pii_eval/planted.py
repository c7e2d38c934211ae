"""Recall and stray detections with synthetic values planted into real Korean text.

Takes real NSMC reviews and Wikinews sentences in which the detector finds nothing, inserts one
generated value per text (values.py generators, with their labels, a particle attached half of
the time) at a random space, and reports per type: recall (value fully covered by a span of its
type) and stray spans (detections anywhere else in the text).

    python benchmarks/pii_eval/planted.py [--per-type N] [--seed S]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from pathlib import Path

import polars as pl
from faker import Faker

from curate.pii.detect import Detector

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data"
sys.path.insert(0, str(HERE))

from carriers import PARTICLES  # noqa: E402
from values import GENERATORS, LABELS, needs_label  # noqa: E402


def host_texts(limit: int) -> list[str]:
    texts = []
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line).get("text")
            if isinstance(text, str) and text.count(" ") >= 3:
                texts.append(text)
            if len(texts) >= limit:
                break
    for article in pl.read_csv(DATA / "wikinews_ko.csv")["내용"].drop_nulls().to_list():
        texts += [s.strip() for s in article.split(". ") if s.count(" ") >= 3]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--show-misses", action="store_true", help="print missed (synthetic) values in context")
    args = parser.parse_args()
    detector = Detector()
    hosts = host_texts(60_000)
    busy = set(detector.detect_batch(pl.Series(hosts))["row"].to_list())
    hosts = [h for i, h in enumerate(hosts) if i not in busy]
    rng = random.Random(args.seed)
    fake = Faker("ko_KR")
    fake.seed_instance(args.seed)
    texts, gold = [], []
    for pii_type, generate in GENERATORS.items():
        for _ in range(args.per_type):
            host = rng.choice(hosts)
            value = generate(rng, fake)
            labels = [label for label in LABELS[pii_type] if label or not needs_label(pii_type, value)]
            label = rng.choice(labels)
            particle = rng.choice(PARTICLES) if rng.random() < 0.5 else " "
            cut = rng.choice([i for i, ch in enumerate(host) if ch == " "])
            texts.append(f"{host[:cut]} {label}{value}{particle}{host[cut + 1 :]}")
            start = cut + 1 + len(label)
            gold.append((pii_type, start, start + len(value)))
    spans = detector.detect_batch(pl.Series(texts))
    by_row: dict[int, list[tuple[int, int, str]]] = {}
    for row, start, end, pii_type, _ in spans.iter_rows():
        by_row.setdefault(row, []).append((start, end, pii_type))
    print(f"{len(hosts)} host texts (NSMC reviews, Wikinews sentences) with no detection of their own")
    print("| type | planted | recall | stray spans |")
    print("|---|---:|---:|---:|")
    totals = [0, 0, 0]
    for pii_type in GENERATORS:
        rows = [i for i, g in enumerate(gold) if g[0] == pii_type]
        hits = stray = 0
        for i in rows:
            _, g_start, g_end = gold[i]
            found = by_row.get(i, [])
            hit = any(s <= g_start and g_end <= e and t == pii_type for s, e, t in found)
            hits += hit
            if args.show_misses and not hit:
                print("miss:", pii_type, texts[i][max(0, g_start - 20) : g_end + 10])
            stray += sum(1 for s, e, _ in found if e <= g_start or s >= g_end)
        totals = [totals[0] + len(rows), totals[1] + hits, totals[2] + stray]
        print(f"| {pii_type} | {len(rows)} | {hits / len(rows):.4f} | {stray} |")
    print(f"| all | {totals[0]} | {totals[1] / totals[0]:.4f} | {totals[2]} |")


if __name__ == "__main__":
    main()
