"""The resident-ID scheme that RRN and FRN share: a birth date, a gender and century digit, five
serial digits and a weighted check digit (each type offsets the sum by its own constant).

Numbers issued since October 2020 carry random digits after the gender digit and no valid check
digit, so detection relies on plausibility (date + gender digit) and the check digit only raises
confidence.
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Callable

from curate.pii.checksums import digits_of, weighted_sum
from curate.pii.fake_parts import completed, random_digits, render_digits
from curate.pii.fpe import Permutation

# The check-digit weights of both numbers, defined here only
WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# gender/century digit of RRN and FRN -> century of the birth date
_CENTURY = {"9": 1800, "0": 1800, "1": 1900, "2": 1900, "3": 2000, "4": 2000,
            "5": 1900, "6": 1900, "7": 2000, "8": 2000}
# years fakes draw birth dates from, per gender digit
_BIRTH_YEARS = {"1": (1940, 1999), "2": (1940, 1999), "5": (1940, 1999), "6": (1940, 1999),
                "3": (2000, 2019), "4": (2000, 2019), "7": (2000, 2019), "8": (2000, 2019),
                "9": (1870, 1899), "0": (1870, 1899)}
# Permuted birth dates stop here, a fixed day: the same fakes every year; a later date (a typo or
# a future number) gets a drawn fake instead.
_ID_LAST_DAY = _dt.date(2026, 12, 31)
_SERIALS = 100_000  # the five digits after the gender digit


def check_digit(first12: str, offset: int) -> int:
    """The check digit of the first 12 digits: ``offset`` (11 for RRN, 13 for FRN) less the
    weighted sum, mod 11, mod 10."""
    return (offset - weighted_sum(first12[:12], WEIGHTS) % 11) % 10


def birth_century(gender_digit: str) -> int | None:
    """The first year of the century an RRN/FRN gender digit says its holder was born in."""
    return _CENTURY.get(gender_digit)


def birth_date_valid(yymmdd: str, gender_digit: str) -> bool:
    """The first six digits of an RRN/FRN form a real calendar date in the gender digit's century."""
    century = _CENTURY.get(gender_digit)
    if century is None or len(yymmdd) != 6 or not yymmdd.isdigit():
        return False
    try:
        _dt.date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return False
    return True


def plausible(value: str, genders: frozenset[str]) -> bool:
    """13 digits, a valid birth date and one of ``genders`` as the gender digit."""
    d = digits_of(value)
    return len(d) == 13 and d[6] in genders and birth_date_valid(d[:6], d[6])


def checksum_valid(value: str, check: Callable[[str], int]) -> bool:
    d = digits_of(value)
    return len(d) == 13 and check(d) == int(d[12])


def _birth_date(rng: random.Random, gender_digit: str) -> str:
    lo, hi = _BIRTH_YEARS.get(gender_digit, (1940, 1999))
    start = _dt.date(lo, 1, 1).toordinal()
    day = _dt.date.fromordinal(rng.randint(start, _dt.date(hi, 12, 31).toordinal()))
    return day.strftime("%y%m%d")


def _permuted(d: str, permute: Permutation, check: Callable[[str], int]) -> str | None:
    """(birth date, serial) permuted one-to-one within the gender digit's century, the gender
    digit kept; None when the date is not a real one in that century up to ``_ID_LAST_DAY``."""
    gender = d[6]
    century = birth_century(gender)
    if century is None:
        return None
    try:
        born = _dt.date(century + int(d[:2]), int(d[2:4]), int(d[4:6])).toordinal()
    except ValueError:
        return None
    first = _dt.date(century, 1, 1).toordinal()
    last = min(_dt.date(century + 99, 12, 31), _ID_LAST_DAY).toordinal()
    if not first <= born <= last:
        return None
    image = permute((born - first) * _SERIALS + int(d[7:12]), (last - first + 1) * _SERIALS, f"resident_id|{gender}")
    if image is None:
        return None
    first12 = _dt.date.fromordinal(first + image // _SERIALS).strftime("%y%m%d") + gender + f"{image % _SERIALS:05d}"
    return completed(first12, d, check)


def fake(value: str, rng: random.Random, gender_digits: str, check: Callable[[str], int],
         permute: Permutation | None) -> str:
    """Same gender/century digit, a real birth date, the check digit as far off as the original's;
    with a key, birth date and serial are permuted: distinct numbers never share a fake."""
    d = digits_of(value)
    if permute is not None and len(d) == 13 and d[6] in gender_digits:
        permuted = _permuted(d, permute, check)
        if permuted is not None:
            return render_digits(value, permuted)
    gender = d[6] if len(d) > 6 and d[6] in gender_digits else gender_digits[0]
    first12 = _birth_date(rng, gender) + gender + random_digits(rng, 5)
    return render_digits(value, completed(first12, d if len(d) == 13 else "", check))
