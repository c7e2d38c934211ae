"""Health-insurance card numbers: 11 digits, the first the kind of insured."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of
from curate.pii.fake_parts import random_digits, render_digits
from curate.pii.fpe import Permutation, permute_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def eleven_digits(value: str) -> bool:
    """Exactly 11 digits however they are grouped: a health-insurance card number."""
    return len(digits_of(value)) == 11


def fake_health_insurance(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """The leading digit (kind of insured) kept, the rest redrawn (permuted, with a key)."""
    d = digits_of(value)
    permuted = permute_digits(permute, d[1:], f"health_insurance|{d[:1]}") if permute and len(d) > 1 else None
    return render_digits(value, d[:1] + (permuted or random_digits(rng, len(d) - 1)))


CODE = TypeCode(fake=fake_health_insurance, normalize=digits_of, validators=(eleven_digits,), one_to_one=True)
