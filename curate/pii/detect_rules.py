"""Compile the PII types' rules (rules/pii/types/*.yaml, shared settings in rules/pii/common.yaml)
into ready-to-run matchers (the data side of the detector)."""

from __future__ import annotations

import re as _re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import regex

from curate.pii.catalog import PiiRulesError, PiiType, pii_types
from curate.pii.word_trie import word_trie
from curate.rules import cached_per_rules, load_words, load_yaml

_MACRO = _re.compile(r"\{(@?[A-Za-z_][A-Za-z0-9_.]*)\}")
# what `\s` matches (all below U+3001): free when counting back from an anchor, as `\s*` runs are
_SPACE = frozenset(regex.findall(r"\s", "".join(map(chr, range(0x3001)))))


@dataclass(frozen=True)
class PatternRule:
    name: str
    regex: regex.Pattern
    score: float
    require: tuple[Callable[[str], bool], ...]
    bonus: tuple[tuple[Callable[[str], bool], float], ...]
    needs_context: bool
    # A pattern that opens with optional parts or lookbehinds makes the regex engine try every
    # position of the text; an anchor (a regex that starts with a required character class, so
    # the engine skips ahead to it) that every match contains, starting at most anchor_back
    # non-space characters after the match's start, confines the tries to the few positions
    # before each anchor; of those, only where ``starts`` matches (a cheap regex of lookbehinds
    # and one character that every match's start satisfies). Same matches as ``regex.finditer`` (tested).
    anchor: regex.Pattern | None = None
    anchor_back: int = 0
    starts: regex.Pattern | None = None

    def finditer(self, text: str) -> Iterator[regex.Match]:
        """The matches of ``regex`` in ``text``, left to right, non-overlapping (as finditer)."""
        return self.regex.finditer(text) if self.anchor is None else self._anchored(text)

    def _anchored(self, text: str) -> Iterator[regex.Match]:
        assert self.anchor is not None
        tried = 0  # every start before it has been tried, or lies inside a match given out
        for hit in self.anchor.finditer(text, overlapped=True):  # anchors of adjacent matches overlap
            anchor = hit.start()
            if anchor < tried:
                continue
            start, budget = anchor, self.anchor_back
            while start > tried:  # back over anchor_back non-space characters and any spaces
                if text[start - 1] not in _SPACE:
                    if budget == 0:
                        break
                    budget -= 1
                start -= 1
            if self.starts is None:
                positions: Iterable[int] = range(start, anchor + 1)
            else:
                positions = [m.start() for m in self.starts.finditer(text, start, anchor + 1, overlapped=True)]
            for position in positions:
                if position < start:
                    continue  # inside the match just given out
                match = self.regex.match(text, position)  # lookbehinds still see the text before
                if match is not None:
                    yield match
                    start = max(match.end(), position + 1)  # finditer goes on after a match's end
            tried = max(start, anchor + 1)


@dataclass(frozen=True)
class TypeRule:
    name: str
    candidate: str  # Rust regex for the Polars pass: the union of candidate_branches
    candidate_branches: tuple[str, ...]  # each its own Polars pass when flagging rows for the type
    prefilter: str  # extra prefilter branch the type needs ("" = the global prefilter covers it)
    solo_candidate: bool  # keep the candidate out of the union pass (it slows the union down)
    patterns: tuple[PatternRule, ...]
    context: regex.Pattern | None
    negative_context: regex.Pattern | None
    context_boost: float
    negative_penalty: float
    window_before: int
    window_after: int
    min_score: float
    strip_trailing: str
    finder: str = ""  # a Python finder instead of `patterns` (``person``: curate/pii/person/)
    # branches that flag a row only together with ``context_candidate`` (the candidates of the
    # type's needs_context patterns alone; ``candidate`` holds them too)
    context_branches: tuple[str, ...] = ()
    context_candidate: str = ""  # Rust regex: one of the type's context words (plain words only)


def _expand(pattern: str, macros: dict[str, str]) -> str:
    def one(m: _re.Match) -> str:
        key = m.group(1)
        if key.startswith("@"):
            return word_trie(load_words(f"pii/{key[1:]}"))
        return macros[key] if key in macros else m.group(0)

    for _ in range(8):  # macros may use macros; a fixed depth keeps a typo from looping forever
        expanded = _MACRO.sub(one, pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    return pattern


def _words_pattern(words: list[str], macros: dict[str, str]) -> regex.Pattern | None:
    parts = []
    for word in words:
        listed = _MACRO.fullmatch(word)
        if listed and listed.group(1).startswith("@"):  # a word list: its Latin words as words
            listed_words = load_words(f"pii/{listed.group(1)[1:]}")
            latin = [w for w in listed_words if _is_latin_word(w)]
            parts += [word_trie([w for w in listed_words if not _is_latin_word(w)]), *map(_word, latin)]
        elif word.startswith("{"):
            parts.append(_expand(word, macros))
        else:
            parts.append(_word(word))
    return regex.compile("|".join(parts), regex.IGNORECASE) if parts else None


def _plain_words(pii_type: PiiType, words: list[str]) -> str:
    """A Rust regex for ``words``: what the type's Python context pattern finds (only plain
    non-Latin words, which both engines read alike: no case, no word edges), for a Polars pass."""
    if not words or any(w.startswith("{") or any(c.isascii() and c.isalpha() for c in w) for w in words):
        raise PiiRulesError(f"{pii_type.path}: has a context_candidate, so its context words must be "
                            "plain words without Latin letters or word lists")
    return "|".join(_re.escape(w) for w in sorted(words, key=len, reverse=True))


def _is_latin_word(word: str) -> bool:
    return word.isascii() and word[:1].isalpha() and word[-1:].isalpha()


def _word(word: str) -> str:
    if _is_latin_word(word):
        # a Latin word is a word, not letters inside one: "ver" is not in "naver.com", the bank
        # "NH" not in "sujinhwa" (a fuzz_pii finding: the context it lent made a number PII in one
        # text and not in the same text with another URL before it)
        return rf"(?<![A-Za-z]){regex.escape(word)}(?![A-Za-z])"
    return regex.escape(word)


@cached_per_rules
def compiled_rules() -> tuple[dict[str, TypeRule], tuple[regex.Pattern, ...], tuple[str, ...], str]:
    """All type rules (by name, in the types' order), the hard-negative patterns, the Rust-regex
    branches one of which a row must match for any hard negative to match in it, and the
    prefilter."""
    common = load_yaml("pii/common.yaml")
    types = {name: _type_rule(pii_type, common) for name, pii_type in pii_types().items()}
    hard_negatives = tuple(regex.compile(p) for p in common.get("hard_negatives", []))
    negative_branches = tuple(common.get("hard_negative_candidate", [".?"] if hard_negatives else []))
    return types, hard_negatives, negative_branches, common["prefilter"]


def _type_rule(pii_type: PiiType, common: dict) -> TypeRule:
    spec, defaults, macros = pii_type.rules, common["defaults"], common["macros"]

    def compiled(pattern: str, where: str) -> regex.Pattern:
        try:
            return regex.compile(_expand(pattern, macros))
        except regex.error as exc:
            raise PiiRulesError(f"{pii_type.path}: {where}: not a valid regex: {exc}") from exc

    patterns = tuple(
        PatternRule(
            name=p["name"],
            regex=compiled(p["regex"], f"pattern {p['name']!r}"),
            score=float(p["score"]),
            require=tuple(pii_type.validators[v] for v in p.get("require", [])),
            bonus=tuple((pii_type.validators[v], float(b)) for v, b in p.get("bonus", {}).items()),
            needs_context=bool(p.get("needs_context", False)),
            anchor=compiled(p["anchor"], f"pattern {p['name']!r}: anchor") if "anchor" in p else None,
            anchor_back=int(p.get("anchor_back", 0)),
            starts=compiled(p["starts"], f"pattern {p['name']!r}: starts") if "starts" in p else None,
        )
        for p in spec["patterns"]
    )
    if spec.get("finder") == "person":  # the candidate comes from the finder's word lists
        from curate.pii.person import person_rules

        branches = person_rules().candidate_branches
    else:
        branches = spec["candidate"] if isinstance(spec["candidate"], list) else [spec["candidate"]]
        branches = tuple(_expand(b, macros) for b in branches)
    gated = tuple(_expand(b, macros) for b in spec.get("context_candidate", []))
    every = (*branches, *gated)
    return TypeRule(
        name=pii_type.name,
        candidate=every[0] if len(every) == 1 else "|".join(f"(?:{b})" for b in every),
        candidate_branches=branches,
        prefilter=_expand(spec.get("prefilter", ""), macros),
        solo_candidate=bool(spec.get("solo_candidate", False)),
        patterns=patterns,
        context=_words_pattern(spec.get("context", []), macros),
        negative_context=_words_pattern(spec.get("negative_context", []), macros),
        context_boost=float(spec.get("context_boost", defaults["context_boost"])),
        negative_penalty=float(spec.get("negative_penalty", defaults["negative_penalty"])),
        window_before=int(spec.get("window_before", defaults["window_before"])),
        window_after=int(spec.get("window_after", defaults["window_after"])),
        min_score=float(spec.get("min_score", defaults["min_score"])),
        strip_trailing=spec.get("strip_trailing", ""),
        finder=spec.get("finder", ""),
        context_branches=gated,
        context_candidate=_plain_words(pii_type, spec.get("context", [])) if gated else "",
    )


@cached_per_rules
def reading_table() -> dict[int, str]:
    """``str.translate`` table of ``reading`` in rules/pii/common.yaml: each variant character to
    the one a reader takes it for (one character to one, so span offsets do not move)."""
    table: dict[int, str] = {}
    for plain, variants in (load_yaml("pii/common.yaml").get("reading") or {}).items():
        assert len(plain) == 1, f"reading: {plain!r} is not one character"
        table.update({ord(v): plain for v in variants})
    # full-width digits and Latin letters (U+FF10..FF19, FF21..FF3A, FF41..FF5A) read as ASCII
    table.update({cp: chr(cp - 0xFEE0) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
                  for cp in range(*r)})
    return table
