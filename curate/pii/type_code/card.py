"""Payment card numbers: 14-16 digits whose last is a Luhn (mod 10) check digit."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of
from curate.pii.fake_parts import completed, random_digits, render_digits
from curate.pii.fpe import Permutation, permute_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def luhn_check_digit(partial: str) -> int:
    """The digit that makes ``partial`` + it pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(partial)):  # the digit to come is position 0: double the odd ones here
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return -total % 10


def luhn_valid(value: str) -> bool:
    """At least 12 digits, the last the Luhn check digit of the others."""
    d = digits_of(value)
    return len(d) >= 12 and luhn_check_digit(d[:-1]) == int(d[-1])


def card_bin_plausible(value: str) -> bool:
    """Leading digits of an issued card range: Visa, Mastercard, Amex, JCB, Diners, UnionPay, or the
    9-prefixed Korean domestic cards."""
    d = digits_of(value)
    if len(d) < 14:
        return False
    two, four = int(d[:2]), int(d[:4])
    return d[0] in "49" or 51 <= two <= 55 or 2221 <= four <= 2720 or two in (34, 35, 36, 37, 38, 30, 62)


def has_separator(value: str) -> bool:
    """The value is written in groups (hyphens or spaces), as people write cards and accounts."""
    return any(ch in value for ch in "- ")


def fake_card(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """Same length, grouping and network (first two digits; 2221-2720 Mastercard kept in range);
    with a key the digits after the network are permuted and the Luhn digit recomputed."""
    d = digits_of(value)
    if permute is not None and len(d) >= 12:
        head = d[:4] if d.startswith("2") else d[:2]
        body = permute_digits(permute, d[len(head):-1], f"card|{head}|{len(d)}")
        if body is not None:
            return render_digits(value, completed(head + body, d, luhn_check_digit))
    if d.startswith("2"):
        head = str(rng.randint(2221, 2720))
    else:
        head = d[:2]
    partial = head + random_digits(rng, len(d) - len(head) - 1)
    return render_digits(value, partial + str(luhn_check_digit(partial)))


CODE = TypeCode(fake=fake_card, normalize=digits_of, validators=(luhn_valid, card_bin_plausible, has_separator),
                one_to_one=True)
