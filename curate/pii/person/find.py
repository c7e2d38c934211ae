"""Finding names in texts: the scan of a text's candidates, lists, repeated mentions; the batch path."""

from __future__ import annotations

import bisect
import itertools

import regex

from curate.pii.person.decide import accept, name_in_word, viable, wanted
from curate.pii.person.kiwi import VERDICTS, kiwi_verdict, kiwi_verdicts
from curate.pii.person.likelihood import name_ratio, remember, split_name
from curate.pii.person.rules import (
    BRANCH_AFTER,
    BRANCH_BARE,
    BRANCH_BEFORE,
    BRANCH_KIN,
    BRANCH_LIST,
    BRANCH_VOCATIVE,
    PARTICLES,
    Candidate,
    PersonRules,
    person_rules,
)

Scans = dict[str, list[Candidate]]  # text -> its names (``prepare``, the batch path)


def prepare(texts: list[str], matched: list[list[list[str]]], allow: frozenset[str] = frozenset()) -> Scans:
    """The batch path's rows and each candidate branch's matches in them (Polars): the rows are
    scanned here, Kiwi reads every word a decision may ask it about, in batches (the same
    verdicts as one word at a time, fewer calls), and each row's names are found; the caller
    hands them to ``find`` (with the same ``allow``)."""
    rules = person_rules()
    words = set()
    scanned = []
    for text, found in zip(texts, matched, strict=True):
        scan = _scan(text, found, rules)
        scanned.append(scan)
        for level, _, _, stem, _ in scan:
            if stem not in VERDICTS and wanted(stem, level, rules, allow):
                words.add(stem)
    kiwi_verdicts(words)
    return {text: _find(text, scan, rules, allow) for text, scan in zip(texts, scanned, strict=True)}


_STRONG_WHOLE = ("t", "h", "hg", "a")  # the name is the whole word before these
_LEVEL = {"t": "strong", "h": "strong", "hg": "medium", "a": "strong", "ls": "strong", "rc": "strong", "rb": "strong",
          "in": "strong", "cp": "medium", "sg": "medium", "by": "medium", "r": "medium"}


def _scan(text: str, matched: list[list[str]] | None, rules: PersonRules) -> list[tuple]:
    """(level, start, end, stem, group) of every name-shaped word in a naming context and of every
    bare, listed, given-name-alone candidate; ``group``: the list a listed word belongs to."""
    if matched is None:
        matched = [pattern.findall(text) for pattern in rules.candidate]
    positions = [_positions(text, pieces) if pieces else () for pieces in matched]
    out: list[tuple] = []
    if positions[BRANCH_AFTER]:
        for m in _after_matches(text, positions[BRANCH_AFTER], rules.after_context):
            stem = name_in_word(m.group("w"), m.lastgroup not in _STRONG_WHOLE, rules)
            if stem is not None:
                start = m.start("w")
                out.append((_LEVEL[m.lastgroup], start, start + len(stem), stem, -1))
    if positions[BRANCH_BEFORE]:
        for m in _before_matches(text, positions[BRANCH_BEFORE], rules.before_context):
            context = next(g for g in ("rc", "rb", "in", "by", "r") if m.start(g) >= 0)
            stem = name_in_word(m.group("w"), True, rules)
            if stem is not None:
                start = m.start("w")
                out.append((_LEVEL[context], start, start + len(stem), stem, -1))
    for start, end in positions[BRANCH_BARE]:
        if _word_start(text, start):
            word = text[start:end] if end == len(text) or not "가" <= text[end] <= "힣" else _hangul_run(text, start)
            stem = bare_name(word, rules)
            if stem is not None:
                out.append(("bare", start, start + len(stem), stem, -1))
    listed: set[int] = set()
    for start, _ in positions[BRANCH_LIST]:
        if start not in listed and _word_start(text, start):
            items = _list_at(text, start, rules)
            listed.update(s for s, _, _ in items)
            out += [("list", s, e, stem, start) for s, e, stem in items]
    for start, _ in positions[BRANCH_KIN]:
        if _word_start(text, start):
            m = rules.kin.match(text, start)
            if m is not None:
                out.append(("kin", start, start + 2, m.group("w"), -1))
    for start, _ in positions[BRANCH_VOCATIVE]:
        if _word_start(text, start) and (start + 3 == len(text) or not _hangul(text[start + 3])):
            out.append(("vocative", start, start + 2, text[start : start + 2], -1))
    return out


def _positions(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Where each match of a branch is: a branch has no lookaround, so a match's string found
    again from the previous match's end is where it matched."""
    out = []
    at = 0
    for piece in pieces:
        start = text.find(piece, at)
        at = start + len(piece)
        out.append((start, at))
    return out


_INNER_START = regex.compile(r"(?<=[^가-힣A-Za-z0-9])[가-힣]")


def _after_matches(text: str, spans, pattern: regex.Pattern):
    """The after-context pattern's matches, tried where one may start: a word start in or just
    before a match of its candidate branch. A word holding a name starts after a non-letter and
    runs into its context; the branch (no lookaround) matches from that word's start or one
    syllable on (a five-syllable word), or from within an earlier branch match that reaches into
    the word (우리 양미 씨: "우리 양" before "미 씨"), so every such start is where a branch match
    starts, one syllable before it, or a word start inside one. Tried in order, a match found
    skips the starts it covers (as ``finditer`` would)."""
    starts = []
    for start, end in spans:
        at = start
        if at and "가" <= text[at - 1] <= "힣":
            at -= 1
        if at == 0 or not _word_char(text[at - 1]):
            starts.append(at)
        starts += [m.start() for m in _INNER_START.finditer(text, start + 1, end)]
    reached = -1
    for at in sorted(set(starts)):
        if at >= reached:
            m = pattern.match(text, at)
            if m is not None:
                reached = m.end()
                yield m


def _before_matches(text: str, spans, pattern: regex.Pattern):
    """The before-context pattern's matches at every place in its candidate branch's matches
    (overlapping: a role may stand where a name would, 대표자 성명 홍길동)."""
    done = -1
    for start, end in spans:
        for at in range(max(start, done), end):
            m = pattern.match(text, at)
            if m is not None:
                yield m
        done = end


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _word_char(ch: str) -> bool:
    return "가" <= ch <= "힣" or (ch.isascii() and ch.isalnum())


def _word_start(text: str, start: int) -> bool:
    return start == 0 or not _word_char(text[start - 1])


def _hangul_run(text: str, start: int) -> str:
    end = start
    while end < len(text) and "가" <= text[end] <= "힣":
        end += 1
    return text[start:end]


def bare_name(word: str, rules: PersonRules) -> str | None:
    """The name in a bare word (a surname, two given-name syllables, a particle) when it may
    read as a name without context (``viable``), remembered."""
    memo = rules.memo.bare
    if word in memo:
        return memo[word]
    stem = None
    if rules.bare.fullmatch(word):
        found = name_in_word(word, True, rules)
        if found is not None and len(found) >= 3 and viable(found, "bare", rules):
            stem = found
    return remember(memo, word, stem)


def _list_at(text: str, start: int, rules: PersonRules) -> list[tuple[int, int, str]]:
    """The name-like words of a list starting at ``start`` (two or more, joined by commas, middle
    dots, 와/과/랑/하고, 및), the last perhaps with a particle; none when it is no such list."""
    items = []
    at = start
    while True:  # each word after the first starts after a joiner's space, comma or dot
        m = rules.list_item.match(text, at)
        if m is None:
            break
        stem = m.group("w")
        items.append((at, at + len(stem), stem))
        if m.group("j") is None:
            break
        at = m.end()
    return items if len(items) >= 2 else []


def find(text: str, rules: PersonRules, allow: frozenset[str] = frozenset(),
         scans: Scans | None = None) -> list[Candidate]:
    """Name spans in ``text``: (start, end, "person", score); ``scans``: what ``prepare`` found."""
    if scans:
        names = scans.get(text)
        if names is not None:
            return names
    return _find(text, _scan(text, None, rules), rules, allow)


def _find(text: str, scan: list[tuple], rules: PersonRules, allow: frozenset[str]) -> list[Candidate]:
    found: dict[tuple[int, int], float] = {}

    def add(start: int, end: int, level: str) -> None:
        found[(start, end)] = max(found.get((start, end), 0.0), rules.scores[level])

    for level, start, end, stem, _ in scan:
        if level in ("strong", "medium") and accept(stem, level, rules, allow):
            add(start, end, level)
    if found:
        _lists(text, found, rules, allow)
    groups: dict[int, list[tuple[int, int, str]]] = {}
    for level, start, end, stem, group in scan:
        if level == "list":
            groups.setdefault(group, []).append((start, end, stem))
    for items in groups.values():
        if _list_accepted(text, items, found, rules, allow):
            for s, e, stem in items:
                if stem not in allow:
                    add(s, e, "list")
    for level, start, end, stem, _ in scan:
        if level in ("bare", "kin", "vocative") and (start, end) not in found and accept(stem, level, rules, allow):
            add(start, end, level)
    if found:
        _again(text, found, rules, allow)
    return [(s, e, "person", score) for (s, e), score in sorted(found.items())]


def _list_accepted(text: str, items: list[tuple[int, int, str]], found: dict[tuple[int, int], float],
                   rules: PersonRules, allow: frozenset[str]) -> bool:
    """A list of name-like words is a list of names when one of them reads as a name at the
    list level (or was found otherwise, or is allow-listed) and every one at least as a weak
    one: not a common word to Kiwi, the ratio at least ``list_weak``, and not before 하고
    (어수선하고 이재명: a verb's ending, not a joiner)."""
    strong = 0
    for s, e, stem in items:
        if (s, e) in found or stem in allow or accept(stem, "list", rules, allow):
            strong += 1  # an allow-listed name is a name too, though never reported
        elif name_ratio(stem, rules) < rules.threshold["list_weak"] or kiwi_verdict(stem) == "common" \
                or text.startswith("하고", e):
            return False
    return strong >= 1


def _lists(text: str, found: dict[tuple[int, int], float], rules: PersonRules, allow: frozenset[str]) -> None:
    """Names listed beside a found one (``김철수, 이영희, 박민수 씨``) are names too."""
    todo = sorted(found)
    while todo:
        start, end = todo.pop()
        left = rules.list_left.search(text[max(0, start - 12) : start])
        if left:
            stem = name_in_word(left.group("w"), False, rules)
            s = max(0, start - 12) + left.start("w")
            if stem and (s, s + len(stem)) not in found and accept(stem, "medium", rules, allow):
                found[(s, s + len(stem))] = rules.scores["medium"]
                todo.append((s, s + len(stem)))
        right = rules.list_right.match(text[end : end + 20])
        if right:
            word = right.group("w")
            stem = name_in_word(word, True, rules)
            s = end + right.start("w")
            if stem and (s, s + len(stem)) not in found and accept(stem, "medium", rules, allow):
                found[(s, s + len(stem))] = rules.scores["medium"]
                todo.append((s, s + len(stem)))


_AFTER_AGAIN = frozenset(PARTICLES) | {"씨", "님"}


def _again(text: str, found: dict[tuple[int, int], float], rules: PersonRules, allow: frozenset[str]) -> None:
    """Every other whole-word mention (particle attached or not) of a name found in the text, and
    of its given name alone (홍길동 씨는 … 길동이) where that reads as a given name."""
    stems = {text[s:e] for s, e in found if e - s >= 3}
    givens = set()
    for stem in stems:
        parts = split_name(stem, rules)
        if parts and len(parts[1]) == 2 and parts[1] not in stems:
            givens.add(parts[1])
    taken = sorted(found)
    starts = [s for s, _ in taken]
    reach = list(itertools.accumulate((e for _, e in taken), max))  # furthest end up to each span
    new = {}
    for stem in sorted(stems | givens):
        at = text.find(stem)
        while at >= 0:
            end = at + len(stem)
            i = bisect.bisect_left(starts, end)  # spans starting before this mention ends
            if (at == 0 or not _word_char(text[at - 1])) and _word_ends_here(text, end) \
                    and (i == 0 or reach[i - 1] <= at) \
                    and (stem in stems or accept(stem, "again", rules, allow)):
                new[(at, end)] = rules.scores["again"]
            at = text.find(stem, end)
    found.update(new)


def _word_ends_here(text: str, end: int) -> bool:
    """The word ends at ``end``, or only a particle (or 씨/님) follows in it."""
    tail = end
    while tail < len(text) and "가" <= text[tail] <= "힣":
        tail += 1
    return tail == end or text[end:tail] in _AFTER_AGAIN
