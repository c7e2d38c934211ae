"""Format and check-digit validators for Korean and international identifiers.

Pure functions on strings. The detector uses them to raise confidence; the pseudonymizer uses
them to make fakes that look valid; tests use them as ground truth. Every function accepts the
value with or without its separators (hyphens, spaces, dots) unless its name says otherwise.

Resident registration numbers issued since October 2020 carry random digits after the gender
digit and no valid check digit, so ``rrn_plausible`` (date + gender digit) is what detection
relies on, and ``rrn_valid`` (plausible + check digit) only raises confidence.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re

_NON_DIGIT = re.compile(r"[^0-9]")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")
_MAC_DOTTED = re.compile(r"^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$")

# gender/century digit of RRN and FRN -> century of the birth date
_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "3": 2000,
    "4": 2000,
    "5": 1900,
    "6": 1900,
    "7": 2000,
    "8": 2000,
}
_RRN_GENDER = frozenset("123490")
_FRN_GENDER = frozenset("5678")
# The check-digit rules, defined here only: the validators, the fakes (curate.pii.fakes), the
# sample corpus (curate.sample.pii) and the evaluation (benchmarks/pii_eval) all use these.
_ID_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def digits_of(value: str) -> str:
    """The ASCII digits of ``value``, separators dropped."""
    return _NON_DIGIT.sub("", value)


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


def _id_weighted_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits[:12], _ID_WEIGHTS, strict=True))


def rrn_check_digit(first12: str) -> int:
    """Check digit of a resident registration number (pre-October-2020 scheme)."""
    return (11 - _id_weighted_sum(first12) % 11) % 10


def frn_check_digit(first12: str) -> int:
    """Check digit of a foreign registration number: the RRN sum, offset by 13 instead of 11."""
    return (13 - _id_weighted_sum(first12) % 11) % 10


def brn_check_digit(first9: str) -> int:
    """Check digit of a business registration number (사업자등록번호)."""
    total = sum(int(x) * w for x, w in zip(first9, _BRN_WEIGHTS, strict=True)) + int(first9[8]) * 5 // 10
    return (10 - total % 10) % 10


def rrn_checksum_valid(value: str) -> bool:
    """Check digit of a resident registration number (pre-October-2020 scheme)."""
    d = digits_of(value)
    return len(d) == 13 and rrn_check_digit(d) == int(d[12])


def rrn_plausible(value: str) -> bool:
    """13 digits, a valid birth date and a Korean-citizen gender digit (1-4, 9, 0).

    Enough for detection: numbers issued since October 2020 have no valid check digit.
    """
    d = digits_of(value)
    return len(d) == 13 and d[6] in _RRN_GENDER and birth_date_valid(d[:6], d[6])


def rrn_valid(value: str) -> bool:
    """Plausible and carrying a correct (pre-2020 scheme) check digit."""
    return rrn_plausible(value) and rrn_checksum_valid(value)


def frn_checksum_valid(value: str) -> bool:
    """Check digit of a foreign registration number."""
    d = digits_of(value)
    return len(d) == 13 and frn_check_digit(d) == int(d[12])


def frn_plausible(value: str) -> bool:
    """13 digits, a valid birth date and a foreigner gender digit (5-8)."""
    d = digits_of(value)
    return len(d) == 13 and d[6] in _FRN_GENDER and birth_date_valid(d[:6], d[6])


def frn_valid(value: str) -> bool:
    """Plausible and carrying a correct FRN check digit."""
    return frn_plausible(value) and frn_checksum_valid(value)


def luhn_valid(value: str) -> bool:
    """Luhn (mod 10) check used by payment card numbers."""
    d = digits_of(value)
    if len(d) < 12:
        return False
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass the Luhn check (for making fakes)."""
    total = 0
    for i, ch in enumerate(reversed(partial)):  # the digit to come is position 0: double the odd ones here
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str(-total % 10)


def brn_valid(value: str) -> bool:
    """Check digit of a 10-digit business registration number (사업자등록번호, 123-45-67890)."""
    d = digits_of(value)
    return len(d) == 10 and brn_check_digit(d[:9]) == int(d[9])


def ipv4_valid(value: str) -> bool:
    """Dotted quad with octets 0-255 and no leading zeros."""
    parts = value.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part.isdigit() or len(part) > 3 or (len(part) > 1 and part[0] == "0") or int(part) > 255:
            return False
    return True


def ipv6_valid(value: str) -> bool:
    """Any textual IPv6 form that the standard library accepts (zone ids excluded)."""
    if ":" not in value or "%" in value:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def mac_valid(value: str) -> bool:
    """Six hex octets joined by one consistent ``:`` or ``-``, or Cisco's dotted ``aaaa.bbbb.cccc``."""
    return bool(_MAC.match(value) or _MAC_DOTTED.match(value))


def ean13_valid(value: str) -> bool:
    """EAN-13 barcode check digit (Korean products start with 880): a hard negative for IDs."""
    d = digits_of(value)
    if len(d) != 13:
        return False
    total = sum(int(x) * (3 if i % 2 else 1) for i, x in enumerate(d[:12]))
    return (10 - total % 10) % 10 == int(d[12])


def korean_ean13(value: str) -> bool:
    """A valid EAN-13 with the Korean GS1 prefix 880: a product barcode."""
    d = digits_of(value)
    return d.startswith("880") and ean13_valid(d)


def card_bin_plausible(value: str) -> bool:
    """Leading digits of an issued card range: Visa, Mastercard, Amex, JCB, Diners, UnionPay, or the
    9-prefixed Korean domestic cards."""
    d = digits_of(value)
    if len(d) < 14:
        return False
    two, four = int(d[:2]), int(d[:4])
    return d[0] in "49" or 51 <= two <= 55 or 2221 <= four <= 2720 or two in (34, 35, 36, 37, 38, 30, 62)


def account_length_ok(value: str) -> bool:
    """Korean bank account numbers have 10 to 14 digits."""
    return 10 <= len(digits_of(value)) <= 14


def eleven_digits(value: str) -> bool:
    """Exactly 11 digits however they are grouped: a health-insurance card number."""
    return len(digits_of(value)) == 11


def has_separator(value: str) -> bool:
    """The value is written in groups (hyphens or spaces), as people write cards and accounts."""
    return any(ch in value for ch in "- ")


def ipv4_specific(value: str) -> bool:
    """Rules out dotted quads that are almost always something else: enumerations such as
    ``1.2.3.4`` (every part one digit), the unspecified ``0.0.0.0`` and netmasks (255.255.x.x)."""
    parts = value.split(".")
    return ipv4_valid(value) and any(len(p) > 1 for p in parts) and parts[:2] != ["255", "255"]


def ipv6_specific(value: str) -> bool:
    """Valid IPv6 with enough hex in it to be an address rather than ``::`` or a score like ``2::8``:
    three non-empty groups, or two with one of three or more hex digits."""
    if not ipv6_valid(value):
        return False
    groups = [g for g in value.split(":") if g]
    return len(groups) >= 3 or (len(groups) == 2 and any(len(g) >= 3 for g in groups))


def year_range_like(value: str) -> bool:
    """Two 4-digit groups that read as a span of years of a life, reign or period (``1588-1600``,
    ``(1899-1974)``): ascending, at most 150 years apart, both before 2100."""
    groups = re.findall(r"[0-9]+", value)
    if len(groups) != 2 or len(groups[0]) != 4 or len(groups[1]) != 4:
        return False
    first, second = int(groups[0]), int(groups[1])
    return 1000 <= first < second <= 2099 and second - first <= 150
