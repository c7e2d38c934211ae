"""How name-like a word is: a log likelihood ratio of name statistics against real words' syllables."""

from __future__ import annotations

import math

from curate.pii.person.rules import (
    CACHE_MAX,
    KIN_STOP,
    NAME_PSEUDO,
    NAME_SYLLABLES,
    ONE_SYLLABLE_GIVEN,
    TEXT_PSEUDO,
    TEXT_SYLLABLES,
    WORD_END_LOG,
    PersonRules,
)


def split_name(stem: str, rules: PersonRules) -> tuple[str, str] | None:
    """(surname, given name) when ``stem`` reads as one: a listed surname, 1-2 given syllables."""
    if len(stem) >= 3 and stem[:2] in rules.surnames and len(stem) <= 4:
        return stem[:2], stem[2:]
    if stem[:1] in rules.surnames and 2 <= len(stem) <= 3:
        return stem[:1], stem[1:]
    return None


def _name_log(counts: dict[str, int], syllable: str, rules: PersonRules) -> float:
    return math.log((counts.get(syllable, 0) + NAME_PSEUDO) / (rules.n_given + NAME_PSEUDO * NAME_SYLLABLES))


def _text_log(length: int, place: int, syllable: str, rules: PersonRules) -> float:
    key = (min(length, 3), min(place, min(length, 3) - 1))
    counts = rules.text[key]
    count = counts.get(syllable)
    if count is None:  # a syllable of no surname or given name: as common as such syllables are
        count = counts.get("~", 0)
    return math.log((count + TEXT_PSEUDO) / (rules.text_total.get(key, 0) + TEXT_PSEUDO * TEXT_SYLLABLES))


def name_ratio(stem: str, rules: PersonRules) -> float:
    """How much likelier ``stem`` is as a full name than as a word of real text (natural log):
    the surname's share and the given-name syllables' places in given names, against the same
    syllables' places in words as long. -inf for what is not surname + given name, or a stop word.
    Remembered per rules and stem (a pure function of both)."""
    found = rules.memo.ratio.get(stem)
    if found is None:
        found = remember(rules.memo.ratio, stem, _name_ratio(stem, rules))
    return found


def given_ratio(given: str, rules: PersonRules) -> float:
    """``name_ratio`` for a given name of two syllables written alone (수진 씨, 지훈아)."""
    found = rules.memo.given.get(given)
    if found is None:
        found = remember(rules.memo.given, given, _given_ratio(given, rules))
    return found


def remember(memo: dict, key: str, value):
    if len(memo) > CACHE_MAX:
        memo.clear()
    memo[key] = value
    return value


def name_log_prob(stem: str, rules: PersonRules) -> float:
    parts = split_name(stem, rules)
    if parts is None or stem in rules.stop:
        return -math.inf
    surname, given = parts
    if given in rules.titles or given == "모":
        return -math.inf  # 김기자, 박감독: a surname and a title; 김모 (某): a name withheld
    name = math.log(rules.surnames[surname][0] / 100)
    if len(given) == 1:
        name += ONE_SYLLABLE_GIVEN + max(_name_log(rules.first, given, rules), _name_log(rules.second, given, rules))
    else:
        name += _name_log(rules.first, given[0], rules) + _name_log(rules.second, given[1], rules)
    if given[-1] in rules.word_ends and not rules.second.get(given[-1]):
        name += WORD_END_LOG
    return name


def _name_ratio(stem: str, rules: PersonRules) -> float:
    name = name_log(stem, rules)
    if name == -math.inf:
        return name
    # the ordinary-word side: a two-syllable surname is read as one syllable of the word
    word = stem[0] + split_name(stem, rules)[1]
    return name - sum(_text_log(len(word), i, ch, rules) for i, ch in enumerate(word))


def _given_ratio(given: str, rules: PersonRules) -> float:
    if len(given) != 2 or given in rules.stop or given in KIN_STOP:
        return -math.inf
    name = _name_log(rules.first, given[0], rules) + _name_log(rules.second, given[1], rules)
    return name - _text_log(2, 0, given[0], rules) - _text_log(2, 1, given[1], rules)

def name_log(stem: str, rules: PersonRules) -> float:
    """The log probability of ``stem`` as a name (the name side of ``name_ratio``)."""
    found = rules.memo.log.get(stem)
    if found is None:
        found = remember(rules.memo.log, stem, name_log_prob(stem, rules))
    return found
