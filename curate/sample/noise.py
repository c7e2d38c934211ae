"""Noise builders: turn clean text into what crawled Korean corpora actually look like.

Each builder takes a seeded ``random.Random`` and, where it needs personal data,
a ``PiiSource`` (``FakePii`` or ``PiiPool``), so that the shipped sample and the
benchmark generator mix in the same kinds of noise from the same banks.
"""

from __future__ import annotations

import random
import re
from typing import Protocol

from curate.sample import load_bank
from curate.sample.template import fill


class PiiSource(Protocol):
    def value(self, kind: str) -> str: ...


class _Slots(dict):
    """Slot values drawn once per letter (same slot, same value)."""

    def __init__(self, pii: PiiSource, extra: dict[str, str]) -> None:
        super().__init__(extra)
        self.pii = pii

    def __missing__(self, key: str) -> str:
        # a letter writes the bare address (its own particles follow the slot)
        kind = {"name2": "name", "email": "email_address"}.get(key, key)
        self[key] = value = self.pii.value(kind)
        return value


def _reporter_email(pii: PiiSource, domain: str) -> str:
    local = pii.value("email_address").split("@")[0]
    return f"{local}@{domain}"


def news_boilerplate(title: str, paragraphs: list[str], related: list[str], rng: random.Random,
                     pii: PiiSource, city: str = "서울") -> str:
    """An article as a portal serves it: dateline, photo captions, related links, sign-off, copyright."""
    bank = load_bank("boilerplate")
    outlet = rng.choice(bank["outlets"])
    slots = {"reporter": pii.value("name"), "city": city, "outlet": outlet["name"],
             "email": _reporter_email(pii, outlet["domain"])}
    body = list(paragraphs)
    body[0] = outlet["dateline"].format(**slots) + body[0]
    if rng.random() < 0.6:
        caption = outlet["caption"].format(caption=rng.choice(bank["photo_words"]), **slots)
        body.insert(rng.randint(0, min(1, len(body))), caption)
    lines = ([title] if rng.random() < 0.7 else []) + body
    for headline in rng.sample(related, k=min(len(related), rng.randint(0, 3))):
        lines.append(rng.choice(bank["related_prefixes"]) + headline)
    if rng.random() < 0.85:
        lines.append(outlet["signoff"].format(**slots))
    if rng.random() < 0.9:
        lines.append(outlet["copyright"])
    for prompt in rng.sample(bank["prompts"], k=rng.randint(0, 2)):
        lines.append(prompt.format(**slots))
    return "\n".join(lines)


def html_page(title: str, paragraphs: list[str], rng: random.Random, pii: PiiSource, date: str) -> str:
    """A whole HTML page (head, style, script, navigation, footer) around an article."""
    bank = load_bank("html")
    site = rng.choice(bank["site_names"])
    nav = "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in
                  enumerate(rng.sample(bank["nav_items"], k=rng.randint(5, 9))))
    body = "\n".join(f"<p>{_escape(p)}</p>" if rng.random() < 0.9 else f"<div>{_escape(p)}<br></div>"
                     for p in paragraphs)
    slots = {"title": _escape(title), "body": body, "site": site, "date": date, "nav": nav,
             "phone": pii.value("phone"), "brn": pii.value("brn"), "address": pii.value("address"),
             "email": pii.value("email_address")}
    page = rng.choice(bank["layouts"])
    return re.sub(r"\{\{(\w+)\}\}", lambda m: slots[m.group(1)], page).rstrip("\n")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def petition_letter(rng: random.Random, pii: PiiSource, date: str, template_index: int | None = None) -> str:
    """A petition or complaint letter carrying several kinds of fake personal data
    (``template_index`` picks the letter, modulo their number; default: at random)."""
    bank = load_bank("petitions")
    templates = bank["templates"]
    template = rng.choice(templates) if template_index is None else templates[template_index % len(templates)]
    slots = _Slots(pii, {"date": date, "money": rng.choice(bank["money"])})
    return fill(template, slots.__getitem__).rstrip("\n")


def cjk_line(rng: random.Random) -> str:
    bank = load_bank("cjk")
    return rng.choice(bank[rng.choice(["chinese", "japanese", "mixed_korean"])])


def cjk_heavy(paragraphs: list[str], rng: random.Random) -> str:
    """Korean text with Chinese/Japanese lines mixed in; sometimes nothing but CJK lines."""
    if rng.random() < 0.2:
        return "\n".join(cjk_line(rng) for _ in range(rng.randint(2, 6)))
    lines = list(paragraphs)
    for _ in range(rng.randint(1, 3)):
        lines.insert(rng.randint(0, len(lines)), cjk_line(rng))
    return "\n".join(lines)


_DIGITS = re.compile(r"\d+")


def near_duplicate(text: str, rng: random.Random) -> str:
    """An edited copy: one to three small edits (a short line dropped or added, a number, a typo, a tag).

    At most one line is dropped, and only one that is under a fifth of the text, so the
    copy stays near: most of it is still the original.
    """
    bank = load_bank("noise")
    out = text
    dropped = False
    for _ in range(rng.randint(1, 3)):
        edit = rng.randrange(6)
        lines = out.split("\n")
        short = [i for i in range(1, len(lines)) if len(lines[i]) * 5 <= len(out)]
        if edit == 0 and short and not dropped:
            del lines[rng.choice(short)]
            out, dropped = "\n".join(lines), True
        elif edit == 1:
            out = rng.choice(bank["near_dup_inserts"]) + " " + out
        elif edit == 2 and (numbers := list(_DIGITS.finditer(out))):
            m = rng.choice(numbers)
            out = out[:m.start()] + str(int(m.group()) + rng.randint(1, 9)) + out[m.end():]
        elif edit == 3 and len(out) > 4:
            i = rng.randrange(len(out) - 1)
            out = out[:i] + out[i + 1] + out[i] + out[i + 2:]  # swapped neighbours: a typo
        elif edit == 4:
            out = out.replace(". ", ".  ", 1).replace("다.", "다!", 1) if rng.random() < 0.5 else out + " "
        else:
            out = out + "\n" + rng.choice(bank["near_dup_tails"])
    return out if out != text else text + "\n" + rng.choice(bank["near_dup_tails"])


def sprinkle(text: str, rng: random.Random) -> str:
    """Cheap crawl noise: hashtags, empty brackets, doubled blanks, invisible or broken characters."""
    bank = load_bank("noise")
    kind = rng.randrange(4)
    if kind == 0:
        return text + " " + " ".join(rng.sample(bank["hashtags"], k=rng.randint(1, 4)))
    if kind == 1:
        cut = text.find(" ")
        return text if cut < 0 else text[:cut] + rng.choice(bank["empty_parens"]) + text[cut:]
    if kind == 2:
        return text.replace(" ", "   ", rng.randint(1, 3))
    cut = rng.randint(0, len(text))
    return text[:cut] + rng.choice(bank["junk_chars"]) + text[cut:]


def contact_line(rng: random.Random, pii: PiiSource) -> str:
    """A comment line with one personal value in it (a phone number, an e-mail, a mention...)."""
    entry = rng.choice(load_bank("noise")["contact_lines"])
    return entry["text"].format(value=pii.value(entry["kind"]))
