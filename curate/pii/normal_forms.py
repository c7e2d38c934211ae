"""Normal forms of PII values: what is left when the written form is removed, so that every
way of writing one value maps to the same fake and hash (each type's ``TypeCode.normalize``)."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
_NOT_HANGUL_OR_DIGIT = re.compile(r"[^0-9가-힣]")


def without_spaces(value: str) -> str:
    """The value with its whitespace removed (addresses, names, IPv4: what no other form fits)."""
    return _SPACES.sub("", value)


def case_folded(value: str) -> str:
    """Lower case, a trailing slash dropped: e-mail, URLs, handles, IPv6, passports."""
    return value.lower().rstrip("/")


def hangul_and_digits(value: str) -> str:
    """Only the Hangul letters and digits: a region name or a use letter and the numbers."""
    return _NOT_HANGUL_OR_DIGIT.sub("", value)
