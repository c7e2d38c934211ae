"""Bank account numbers: 10-14 digits; fakes keep the grouping (digits permuted, with a key)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of, korean_ean13
from curate.pii.fake_parts import random_digits, render_digits
from curate.pii.fpe import Permutation, permute_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def account_length_ok(value: str) -> bool:
    """Korean bank account numbers have 10 to 14 digits."""
    return 10 <= len(digits_of(value)) <= 14


def fake_bank_account(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    d = digits_of(value)
    permuted = permute_digits(permute, d, "bank_account", first_from=1) if permute else None
    return render_digits(value, permuted or random_digits(rng, len(d), first_nonzero=True))


CODE = TypeCode(fake=fake_bank_account, normalize=digits_of, validators=(account_length_ok, korean_ean13),
                one_to_one=True)
