"""Kiwi (kiwipiepy) on candidate words only: each distinct word read once per process, in batches."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from curate.pii.person.rules import CACHE_MAX, KIWI_BATCH, MEMOS


class _Verdicts(dict):
    """Kiwi's verdicts by word; emptying them empties the decisions made with them."""

    def clear(self) -> None:
        super().clear()
        for memo in MEMOS:
            memo.forget_decisions()


_kiwi = None
_kiwi_lock = threading.Lock()
VERDICTS: dict[str, str] = _Verdicts()
# Kiwi's morpheme scores (log probabilities): a word in its dictionary scores about -8 to -13, a
# guess at an unknown word about -20 (서지우, 장미영 as NNG); known names as NNP about -15
_KNOWN_WORD = -16.0
_KNOWN_HEAD = -12.0  # a word of the dictionary before an ending (이상+하+ㄴ -7.8; 안상+후+ㄴ -14.8 is a guess)
_CLOSE_SECOND = 4.0
_PREDICATE = ("E", "J", "VV", "VA", "VX", "VC", "XSV", "XSA")  # endings, particles, verbs, adjectives, copulas
# a whole reading this likely is no guess (노련하+ㄴ -22.9, 나오+엇+던 -23.3); unknown names read as
# pieces score lower (강/NNG 짓/VV 은/ETM -27.5, 한/MM 명/NNB 자/EF -26.8)
_SURE = -24.0


def _verdict(stem: str, analyses) -> str:
    """How Kiwi reads ``stem`` alone: 'name', one proper noun (or nearly: its second reading, close
    behind); 'surname', a proper noun that starts it and pieces after (윤/NNP 성 민); 'common', a
    word of its dictionary that is no proper noun, alone or with an ending (정보, 주인공, 이상+하+ㄴ),
    a number or a verb form (백만+명, 노련하+ㄴ); 'unknown', anything else (a guess at an unknown
    noun: 서지우/NNG, 장경+자)."""
    (first, first_score), *rest = analyses
    if len(first) == 1 and first[0].form == stem and first[0].tag == "NNP":
        return "name"
    if rest:
        second, second_score = rest[0]
        if len(second) == 1 and second[0].form == stem and second[0].tag == "NNP" \
                and first_score - second_score < _CLOSE_SECOND:
            return "name"
    head = first[0]
    if head.tag == "NNP" and stem.startswith(head.form):
        return "surname"
    if first_score >= _SURE and (head.tag == "NR" or any(t.tag.startswith(_PREDICATE) for t in first)):
        # read surely: a number (백만+명), a phrase (남+의+돈) or a verb form (노련하+ㄴ, 주+는+것,
        # 안+되+는); not a determiner and a noun (이+시국, but also 이+지원, 현+지수)
        return "common"
    tail = first[1:]
    if head.tag != "NNP" and len(head.form) >= 2 and head.score >= (_KNOWN_WORD if not tail else _KNOWN_HEAD) \
            and stem.startswith(head.form):
        # 장경+자, 우선+영: a word and one more noun syllable reads as a guess, not as a word
        if not tail or not (len(tail) == 1 and tail[0].tag in ("NNG", "NNB", "NR", "NNP")):
            return "common"
    return "unknown"


def _analyse(words: list[str]) -> None:
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi()
        if len(VERDICTS) + len(words) > CACHE_MAX:
            VERDICTS.clear()
        for i in range(0, len(words), KIWI_BATCH):
            chunk = words[i : i + KIWI_BATCH]
            for word, analyses in zip(chunk, _kiwi.analyze(chunk, top_n=2), strict=True):
                VERDICTS[word] = _verdict(word, analyses)


def kiwi_verdicts(words: Iterable[str]) -> None:
    """Analyse the words not yet cached, in batches (the batch path calls this for all its rows)."""
    todo = sorted({w for w in words if w not in VERDICTS})
    if todo:
        _analyse(todo)


def kiwi_verdict(stem: str) -> str:
    if stem not in VERDICTS:
        _analyse([stem])
    return VERDICTS[stem]


def clear_verdicts() -> None:
    """Forget Kiwi's verdicts (and the decisions made with them): a benchmark's cold start."""
    VERDICTS.clear()
