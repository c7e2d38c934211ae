"""Speed of the PII detector's batch path on real Korean text, against the same rules run in plain
Python on every document (no Polars candidate pass), plus a `\\b`-bounded regex peer on the
evaluation set to show what attached particles do to recall.

    python benchmarks/pii_eval/bench_detect.py [--docs N]

Prints MB/s and docs/s per corpus, peak RSS, and the ratio to the plain-Python path measured in
the same run. Speeds use the process's CPU time (run with POLARS_MAX_THREADS=1 so that CPU seconds
are one core's seconds): on a shared machine wall time mostly measures the neighbours.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import sys
import time
from pathlib import Path

import polars as pl

from curate.pii.detect import Detector

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data"
sys.path.insert(0, str(HERE))


def corpora(limit: int) -> dict[str, pl.Series]:
    out = {}
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        out["nsmc_reviews"] = pl.Series([json.loads(line)["text"] for _, line in zip(range(limit), fh, strict=False)])
    out["wikinews_ko"] = pl.read_csv(DATA / "wikinews_ko.csv")["내용"]
    out["nanet_book_reviews"] = pl.read_csv(DATA / "nanet_book_reviews.csv")["내용"]
    lines = (DATA / "beep_unlabeled_comments_5.txt").read_text(encoding="utf-8").splitlines()
    out["beep_comments"] = pl.Series(lines)
    return {k: v.cast(pl.Utf8).fill_null("") for k, v in out.items()}


def python_only(detector: Detector, texts: list[str]) -> int:
    """The same rules without the Polars passes: every pattern on every document."""
    return sum(len(detector.detect_unfiltered(text)) for text in texts)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# A typical regex PII scrubber: \b boundaries, which Python treats Hangul as word characters for.
PEER = {
    "phone": re.compile(r"\b01[016789][-. ]?\d{3,4}[-. ]?\d{4}\b|\b0\d{1,2}[-. )]\d{3,4}[-. ]\d{4}\b"),
    "email": re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
    "rrn": re.compile(r"\b\d{6}[- ]?[1-4]\d{6}\b"),
    "card": re.compile(r"\b\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}\b"),
    "ipv4": re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"),
}


def peer_recall() -> None:
    from evaluate import load_set

    rows = [r for r in load_set() if r["kind"] == "positive" and r["type"] in PEER]
    detector = Detector(types=list(PEER))
    print("\nrecall on eval_set.jsonl (both splits), value fully covered:")
    print("| type | particle | n | \\b regex peer | curate Detector |")
    print("|---|---|---:|---:|---:|")
    for pii_type in PEER:
        for particle in (False, True):
            subset = [r for r in rows if r["type"] == pii_type and r["particle"] == particle]
            peer_hits = ours = 0
            for r in subset:
                g = r["spans"][0]
                peer_hits += any(
                    m.start() <= g["start"] and g["end"] <= m.end() for m in PEER[pii_type].finditer(r["text"])
                )
                ours += any(s.start <= g["start"] and g["end"] <= s.end for s in detector.detect(r["text"]))
            n = len(subset)
            print(f"| {pii_type} | {'yes' if particle else 'no'} | {n} | {peer_hits / n:.3f} | {ours / n:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="NSMC reviews to read (all: 712k)")
    args = parser.parse_args()
    data = corpora(args.docs)
    detector = Detector()
    detector.detect("warm-up 010-1234-5678")  # compile patterns outside the timings
    print(f"rss after load: {peak_rss_mb():.0f} MB")
    print(
        "| corpus | docs | MB | batch MB/s (CPU) | batch MB/s (wall) | docs/s (CPU) | spans "
        "| plain-Python MB/s (CPU) | speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, series in data.items():
        mb = series.str.len_bytes().sum() / 1e6
        started, wall = time.process_time(), time.perf_counter()
        spans = detector.detect_batch(series)
        batch_s, batch_wall = time.process_time() - started, time.perf_counter() - wall
        texts = series.to_list()
        started = time.process_time()
        plain_spans = python_only(detector, texts)
        plain_s = time.process_time() - started
        assert plain_spans == spans.height, (name, plain_spans, spans.height)
        print(
            f"| {name} | {len(series)} | {mb:.1f} | {mb / batch_s:.1f} | {mb / batch_wall:.1f} "
            f"| {len(series) / batch_s:,.0f} "
            f"| {spans.height} | {mb / plain_s:.1f} | {plain_s / batch_s:.1f}x |"
        )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    peer_recall()


if __name__ == "__main__":
    main()
