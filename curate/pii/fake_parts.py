"""Pieces the fake generators of the PII types (curate/pii/type_code/) share.

A generator gets the original value and a seeded ``random.Random`` (the Faker instance's own
generator, so Faker providers and rule-based draws share one seeded stream) and returns a value
of the same type in the same written form; these are the draws and rewrites they have in common.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from curate.pii.catalog import pii_types
from curate.rules import cached_per_rules

ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz"
ASCII_UPPER = ASCII_LOWER.upper()
DIGITS = "0123456789"
HEX = "0123456789abcdef"
MAX_ATTEMPTS = 32  # draws before giving up on a fake that differs from the original


@cached_per_rules
def fake_settings(pii_type: str) -> dict[str, Any]:
    """The ``fake:`` data of rules/pii/types/<pii_type>.yaml (documentation ranges, kinds, regions)."""
    return pii_types()[pii_type].fake_settings


def random_digits(rng: random.Random, n: int, first_nonzero: bool = False) -> str:
    if n <= 0:
        return ""
    low = 10 ** (n - 1) if first_nonzero else 0
    return str(rng.randrange(low, 10**n)).zfill(n)  # one draw per run of digits: fakes are hot


def render_digits(template: str, digits: str) -> str:
    """Write ``digits`` into the ASCII digit positions of ``template``, keeping everything else."""
    it = iter(digits)
    return "".join(next(it) if "0" <= c <= "9" else c for c in template)


def shuffle_chars(value: str, rng: random.Random) -> str:
    """Same shape, new characters: a letter stays a letter of the same case, a digit a digit,
    a Hangul syllable a Hangul syllable; punctuation and spaces stay."""
    out = []
    for c in value:
        if "0" <= c <= "9":
            out.append(rng.choice(DIGITS))
        elif "a" <= c <= "z":
            out.append(rng.choice(ASCII_LOWER))
        elif "A" <= c <= "Z":
            out.append(rng.choice(ASCII_UPPER))
        elif "가" <= c <= "힣":
            out.append(chr(rng.randint(0xAC00, 0xD7A3)))
        else:
            out.append(c)
    return "".join(out)


def completed(body: str, original: str, check: Callable[[str], int]) -> str:
    """``body`` and its check digit, offset as far as ``original``'s last digit is from its own
    valid one (0 for a valid number): a number issued without the scheme (RRNs since October
    2020) keeps its offset in its fake, so values differing only there get different fakes."""
    offset = (int(original[-1]) - check(original[:-1])) % 10 if original else 0
    return body + str((check(body) + offset) % 10)
