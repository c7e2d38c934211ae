"""Resident registration numbers (주민등록번호): the shared resident-ID scheme (``_resident_id``) with
Korean citizens' gender digits (1-4; 9 and 0 for the 1800s) and a check digit offset by 11."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of, ean13_valid
from curate.pii.fpe import Permutation
from curate.pii.type_code import TypeCode, _resident_id

if TYPE_CHECKING:
    from faker import Faker

_GENDERS = frozenset("123490")


def rrn_check_digit(first12: str) -> int:
    """Check digit of a resident registration number (pre-October-2020 scheme)."""
    return _resident_id.check_digit(first12, 11)


def rrn_checksum_valid(value: str) -> bool:
    """Whether the last digit is the check digit of the first twelve (pre-October-2020 scheme)."""
    return _resident_id.checksum_valid(value, rrn_check_digit)


def rrn_plausible(value: str) -> bool:
    """13 digits, a valid birth date and a Korean-citizen gender digit (1-4, 9, 0).

    Enough for detection: numbers issued since October 2020 have no valid check digit.
    """
    return _resident_id.plausible(value, _GENDERS)


def rrn_valid(value: str) -> bool:
    """Plausible and carrying a correct (pre-2020 scheme) check digit."""
    return rrn_plausible(value) and rrn_checksum_valid(value)


def fake_rrn(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """Same gender/century digit, a real birth date, a valid (pre-2020 scheme) check digit; with a
    key, birth date and serial are permuted: distinct numbers never share a fake."""
    return _resident_id.fake(value, rng, "1234905678", rrn_check_digit, permute)


CODE = TypeCode(fake=fake_rrn, normalize=digits_of, validators=(rrn_plausible, rrn_checksum_valid, ean13_valid),
                one_to_one=True)
