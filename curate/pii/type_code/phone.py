"""Phone numbers: mobile, landline, 070/050x; written nationally (010-1234-5678) or with +82."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of
from curate.pii.fake_parts import random_digits, render_digits
from curate.pii.fpe import Permutation, permute_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def national(value: str) -> tuple[str, str]:
    """(national digits starting with 0, the prefix the template's digits carry before them)."""
    d = digits_of(value)
    if value.lstrip().startswith("+") or (d.startswith("82") and not d.startswith("0")):
        rest = d[2:]
        if rest.startswith("0"):  # +82 (0)10-...
            return rest, "82"
        return "0" + rest, "82-"  # the national 0 is not written
    return d, ""


def national_digits(value: str) -> str:
    """``010-1234-5678``, ``01012345678`` and ``+82 10 1234 5678``: the same digits."""
    return national(value)[0]


def _prefix(national_number: str) -> str:
    if national_number.startswith("02"):
        return "02"
    if national_number.startswith("050"):
        return national_number[:4]
    if national_number[:2] in ("15", "16", "18"):  # nationwide representative numbers (1588-xxxx)
        return national_number[:4]
    return national_number[:3]


def fake_phone(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """The prefix (mobile carrier, area code, 1588) kept, the rest redrawn (permuted, with a key)."""
    number, intl = national(value)
    prefix = _prefix(number)
    body_len = len(number) - len(prefix)
    body = number[len(prefix):]
    # one-to-one within a key (curate.pii.fpe); a body that starts 0/1 (no real number does) is drawn
    permuted = permute_digits(permute, body, f"phone|{prefix}", first_from=2) if permute else None
    fake = prefix + (permuted or (str(rng.randint(2, 9)) + random_digits(rng, body_len - 1) if body_len > 0 else ""))
    if intl == "82-":
        return render_digits(value, "82" + fake[1:])
    return render_digits(value, intl + fake)


CODE = TypeCode(fake=fake_phone, normalize=national_digits, one_to_one=True)
