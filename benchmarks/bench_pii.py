"""PII speed and recall: curate against Presidio and Korean PII packages, in one run, on one core.

Corpus: real Korean text from ../shared/data (NSMC movie reviews, Wikinews articles) with PII
phrases (values and labels from benchmarks/pii_eval/values.py, as people write them) inserted at
word boundaries, about one per ``--chars-per-pii`` characters. Speed is MB of UTF-8 text per
second on one core (POLARS_MAX_THREADS=1). curate runs on the whole corpus; the peers (slow,
per-document Python) on its first ``--peer-mb`` MB, and curate on that same slice too, so the
ratio compares like with like. Recall: on benchmarks/pii_eval/eval_set.jsonl, the share of gold
values fully covered by detected spans (any type: would be replaced), overall, on the held-out
carrier sentences (not used to tune curate's detector) and on the four types every peer claims
(phone, rrn, email, card); plus the share of hard-negative sentences in which anything is found.

    pip install -r benchmarks/requirements.txt
    python benchmarks/bench_pii.py [--size-mb 20] [--peer-mb 1] [--chars-per-pii 500]
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one core: set before polars is imported

import argparse
import gzip
import json
import logging
import random
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
from faker import Faker

from curate.pii import Pseudonymizer

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
EVAL_SET = REPO / "benchmarks" / "pii_eval" / "eval_set.jsonl"
sys.path.insert(0, str(REPO / "benchmarks" / "pii_eval"))
from values import GENERATORS, LABELS, needs_label  # noqa: E402

CORE_TYPES = {"phone", "rrn", "email", "card"}
Spans = list[tuple[int, int]]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ corpus


def real_texts(size_mb: float) -> list[str]:
    reviews, size = [], 0
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:  # only as many as needed: the RSS figure should be the PII work's, not ours
            if (t := json.loads(line).get("text")):
                reviews.append(t)
                size += len(t.encode())
                if size > size_mb * 2**20:
                    break
    news = pl.read_csv(DATA / "wikinews_ko.csv")["내용"].drop_nulls().to_list()
    rng = random.Random(0)
    # threads of 1-20 reviews (comment pages) and whole articles, interleaved
    docs, i = [], 0
    while i < len(reviews):
        n = rng.randint(1, 20)
        docs.append("\n".join(reviews[i:i + n]))
        i += n
    docs += news
    rng.shuffle(docs)
    return docs


def pii_phrase(rng: random.Random, fake: Faker) -> str:
    pii_type = rng.choice(sorted(GENERATORS))
    value = GENERATORS[pii_type](rng, fake)
    labels = [lab for lab in LABELS[pii_type] if lab] if needs_label(pii_type, value) else LABELS[pii_type]
    return f"{rng.choice(labels)}{value}{rng.choice(['', ' ', '으로', '입니다.', '로 연락주세요.'])}"


def build_corpus(size_mb: float, chars_per_pii: int) -> list[str]:
    rng, fake = random.Random(1), Faker("ko_KR")
    fake.seed_instance(1)
    target, total, out = size_mb * 2**20, 0, []
    pool = real_texts(size_mb)
    while total < target:
        for doc in pool:
            words = doc.split(" ")
            n_pii = int(len(doc) / chars_per_pii + rng.random())  # expected len/chars_per_pii
            for _ in range(n_pii):
                words.insert(rng.randint(0, len(words)), pii_phrase(rng, fake))
            text = " ".join(words)
            out.append(text)
            total += len(text.encode())
            if total >= target:
                break
    return out


# ------------------------------------------------------------------ peers


def peer_presidio() -> tuple[Callable[[str], Spans], Callable[[str], str]]:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IpRecognizer,
        KrBrnRecognizer,
        KrDriverLicenseRecognizer,
        KrFrnRecognizer,
        KrPassportRecognizer,
        KrRrnRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
    )
    from presidio_anonymizer import AnonymizerEngine

    registry = RecognizerRegistry(supported_languages=["ko"])
    for recognizer in (KrRrnRecognizer, KrFrnRecognizer, KrBrnRecognizer, KrDriverLicenseRecognizer,
                       KrPassportRecognizer, EmailRecognizer, CreditCardRecognizer, IpRecognizer,
                       UrlRecognizer):
        registry.add_recognizer(recognizer(supported_language="ko"))
    registry.add_recognizer(PhoneRecognizer(supported_language="ko", supported_regions=("KR",)))
    nlp = NoOpNlpEngine(models=[{"lang_code": "ko", "model_name": "no_op"}])  # no spaCy model here
    nlp.load()
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["ko"])
    anonymizer = AnonymizerEngine()

    def detect(text: str) -> Spans:
        return [(r.start, r.end) for r in analyzer.analyze(text=text, language="ko")]

    def replace(text: str) -> str:
        found = analyzer.analyze(text=text, language="ko")
        return anonymizer.anonymize(text=text, analyzer_results=found).text

    return detect, replace


def peer_ko_pii_guard():
    from ko_pii_guard import KoreanPIIGuard

    guard = KoreanPIIGuard()
    return (lambda t: [(f.start, f.end) for f in guard.analyze(t)]), guard.mask


def peer_korean_pii():
    import korean_pii

    return (lambda t: [(d.start, d.end) for d in korean_pii.detect(t)]), (lambda t: korean_pii.mask(t).text)


def peer_rust_pii_transformer():
    import rust_pii_transformer as rpt

    def detect(text: str) -> Spans:
        return [(f.source.char_start, f.source.char_end) for f in rpt.detect(text).findings]

    return detect, (lambda t: rpt.mask(t).text)


def peer_ko_pii():
    import ko_pii

    def detect(text: str) -> Spans:
        return [(d.start, d.end) for d in ko_pii.detect_all(text)]

    def replace(text: str) -> str:  # detection + tag splice (its Anonymizer needs a policy profile)
        out, last = [], 0
        for d in sorted(ko_pii.detect_all(text), key=lambda d: d.start):
            if d.start >= last:
                out += [text[last:d.start], f"[{d.label}]"]
                last = d.end
        return "".join([*out, text[last:]])

    return detect, replace


PEERS = {
    "presidio (pattern recognizers, Kr* on)": peer_presidio,
    "ko-pii-guard": peer_ko_pii_guard,
    "korean-pii": peer_korean_pii,
    "rust-pii-transformer": peer_rust_pii_transformer,
    "ko-pii": peer_ko_pii,
}


# ------------------------------------------------------------------ recall


def recall(rows: list[dict], spans_of: list[Spans]) -> dict[str, float]:
    hit = total = core_hit = core_total = held_hit = held_total = 0
    negatives = flagged = 0
    for row, spans in zip(rows, spans_of, strict=True):
        if row["kind"] == "negative":
            negatives += 1
            flagged += bool(spans)
            continue
        for gold in row["spans"]:
            covered = set()
            for s, e in spans:
                covered.update(range(max(s, gold["start"]), min(e, gold["end"])))
            ok = len(covered) == gold["end"] - gold["start"]
            hit, total = hit + ok, total + 1
            if gold["type"] in CORE_TYPES:
                core_hit, core_total = core_hit + ok, core_total + 1
            if row["split"] == "heldout":
                held_hit, held_total = held_hit + ok, held_total + 1
    return {"recall": hit / total, "recall_heldout": held_hit / held_total,
            "recall_core4": core_hit / core_total, "negatives_flagged": flagged / negatives}


def curate_spans(p: Pseudonymizer, texts: list[str]) -> list[Spans]:
    found = p.detect_batch(pl.Series(texts, dtype=pl.Utf8))
    out: list[Spans] = [[] for _ in texts]
    for row, start, end in found.select("row", "start", "end").iter_rows():
        out[row].append((start, end))
    return out


# ------------------------------------------------------------------ main


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """CPU seconds of this process: with one thread (POLARS_MAX_THREADS=1) that is per-core time,
    and a busy shared machine does not distort it the way it distorts wall time."""
    c0 = time.process_time()
    result = fn()
    return time.process_time() - c0, result


CLEAN_100 = ("오늘 날씨가 참 좋네요. 산책하러 나가볼까 합니다. 다들 즐거운 하루 보내세요! 내일도 맑다고 하니 "
             "다행입니다. 주말에는 가족과 함께 공원에")[:100]
TWO_VALUES_100 = ("제 번호는 010-1234-5678이고 메일은 hong@example.com 입니다. 연락 주세요. 주말에는 가족과 함께 "
                  "공원에 갈 예정이에요. 좋은 하루")[:100]
# A plain-regex scrubber for the same two kinds of value: what a user compares a library call to.
PLAIN = re.compile(r"01[016789]-\d{3,4}-\d{4}|[\w.+-]+@[\w-]+\.[\w.]+")


def per_call(key: bytes, calls: int) -> None:
    """One short text per call, as a chat service or a log scrubber calls a library: microseconds a
    call (median of ``calls``), next to the plain regex in the same run."""
    p = Pseudonymizer(key=key)
    print(f"\nper call, one text at a time (median of {calls:,} calls, µs):")
    print(f"  {'text':28s} {'detect':>8s} {'pseudonymize':>13s} {'plain regex sub':>16s}")
    for name, text in (("clean, 100 chars", CLEAN_100), ("two values, 100 chars", TWO_VALUES_100)):
        row = []
        for fn in (p.detect, p.pseudonymize, lambda t: PLAIN.sub("[PII]", t)):
            fn(text)
            times = []
            for _ in range(calls):
                t0 = time.perf_counter()
                fn(text)
                times.append(time.perf_counter() - t0)
            row.append(statistics.median(times) * 1e6)
        print(f"  {name:28s} {row[0]:8.1f} {row[1]:13.1f} {row[2]:16.1f}")


def short_dense(key: bytes, n: int = 40_000) -> None:
    """The issue's short PII-dense texts (~150 bytes, one value each: a chat line, a form field)
    in batch, next to the plain regex over the same texts in the same run."""
    rng, fake = random.Random(3), Faker("ko_KR")
    fake.seed_instance(3)
    reviews = []
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(reviews) >= n:
                break
            if (t := json.loads(line).get("text")):
                reviews.append(t)
    texts = [f"{r[:rng.randint(15, 40)]} {pii_phrase(rng, fake)}" for r in reviews]
    series = pl.Series("text", texts, dtype=pl.Utf8)
    mb = series.str.len_bytes().sum() / 2**20
    p, masker = Pseudonymizer(key=key), Pseudonymizer(key=key, mode="mask")
    p.detect_batch(series.head(200))
    t_det, _ = timed(lambda: p.detect_batch(series))
    t_pse, _ = timed(lambda: p.pseudonymize_batch(series))
    t_mask, _ = timed(lambda: masker.pseudonymize_batch(series))
    t_plain, _ = timed(lambda: [PLAIN.sub("[PII]", t) for t in texts])
    print(f"\nshort dense texts: {len(texts):,} of {mb * 2**20 / len(texts):.0f} bytes, one value each "
          f"({mb:.1f} MB)")
    for name, t in (("detect_batch", t_det), ("pseudonymize_batch", t_pse), ("pseudonymize_batch (mask)", t_mask),
                    ("plain regex sub (phone, e-mail only)", t_plain)):
        print(f"  {name:38s} {mb / t:8.1f} MB/s")


def person_speed(series: pl.Series, mb: float) -> None:
    """detect_batch with the opt-in person type on as well, Kiwi's word cache emptied first (its
    model already loaded), and person recall/precision on the planted-name eval (person_eval.py)."""
    from curate.pii import person
    from curate.pii.detect import Detector

    detector = Detector(types=[*Detector().types, "person"])
    detector.detect_batch(series.head(200))
    person.clear_verdicts()
    t_person, found = timed(lambda: detector.detect_batch(series))
    n_person = found.filter(pl.col("type") == "person").height
    print(f"  detect_batch, person on  {mb / t_person:8.1f} MB/s  ({t_person:.2f} s, {n_person:,} person spans)")
    import person_eval

    for part in ("tuned", "heldout"):
        rows = person_eval.build(part)
        m = person_eval.score(rows, person_eval.detect_all(rows, ["person"]))
        print(f"  person eval {part:8s} recall {m['recall']:.4f} (n={m['support']}), precision {m['precision']:.4f}")


def main() -> None:
    # Presidio's URL recognizer asks tldextract for a fresh suffix list; offline it falls back to
    # the bundled one after logging a traceback
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=float, default=20)
    ap.add_argument("--peer-mb", type=float, default=1)
    ap.add_argument("--chars-per-pii", type=int, default=500)
    ap.add_argument("--calls", type=int, default=5_000, help="single-text calls timed per case")
    args = ap.parse_args()

    t_build, docs = timed(lambda: build_corpus(args.size_mb, args.chars_per_pii))
    mb = sum(len(d.encode()) for d in docs) / 2**20
    series = pl.Series("text", docs, dtype=pl.Utf8)
    print(f"corpus: {len(docs):,} docs, {mb:.1f} MB, {sum(map(len, docs)) / len(docs):.0f} chars/doc "
          f"(built in {t_build:.1f} s); POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']}")
    rss_before = rss_mb()

    key = b"bench-key-0123456789"
    p = Pseudonymizer(key=key)
    p.detect_batch(series.head(200))  # warm up (pattern compilation)
    t_det, spans = timed(lambda: p.detect_batch(series))
    fresh, masker = Pseudonymizer(key=key), Pseudonymizer(key=key, mode="mask")  # empty caches
    t_pse, (_, counts) = timed(lambda: fresh.pseudonymize_batch(series, return_counts=True))
    t_mask, _ = timed(lambda: masker.pseudonymize_batch(series))
    n_spans = spans.height
    rss_curate = rss_mb()
    print(f"\ncurate on {mb:.1f} MB: {n_spans:,} spans ({mb * 2**20 / max(n_spans, 1):.0f} bytes per span)")
    print("  MB/s per core (CPU time)")
    print(f"  detect_batch              {mb / t_det:8.1f} MB/s  ({t_det:.2f} s)")
    print(f"  pseudonymize_batch        {mb / t_pse:8.1f} MB/s  ({t_pse:.2f} s)")
    print(f"  pseudonymize_batch (mask) {mb / t_mask:8.1f} MB/s  ({t_mask:.2f} s)")
    print(f"  peak RSS {rss_curate:.0f} MB (corpus loaded: {rss_before:.0f} MB)")
    print(f"  spans by type: {counts}")
    person_speed(series, mb)

    per_call(key, args.calls)
    short_dense(key)

    # peers: the first peer-mb MB of the same corpus
    peer_docs, size = [], 0
    for d in docs:
        if size >= args.peer_mb * 2**20:
            break
        peer_docs.append(d)
        size += len(d.encode())
    peer_size = size / 2**20
    fresh = Pseudonymizer(key=key)
    t_cur, _ = timed(lambda: fresh.pseudonymize_batch(peer_docs))
    cur_speed = peer_size / t_cur
    print(f"\npeers on the first {peer_size:.2f} MB ({len(peer_docs):,} docs); curate pseudonymize_batch "
          f"there: {cur_speed:.1f} MB/s")
    eval_rows = [json.loads(line) for line in EVAL_SET.open(encoding="utf-8")] if EVAL_SET.exists() else []
    eval_texts = [r["text"] for r in eval_rows]
    results = []
    if eval_rows:
        results.append(("curate", cur_speed, None, recall(eval_rows, curate_spans(p, eval_texts))))
    for name, make in PEERS.items():
        try:
            detect, replace = make()
        except Exception as exc:  # a peer that does not install or load is reported, not fatal
            print(f"  {name}: unavailable ({type(exc).__name__}: {exc})")
            continue
        replace(peer_docs[0])  # warm up
        t_peer, _ = timed(lambda replace=replace: [replace(d) for d in peer_docs])
        speed = peer_size / t_peer
        quality = recall(eval_rows, [detect(t) for t in eval_texts]) if eval_rows else None
        results.append((name, speed, cur_speed / speed, quality))
        print(f"  {name:40s} {speed:7.3f} MB/s   curate is {cur_speed / speed:6.1f}x")
    print(f"  peak RSS with peers loaded: {rss_mb():.0f} MB")

    if eval_rows:
        print(f"\nquality on {EVAL_SET.relative_to(REPO)} ({len(eval_rows)} sentences):")
        print(f"  {'':40s} {'recall':>7s} {'heldout':>8s} {'core4':>7s} {'neg.flagged':>12s}")
        for name, _, _, q in results:
            print(f"  {name:40s} {q['recall']:7.3f} {q['recall_heldout']:8.3f} {q['recall_core4']:7.3f} "
                  f"{q['negatives_flagged']:12.3f}")


if __name__ == "__main__":
    main()
