"""Build the Korean PII evaluation set: benchmarks/pii_eval/eval_set.jsonl (deterministic).

Every carrier sentence x every PII type x {particle attached, not attached}, plus hard negatives,
for two splits: ``tuned`` (the carriers the rules were checked on, seed 20240501) and ``heldout``
(other carriers, seed 777). A third split, ``person``, in eval_set_person.jsonl, holds the opt-in
person type (Faker names before titles or ages, and title words without names); a fourth,
``phone_rep`` in eval_set_phone_rep.jsonl, the opt-in nationwide representative numbers
(1588-1234) and their look-alikes (1588-1600년). Values are synthetic (seeded Faker ko_KR
and rule generators).

    python benchmarks/pii_eval/build_eval_set.py [--out PATH] [--person-out PATH] [--phone-rep-out PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from faker import Faker

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from carriers import (  # noqa: E402
    HELDOUT,
    NEGATIVE_CARRIERS,
    NO_PARTICLE,
    PARTICLES,
    PERSON_CONTEXTS,
    PERSON_NEGATIVES,
    PERSON_PARTICLES,
    TUNED,
    hard_negative,
)
from values import GENERATORS, LABELS, PHONE_REP_LABELS, needs_label, phone_rep, phone_rep_negative  # noqa: E402

SPLITS = {"tuned": (TUNED, 20240501, 500), "heldout": (HELDOUT, 777, 300)}
PERSON_SEED = 4242
PHONE_REP_SEED = 1588
PHONE_REP_NEGATIVES = 60


def _place(carrier: str, before: str, value: str, after: str) -> tuple[str, int, int]:
    head, tail = carrier.split("{x}", 1)
    text = head + before + value + after + (tail.lstrip(" ") if after.endswith(" ") else tail)
    start = len(head) + len(before)
    return text.rstrip(), start, start + len(value)


def build_split(split: str) -> list[dict]:
    carriers, seed, n_negatives = SPLITS[split]
    rng = random.Random(seed)
    fake = Faker("ko_KR")
    fake.seed_instance(seed)
    examples: list[dict] = []
    for c_index, carrier in enumerate(carriers):
        for pii_type, generate in GENERATORS.items():
            for with_particle in (False, True):
                value = generate(rng, fake)
                labels = LABELS[pii_type]
                if needs_label(pii_type, value):
                    labels = [label for label in labels if label] or labels
                label = rng.choice(labels)
                after = rng.choice(PARTICLES) if with_particle else rng.choice(NO_PARTICLE)
                if not with_particle and carrier.endswith("{x}"):
                    after = ""
                text, start, end = _place(carrier, label, value, after)
                examples.append(
                    {
                        "split": split,
                        "kind": "positive",
                        "carrier": c_index,
                        "type": pii_type,
                        "particle": with_particle,
                        "text": text,
                        "spans": [{"start": start, "end": end, "type": pii_type}],
                    }
                )
    all_carriers = NEGATIVE_CARRIERS + carriers
    for _ in range(n_negatives):
        kind, value = hard_negative(rng)
        carrier = rng.choice(all_carriers)
        after = rng.choice(PARTICLES) if rng.random() < 0.5 else rng.choice(NO_PARTICLE)
        text, start, end = _place(carrier, "", value, after)
        examples.append(
            {
                "split": split,
                "kind": "negative",
                "negative_kind": kind,
                "text": text,
                "negative_span": [start, end],
                "spans": [],
            }
        )
    return examples


def build_person_split() -> list[dict]:
    """The opt-in ``person`` type: a Faker name before a title or an age, every carrier."""
    rng = random.Random(PERSON_SEED)
    fake = Faker("ko_KR")
    fake.seed_instance(PERSON_SEED)
    examples: list[dict] = []
    for c_index, carrier in enumerate(TUNED + HELDOUT):
        if "홍길동" in carrier or "김철수" in carrier:
            continue  # carriers that already name someone would need a second gold span
        for with_particle in (False, True):
            name = fake.name()
            context = rng.choice(PERSON_CONTEXTS)
            after = context + (rng.choice(PERSON_PARTICLES) if with_particle else " ")
            text, start, end = _place(carrier, "", name, after)
            examples.append(
                {
                    "split": "person",
                    "kind": "positive",
                    "carrier": c_index,
                    "type": "person",
                    "particle": with_particle,
                    "text": text,
                    "spans": [{"start": start, "end": end, "type": "person"}],
                }
            )
    for sentence in PERSON_NEGATIVES:
        examples.append(
            {
                "split": "person",
                "kind": "negative",
                "negative_kind": "title_without_name",
                "text": sentence,
                "negative_span": [0, len(sentence)],
                "spans": [],
            }
        )
    return examples


def build_phone_rep_split() -> list[dict]:
    """The opt-in ``phone_rep`` type: a representative number in every carrier, with and without a
    particle, and look-alikes (year spans, longer digit runs) that must stay untouched."""
    rng = random.Random(PHONE_REP_SEED)
    examples: list[dict] = []
    for c_index, carrier in enumerate(TUNED + HELDOUT):
        for with_particle in (False, True):
            value = phone_rep(rng, None)
            after = rng.choice(PARTICLES) if with_particle else rng.choice(NO_PARTICLE)
            if not with_particle and carrier.endswith("{x}"):
                after = ""
            text, start, end = _place(carrier, rng.choice(PHONE_REP_LABELS), value, after)
            examples.append(
                {
                    "split": "phone_rep",
                    "kind": "positive",
                    "carrier": c_index,
                    "type": "phone_rep",
                    "particle": with_particle,
                    "text": text,
                    "spans": [{"start": start, "end": end, "type": "phone_rep"}],
                }
            )
    for _ in range(PHONE_REP_NEGATIVES):
        value = phone_rep_negative(rng)
        carrier = rng.choice(NEGATIVE_CARRIERS)
        after = rng.choice(PARTICLES) if rng.random() < 0.5 else rng.choice(NO_PARTICLE)
        text, start, end = _place(carrier, "", value, after)
        examples.append(
            {
                "split": "phone_rep",
                "kind": "negative",
                "negative_kind": "phone_rep_lookalike",
                "text": text,
                "negative_span": [start, end],
                "spans": [],
            }
        )
    return examples


def build_all() -> list[dict]:
    """Rows of eval_set.jsonl: the default types (tuned and heldout splits)."""
    return [row for split in SPLITS for row in build_split(split)]


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(rows):
            fh.write(json.dumps({"id": i, **row}, ensure_ascii=False, sort_keys=True) + "\n")
    positives = sum(r["kind"] == "positive" for r in rows)
    print(f"wrote {len(rows)} examples ({positives} positive, {len(rows) - positives} negative) to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "eval_set.jsonl")
    parser.add_argument("--person-out", type=Path, default=HERE / "eval_set_person.jsonl")
    parser.add_argument("--phone-rep-out", type=Path, default=HERE / "eval_set_phone_rep.jsonl")
    args = parser.parse_args()
    _write(args.out, build_all())
    # files of their own: the opt-in types must not change what default-type users of the set see
    _write(args.person_out, build_person_split())
    _write(args.phone_rep_out, build_phone_rep_split())


if __name__ == "__main__":
    main()
