"""Write the small Korean sample corpus shipped in the repo (deterministic; every value is made up).

    python samples/make_sample.py            # rewrites samples/sample_corpus.jsonl (+ .manifest.json)
    python samples/make_sample.py --out /tmp/x.jsonl

Documents come only from the hand-written banks in curate/sample/banks/ and from
Faker ko_KR with a fixed seed; nothing is copied from outside text. The manifest
records the Faker version, since another Faker may draw other names.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: import the checkout's curate

import faker  # noqa: E402

from curate.sample import load_bank, noise, synth  # noqa: E402
from curate.sample.pii import FakePii  # noqa: E402

SEED = 20240917
DEFAULT_OUT = REPO / "samples" / "sample_corpus.jsonl"
# how many documents of each kind (before duplicates); foreign and short take every bank entry
COUNTS = {"news_boilerplate": 90, "news_plain": 25, "web": 20, "single_comment": 60, "thread": 90,
          "petition": 33, "cjk": 12}
EXACT_DUPLICATES, NEAR_DUPLICATES = 25, 20


def _date(rng: random.Random) -> str:
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f"{day} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def build(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    pii = FakePii(seed)
    docs: list[dict] = []

    def add(text: str, source: str) -> None:
        docs.append({"text": text, "source": source})

    for _ in range(COUNTS["news_boilerplate"]):
        title, paragraphs, city = synth.news_article(rng, pii)
        related = [synth.headline(rng, pii) for _ in range(3)]
        add(noise.news_boilerplate(title, paragraphs, related, rng, pii, city), "news")
    for _ in range(COUNTS["news_plain"]):
        title, paragraphs, _ = synth.news_article(rng, pii)
        add("\n".join([title, *paragraphs]), "news")
    for _ in range(COUNTS["web"]):
        title, paragraphs, _ = synth.news_article(rng, pii)
        add(noise.html_page(title, paragraphs, rng, pii, _date(rng)), "web")
    singles = rng.sample(load_bank("comments")["lines"], k=COUNTS["single_comment"])
    for i in range(COUNTS["single_comment"] + COUNTS["thread"]):
        text = singles[i] if i < len(singles) else synth.comment_thread(rng, rng.randint(2, 6))
        roll = rng.random()
        if roll < 0.15:
            text = noise.sprinkle(text, rng)
        elif roll < 0.35:
            text = text + "\n" + noise.contact_line(rng, pii)
        add(text, "comment")
    for i in range(COUNTS["petition"]):
        add(noise.petition_letter(rng, pii, _date(rng)[:10], template_index=i), "petition")
    for _ in range(COUNTS["cjk"]):
        title, paragraphs, _ = synth.news_article(rng, pii)
        add(noise.cjk_heavy([title, *paragraphs], rng), "cjk")
    misc = load_bank("misc")
    for text in misc["foreign"]:
        add(text, "foreign")
    for text in misc["short"]:
        add(text, "short")

    originals = list(docs)
    for _ in range(EXACT_DUPLICATES):
        add(rng.choice(originals)["text"], "duplicate")
    long_enough = [d for d in originals if len(d["text"]) >= 300]  # a near copy of a short one is no copy
    for _ in range(NEAR_DUPLICATES):
        add(noise.near_duplicate(rng.choice(long_enough)["text"], rng), "near_duplicate")
    rng.shuffle(docs)
    return [{"id": f"sample-{i:04d}", "text": d["text"], "source": d["source"]}
            for i, d in enumerate(docs, 1)]


def write(out: Path, seed: int = SEED) -> dict:
    docs = build(seed)
    payload = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(payload)
    manifest = {"seed": seed, "faker": faker.VERSION, "documents": len(docs), "bytes": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
                "by_source": dict(sorted(Counter(d["source"] for d in docs).items()))}
    out.with_name(out.name.removesuffix(".jsonl") + ".manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the bundled Korean sample corpus.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    manifest = write(args.out, args.seed)
    print(f"wrote {manifest['documents']} documents ({manifest['bytes'] / 1024:.0f} KiB) to {args.out}: "
          + ", ".join(f"{k} {v}" for k, v in manifest["by_source"].items()))


if __name__ == "__main__":
    main()
