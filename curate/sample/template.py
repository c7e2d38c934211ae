"""Fill ``{slot}`` templates and fix the particle after each slot (회사는 / 회사가 vs 기업은 / 기업이).

A template writes one form of the particle (``{company}는``); the filler picks the
form that agrees with the value's last sound, as a Korean writer would.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# particle pairs: (after a final consonant, after a vowel)
_PAIRS = {"은": ("은", "는"), "는": ("은", "는"), "이": ("이", "가"), "가": ("이", "가"),
          "을": ("을", "를"), "를": ("을", "를"), "과": ("과", "와"), "와": ("과", "와"),
          "으로": ("으로", "로"), "로": ("으로", "로")}
# final sound of digits as read in Sino-Korean (영 일 이 삼 사 오 육 칠 팔 구): 0 none, 1 other, 2 ㄹ
_DIGIT_FINAL = {"0": 1, "1": 2, "2": 0, "3": 1, "4": 0, "5": 0, "6": 1, "7": 2, "8": 2, "9": 0}
_SLOT = re.compile(r"\{(\w+)\}(?:(으로|은|는|이|가|을|를|과|와|로)(?![가-힣]))?")


def _final(word: str) -> int:
    """0: ends in a vowel, 1: in a consonant other than ㄹ, 2: in ㄹ."""
    last = word.rstrip(" )\"'")[-1:] or "a"
    if "가" <= last <= "힣":
        jong = (ord(last) - 0xAC00) % 28
        return 0 if jong == 0 else 2 if jong == 8 else 1
    if last.isdigit():
        return _DIGIT_FINAL.get(last, 0)
    # Latin letters as read aloud: .com "컴", .net "넷", .kr "케이알"
    return 2 if last in "lLrR" else 1 if last in "mnkptbMNKPTB" else 0


def attach(word: str, particle: str) -> str:
    """``word`` followed by the form of ``particle`` that agrees with it."""
    consonant_form, vowel_form = _PAIRS[particle]
    final = _final(word)
    if particle in ("으로", "로"):
        return word + (vowel_form if final in (0, 2) else consonant_form)
    return word + (vowel_form if final == 0 else consonant_form)


def fill(template: str, lookup: Callable[[str], str]) -> str:
    """Replace each ``{slot}`` by ``lookup(slot)`` and make the particle right after it agree."""

    def one(m: re.Match[str]) -> str:
        value = lookup(m.group(1))
        return attach(value, m.group(2)) if m.group(2) else value

    return _SLOT.sub(one, template)
