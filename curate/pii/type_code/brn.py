"""Business registration numbers (사업자등록번호, 123-45-67890): a tax office code, a business-kind
code, a serial and a weighted check digit."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of, weighted_sum
from curate.pii.fake_parts import completed, random_digits, render_digits
from curate.pii.fpe import Permutation, permute_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker

# The check-digit weights, defined here only
WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> int:
    """Check digit of a business registration number (사업자등록번호)."""
    total = weighted_sum(first9, WEIGHTS) + int(first9[8]) * 5 // 10
    return (10 - total % 10) % 10


def brn_valid(value: str) -> bool:
    """Check digit of a 10-digit business registration number (사업자등록번호, 123-45-67890)."""
    d = digits_of(value)
    return len(d) == 10 and brn_check_digit(d[:9]) == int(d[9])


def fake_brn(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """Tax office code redrawn, business-kind code (middle two digits) kept, valid check digit;
    with a key, office and serial are permuted: distinct numbers never share a fake."""
    d = digits_of(value)
    if permute is not None and len(d) == 10:
        body = permute_digits(permute, d[:3] + d[5:9], f"brn|{d[3:5]}")
        if body is not None:
            return render_digits(value, completed(body[:3] + d[3:5] + body[3:], d, brn_check_digit))
    kind = d[3:5] if len(d) == 10 else random_digits(rng, 2)
    first9 = str(rng.randint(101, 899)) + kind + random_digits(rng, 4)
    return render_digits(value, first9 + str(brn_check_digit(first9)))


CODE = TypeCode(fake=fake_brn, normalize=digits_of, validators=(brn_valid,), one_to_one=True)
