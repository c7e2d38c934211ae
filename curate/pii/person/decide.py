"""Whether a candidate word is a name, given the context level it stands in."""

from __future__ import annotations

import math

from curate.pii.person.kiwi import kiwi_verdict
from curate.pii.person.likelihood import given_ratio, name_log, name_ratio, remember, split_name
from curate.pii.person.rules import PARTICLES, PARTICLES_BY_LAST, PersonRules, has_batchim


def name_in_word(word: str, allow_suffix: bool, rules: PersonRules) -> str | None:
    """The name in ``word``: the word itself, or the word less a particle that fits the sound
    before it (김성은: 김성은, not 김성 and 은); the likelier name wins."""
    options = [word] if split_name(word, rules) else []
    if allow_suffix:
        for particle in PARTICLES_BY_LAST.get(word[-1:], ()):  # PARTICLES' order, those it may end in
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                stem = word[: -len(particle)]
                if split_name(stem, rules) and _fits(stem, particle):
                    options.append(stem)
    if not options:
        return None
    return max(options, key=lambda s: (name_log(s, rules), -len(s)))


# particles that follow only a closed syllable (one with a final consonant), and only an open one
_AFTER_CLOSED = frozenset(p for p in PARTICLES if p[0] in "이은을과으아")
_AFTER_OPEN = frozenset({"가", "는", "를", "와", "랑", "야", "라고", "라는", "라며", "였다", "예요", "다"})


def _fits(stem: str, particle: str) -> bool:
    """Whether ``particle`` may follow ``stem``'s last syllable (김민수가, 김민준이; not 김민준가)."""
    if particle in _AFTER_CLOSED:
        return has_batchim(stem[-1])
    if particle in _AFTER_OPEN:
        return not has_batchim(stem[-1])
    return True



# what each level asks: the least ratio with Kiwi's "name" verdict and with any other verdict but
# "common" (None: that verdict is refused); whether the corpus's common words are refused
_LEVELS = {
    "strong": ("strong", "strong", True),
    "medium": ("medium", "medium_unknown", True),
    "list": ("list", "list_unknown", True),
    "bare": ("bare", "bare_unknown", True),
    "kin": ("kin", "kin_unknown", True),
    "vocative": ("vocative", "vocative_unknown", True),
    "again": ("again", "again", True),
}


def wanted(stem: str, level: str, rules: PersonRules, allow: frozenset[str]) -> bool:
    """Whether ``stem`` is worth a Kiwi reading at ``level``."""
    return stem not in allow and viable(stem, level, rules)


def viable(stem: str, level: str, rules: PersonRules) -> bool:
    """Whether ``stem`` may read as a name at ``level`` at all: the least ratio the level asks,
    and no common word the level refuses (what Kiwi would say aside)."""
    ratio = given_ratio(stem, rules) if level in ("kin", "vocative", "again") else name_ratio(stem, rules)
    named, other, guarded = _LEVELS[level]
    return ratio >= min(rules.threshold[named], rules.threshold[other]) and not (guarded and stem in rules.common)


def accept(stem: str, level: str, rules: PersonRules, allow: frozenset[str]) -> bool:
    """Whether ``stem`` reads as a name at ``level`` (remembered until Kiwi's verdicts are emptied)."""
    if stem in allow:
        return False
    decided = rules.memo.decided.get(level)
    if decided is None:
        decided = rules.memo.decided[level] = {}
    found = decided.get(stem)
    if found is None:
        found = remember(decided, stem, _decide(stem, level, rules))
    return found


def _decide(stem: str, level: str, rules: PersonRules) -> bool:
    if not viable(stem, level, rules):
        return False
    given_only = level in ("kin", "vocative", "again")
    ratio = given_ratio(stem, rules) if given_only else name_ratio(stem, rules)
    named, other, _ = _LEVELS[level]
    if len(stem) == 2 and not given_only and (level != "strong" or ratio < rules.threshold["strong_two"]):
        return False  # 이상, 정부, 하든: a surname and one more syllable need strong context and more
    verdict = kiwi_verdict(stem)
    if verdict == "common":
        # a given name may be a word too (명순, 종식): after the full name in the same text, a
        # likely enough given name is one
        return given_only and ratio >= rules.threshold.get(f"{level}_common", math.inf)
    return ratio >= rules.threshold[named if verdict == "name" else other]
