"""Synthetic Korean documents written from the hand-made banks (no outside text at all)."""

from __future__ import annotations

import random

from curate.sample import load_bank
from curate.sample.noise import PiiSource
from curate.sample.template import fill


def _fill(template: str, rng: random.Random, pii: PiiSource, fixed: dict[str, str]) -> str:
    slots = load_bank("news")["slots"]

    def value(key: str) -> str:
        if key in fixed:
            return fixed[key]
        if key == "name":
            return pii.value("name")
        if key in slots:
            return rng.choice(slots[key])
        if key == "pct":
            return f"{rng.randint(1, 60)}.{rng.randint(0, 9)}"
        low, high = {"n": (2, 99), "month": (1, 12), "day": (1, 28)}[key]
        return str(rng.randint(low, high))

    return fill(template, value)


def news_article(rng: random.Random, pii: PiiSource) -> tuple[str, list[str], str]:
    """(title, paragraphs, city) of a made-up article on one topic, sometimes with a sentence
    that merely mentions reporters, copyright or subscriptions."""
    bank = load_bank("news")
    topic = bank["topics"][rng.choice(sorted(bank["topics"]))]
    city = rng.choice(bank["slots"]["city"])
    fixed = {"city": city, "company": rng.choice(bank["slots"]["company"]),
             "team": rng.choice(bank["slots"]["team"])}
    title = _fill(rng.choice(topic["headlines"]), rng, pii, fixed)
    picked = rng.sample(topic["sentences"], k=rng.randint(3, min(6, len(topic["sentences"]))))
    sentences = [_fill(s, rng, pii, fixed) for s in picked]
    if rng.random() < 0.35:
        mention = _fill(rng.choice(bank["mention_sentences"]), rng, pii, fixed)
        sentences.insert(rng.randint(1, len(sentences)), mention)
    paragraphs: list[str] = []
    while sentences:
        take = rng.randint(1, 3)
        paragraphs.append(" ".join(sentences[:take]))
        sentences = sentences[take:]
    return title, paragraphs, city


def headline(rng: random.Random, pii: PiiSource) -> str:
    bank = load_bank("news")
    topic = bank["topics"][rng.choice(sorted(bank["topics"]))]
    return _fill(rng.choice(topic["headlines"]), rng, pii, {})


def comment_thread(rng: random.Random, lines: int) -> str:
    return "\n".join(rng.sample(load_bank("comments")["lines"], k=lines))
