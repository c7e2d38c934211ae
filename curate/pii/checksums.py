"""Check-digit arithmetic that more than one PII type uses; a type's own weights live in its module.

Every function accepts a value with or without its separators (hyphens, spaces, dots).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NON_DIGIT = re.compile(r"[^0-9]")
_EAN13_WEIGHTS = (1, 3) * 6


def digits_of(value: str) -> str:
    """The ASCII digits of ``value``, separators dropped."""
    return _NON_DIGIT.sub("", value)


def weighted_sum(digits: str, weights: Iterable[int]) -> int:
    """Each digit times its weight, summed: the core of most check-digit schemes. ``digits`` and
    ``weights`` must be as long as each other."""
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def ean13_valid(value: str) -> bool:
    """EAN-13 barcode check digit (Korean products start with 880): a hard negative for IDs."""
    d = digits_of(value)
    if len(d) != 13:
        return False
    return (10 - weighted_sum(d[:12], _EAN13_WEIGHTS) % 10) % 10 == int(d[12])


def korean_ean13(value: str) -> bool:
    """A valid EAN-13 with the Korean GS1 prefix 880: a product barcode."""
    d = digits_of(value)
    return d.startswith("880") and ean13_valid(d)
