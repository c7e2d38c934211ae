"""Nationwide representative numbers (1588-1234): written, normalized and faked as phones are
(``phone``), told apart from spans of years by ``year_range_like``."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from curate.pii.fake_parts import render_digits
from curate.pii.fpe import Permutation
from curate.pii.type_code import TypeCode
from curate.pii.type_code.phone import fake_phone, national, national_digits

if TYPE_CHECKING:
    from faker import Faker

_GROUPS = re.compile(r"[0-9]+")


def year_range_like(value: str) -> bool:
    """Two 4-digit groups that read as a span of years of a life, reign or period (``1588-1600``,
    ``(1899-1974)``): ascending, at most 150 years apart, both before 2100."""
    groups = _GROUPS.findall(value)
    if len(groups) != 2 or len(groups[0]) != 4 or len(groups[1]) != 4:
        return False
    first, second = int(groups[0]), int(groups[1])
    return 1000 <= first < second <= 2099 and second - first <= 150


def fake_phone_rep(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """The prefix (1588) kept, the last four digits permuted with a key (any four digits: 1588-0123
    is a number, where a phone's subscriber part never starts with 0 or 1), else drawn: distinct
    numbers never share a fake within a key."""
    number, international = national(value)
    if permute is None or international or len(number) != 8:  # as written in the text: 1588-1234
        return fake_phone(value, rng, faker)
    # a derangement: a permutation of 10,000 numbers has a fixed point more often than not (63%),
    # and that number's fake would be itself
    image = permute.derange(int(number[4:]), 10_000, f"phone_rep|{number[:4]}")
    return fake_phone(value, rng, faker) if image is None else render_digits(value, f"{number[:4]}{image:04d}")


CODE = TypeCode(fake=fake_phone_rep, normalize=national_digits, validators=(year_range_like,), one_to_one=True)
