"""Score the PII detector (and the pseudonymizer, when present) on eval_set.jsonl.

Per split and type: support; recall = gold values whose every character lies inside a detected
span (so would be replaced); typed recall = the covering span also has the right type; precision
= detected spans that overlap a gold value of their type / all detected spans of that type (spans
in negative sentences count as false). Negatives: share of hard-negative sentences in which
anything at all is detected. Particle: recall with and without a particle attached. Leak: gold
values still present as substrings after ``Pseudonymizer.pseudonymize_batch``. The ``person``
split (eval_set_person.jsonl) is scored with the opt-in person type switched on, the
``phone_rep`` split (eval_set_phone_rep.jsonl) with the opt-in phone_rep type switched on; the
others with the default types.

    python benchmarks/pii_eval/evaluate.py [--set PATH] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import polars as pl

from curate.pii.detect import Detector

HERE = Path(__file__).resolve().parent


def load_set(path: Path = HERE / "eval_set.jsonl") -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _covered(start: int, end: int, spans: list[tuple[int, int, str]], pii_type: str | None) -> bool:
    chars = set()
    for s, e, t in spans:
        if pii_type is None or t == pii_type:
            chars.update(range(max(s, start), min(e, end)))
    return len(chars) == end - start


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def evaluate(rows: list[dict], detector: Detector, pseudonymizer=None) -> dict:
    """Metrics by split: {split: {"types": {type: {...}}, "negatives": {...}, "particle": {...}}}."""
    found = detector.detect_batch(pl.Series([r["text"] for r in rows], dtype=pl.Utf8))
    by_row: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for row, start, end, pii_type, _ in found.iter_rows():
        by_row[row].append((start, end, pii_type))
    leaks: dict[int, bool] = {}
    if pseudonymizer is not None:
        positives = [i for i, r in enumerate(rows) if r["spans"]]
        rewritten = pseudonymizer.pseudonymize_batch([rows[i]["text"] for i in positives])
        for i, out in zip(positives, rewritten, strict=True):
            text = rows[i]["text"]
            leaks[i] = any(text[s["start"] : s["end"]] in out for s in rows[i]["spans"])

    result: dict[str, dict] = {}
    for split in sorted({r["split"] for r in rows}):
        stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        neg_kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        particle = {True: [0, 0], False: [0, 0]}
        for i, r in enumerate(rows):
            if r["split"] != split:
                continue
            spans = by_row.get(i, [])
            for s, e, t in spans:
                stats[t]["predicted"] += 1
                if any(g["type"] == t and s < g["end"] and g["start"] < e for g in r["spans"]):
                    stats[t]["true_predicted"] += 1
            if r["kind"] == "negative":
                neg_kinds[r["negative_kind"]][0] += 1
                neg_kinds[r["negative_kind"]][1] += bool(spans)
                continue
            for g in r["spans"]:
                st = stats[g["type"]]
                st["support"] += 1
                hit = _covered(g["start"], g["end"], spans, None)
                st["covered"] += hit
                st["typed"] += _covered(g["start"], g["end"], spans, g["type"])
                particle[r["particle"]][0] += 1
                particle[r["particle"]][1] += hit
                if i in leaks:
                    st["leaked"] += leaks[i]
        types = {
            t: {
                "support": st["support"],
                "recall": _ratio(st["covered"], st["support"]),
                "typed_recall": _ratio(st["typed"], st["support"]),
                "precision": _ratio(st["true_predicted"], st["predicted"]),
                "predicted": st["predicted"],
                "leaked": st["leaked"] if leaks else None,
            }
            for t, st in sorted(stats.items())
        }
        negatives_total = sum(n for n, _ in neg_kinds.values())
        touched = sum(k for _, k in neg_kinds.values())
        result[split] = {
            "types": types,
            "negatives": {
                "total": negatives_total,
                "touched": touched,
                "share": _ratio(touched, negatives_total) if negatives_total else 0.0,
                "by_kind": {k: {"total": n, "touched": t} for k, (n, t) in sorted(neg_kinds.items())},
            },
            "particle": {
                "with": _ratio(particle[True][1], particle[True][0]),
                "without": _ratio(particle[False][1], particle[False][0]),
                "support_with": particle[True][0],
                "support_without": particle[False][0],
            },
        }
    return result


def _print(metrics: dict) -> None:
    for split, m in metrics.items():
        print(f"\n### split: {split}\n")
        print("| type | support | recall (all chars covered) | typed recall | precision | leaked after pseudonymize |")
        print("|---|---:|---:|---:|---:|---:|")
        for t, s in m["types"].items():
            leaked = "-" if s["leaked"] is None else str(s["leaked"])
            print(
                f"| {t} | {s['support']} | {s['recall']:.4f} | {s['typed_recall']:.4f} "
                f"| {s['precision']:.4f} | {leaked} |"
            )
        n = m["negatives"]
        print(f"\nhard negatives touched: {n['touched']} / {n['total']} = {n['share']:.4f}")
        print("by kind: " + ", ".join(f"{k} {v['touched']}/{v['total']}" for k, v in n["by_kind"].items()))
        p = m["particle"]
        print(
            f"recall with particle: {p['with']:.4f} (n={p['support_with']}), "
            f"without: {p['without']:.4f} (n={p['support_without']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HERE / "eval_set.jsonl")
    parser.add_argument("--person-set", type=Path, default=HERE / "eval_set_person.jsonl")
    parser.add_argument("--phone-rep-set", type=Path, default=HERE / "eval_set_phone_rep.jsonl")
    parser.add_argument("--no-pseudonymize", action="store_true", help="skip the leak check")
    args = parser.parse_args()
    default_rows = load_set(args.set)
    person_rows = load_set(args.person_set) if args.person_set.exists() else []
    phone_rep_rows = load_set(args.phone_rep_set) if args.phone_rep_set.exists() else []
    detector = Detector()
    pseudonymizer = None
    if not args.no_pseudonymize:
        try:
            from curate.pii import Pseudonymizer

            pseudonymizer = Pseudonymizer(key=b"pii-eval-fixed-key", detector=detector)
        except ImportError:
            pseudonymizer = None
    started = time.perf_counter()
    metrics = evaluate(default_rows, detector, pseudonymizer)
    print(f"{len(default_rows)} examples, default types, evaluated in {time.perf_counter() - started:.1f} s")
    _print(metrics)
    if person_rows:
        with_person = Detector(types=[*detector.types, "person"])
        print(f"\n{len(person_rows)} examples, opt-in person type (all types on)")
        _print(evaluate(person_rows, with_person))
    if phone_rep_rows:
        with_rep = Detector(types=[*detector.types, "phone_rep"])
        rep_pseudonymizer = None
        if pseudonymizer is not None:
            from curate.pii import Pseudonymizer

            rep_pseudonymizer = Pseudonymizer(key=b"pii-eval-fixed-key", types=with_rep.types, detector=with_rep)
        print(f"\n{len(phone_rep_rows)} examples, opt-in phone_rep type (default types and phone_rep on)")
        _print(evaluate(phone_rep_rows, with_rep, rep_pseudonymizer))


if __name__ == "__main__":
    main()
