"""Foreign registration numbers (외국인등록번호): the shared resident-ID scheme (``_resident_id``) with
foreigners' gender digits (5-8) and a check digit offset by 13 instead of 11."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of, ean13_valid
from curate.pii.fpe import Permutation
from curate.pii.type_code import TypeCode, _resident_id

if TYPE_CHECKING:
    from faker import Faker

_GENDERS = frozenset("5678")


def frn_check_digit(first12: str) -> int:
    """Check digit of a foreign registration number: the RRN sum, offset by 13 instead of 11."""
    return _resident_id.check_digit(first12, 13)


def frn_checksum_valid(value: str) -> bool:
    """Whether the last digit is the check digit of the first twelve (foreign registration scheme)."""
    return _resident_id.checksum_valid(value, frn_check_digit)


def frn_plausible(value: str) -> bool:
    """13 digits, a valid birth date and a foreigner gender digit (5-8)."""
    return _resident_id.plausible(value, _GENDERS)


def frn_valid(value: str) -> bool:
    """Plausible and carrying a correct FRN check digit."""
    return frn_plausible(value) and frn_checksum_valid(value)


def fake_frn(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    return _resident_id.fake(value, rng, "5678", frn_check_digit, permute)


CODE = TypeCode(fake=fake_frn, normalize=digits_of, validators=(frn_plausible, frn_checksum_valid, ean13_valid),
                one_to_one=True)
