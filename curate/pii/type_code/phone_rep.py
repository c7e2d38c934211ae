"""Nationwide representative numbers (1588-1234): written, normalized and faked as phones are
(``phone``), told apart from spans of years by ``year_range_like``."""

from __future__ import annotations

import re

from curate.pii.type_code import TypeCode
from curate.pii.type_code.phone import fake_phone, national_digits

_GROUPS = re.compile(r"[0-9]+")


def year_range_like(value: str) -> bool:
    """Two 4-digit groups that read as a span of years of a life, reign or period (``1588-1600``,
    ``(1899-1974)``): ascending, at most 150 years apart, both before 2100."""
    groups = _GROUPS.findall(value)
    if len(groups) != 2 or len(groups[0]) != 4 or len(groups[1]) != 4:
        return False
    first, second = int(groups[0]), int(groups[1])
    return 1000 <= first < second <= 2099 and second - first <= 150


# not one_to_one: a fake keeps the prefix and draws the last four digits from the value's keyed
# seed (fake_phone without a permutation), so two numbers may share a fake
CODE = TypeCode(fake=fake_phone, normalize=national_digits, validators=(year_range_like,))
