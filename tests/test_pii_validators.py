"""Check-digit and format validators for Korean identifiers (each in its type's module,
curate/pii/type_code/<type>.py; shared arithmetic in curate/pii/checksums.py)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from curate.pii.checksums import digits_of, ean13_valid
from curate.pii.type_code._resident_id import birth_date_valid
from curate.pii.type_code.brn import brn_check_digit, brn_valid
from curate.pii.type_code.card import card_bin_plausible, luhn_check_digit, luhn_valid
from curate.pii.type_code.frn import frn_check_digit, frn_checksum_valid, frn_plausible, frn_valid
from curate.pii.type_code.ipv4 import ipv4_specific, ipv4_valid
from curate.pii.type_code.ipv6 import ipv6_specific, ipv6_valid
from curate.pii.type_code.mac import mac_valid
from curate.pii.type_code.rrn import rrn_check_digit, rrn_checksum_valid, rrn_plausible, rrn_valid

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def with_check(first12: str, offset: int) -> str:
    total = sum(int(d) * w for d, w in zip(first12, WEIGHTS, strict=True))
    return first12 + str((offset - total % 11) % 10)


def test_rrn_check_digit_and_date():
    valid = with_check("880101123456", 11)
    assert rrn_valid(valid) and rrn_valid(valid[:6] + "-" + valid[6:])
    wrong_check = valid[:12] + str((int(valid[12]) + 1) % 10)
    assert not rrn_checksum_valid(wrong_check)
    assert rrn_plausible(wrong_check)  # post-October-2020 numbers look like this: still plausible
    assert not rrn_valid(wrong_check)


def test_rrn_rejects_impossible_dates_and_gender_digits():
    assert not rrn_plausible(with_check("880230123456", 11))  # 30 February
    assert not rrn_plausible(with_check("881301123456", 11))  # month 13
    assert rrn_plausible("000229-3123456")  # 2000 was a leap year (gender digit 3: born 2000s)
    assert not rrn_plausible("010229-3123456")  # 2001 was not
    assert not rrn_plausible(with_check("880101512345", 11))  # 5 is a foreigner's digit
    assert not rrn_plausible("88010112345")  # too short


def test_birth_date_century_follows_gender_digit():
    assert birth_date_valid("000229", "3") and not birth_date_valid("000229", "1")  # 1900 not leap
    assert not birth_date_valid("000229", "x")


def test_frn_uses_its_own_check_offset():
    valid = with_check("900315512345", 13)
    assert frn_valid(valid) and frn_checksum_valid(valid)
    assert frn_plausible(valid[:12] + "0")
    assert not frn_plausible(with_check("900315112345", 13))  # citizen gender digit
    # the RRN formula gives a different digit unless the two coincide
    assert rrn_checksum_valid(valid) == (with_check("900315512345", 11) == valid)


def test_luhn_known_test_numbers():
    for number in ("4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "3530111333300000"):
        assert luhn_valid(number), number
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("12345")  # too short to be a card


@given(st.text(alphabet="0123456789", min_size=11, max_size=18), st.integers(min_value=0, max_value=9))
def test_luhn_check_digit_completes_and_single_digit_errors_are_caught(partial, bump):
    full = partial + str(luhn_check_digit(partial))
    assert luhn_valid(full)
    position = bump % len(full)
    changed = full[:position] + str((int(full[position]) + 1 + bump % 9) % 10) + full[position + 1 :]
    if changed != full:
        assert not luhn_valid(changed)


def test_brn_check_digit():
    assert brn_valid("124-81-00998")  # a published company registration number
    assert brn_valid("1248100998")
    assert not brn_valid("124-81-00997")
    assert not brn_valid("123-45-6789")


def test_ean13_korean_barcode():
    assert ean13_valid("8801043015691")
    assert not ean13_valid("8801043015692")
    assert not ean13_valid("880104301569")


def test_card_bin_ranges():
    assert card_bin_plausible("4111111111111111")
    assert card_bin_plausible("2221000000000009")  # Mastercard 2-series
    assert card_bin_plausible("9410123412341234")  # Korean domestic
    assert not card_bin_plausible("2023100512345678")  # an order number starting with a year
    assert not card_bin_plausible("1234567890123456")


def test_network_formats():
    assert ipv4_valid("192.168.0.1") and not ipv4_valid("256.1.1.1") and not ipv4_valid("01.2.3.4")
    assert not ipv4_specific("1.2.3.4") and not ipv4_specific("255.255.255.0") and ipv4_specific("10.0.0.1")
    assert ipv6_valid("2001:db8::1") and ipv6_valid("::ffff:192.168.0.1") and not ipv6_valid("12:30:45")
    assert ipv6_specific("2001:db8::1") and ipv6_specific("fe80::1") and not ipv6_specific("2::8")
    assert not ipv6_specific("::")
    assert mac_valid("00:1A:2b:3C:4d:5E") and mac_valid("00-1a-2b-3c-4d-5e") and mac_valid("001a.2b3c.4d5e")
    assert not mac_valid("00:1A-2b:3C:4d:5E")  # mixed separators


def test_digits_of_drops_separators():
    assert digits_of("880101 - 1234567") == "8801011234567"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_check_digit_functions_follow_the_published_formula(first12):
    assert first12 + str(rrn_check_digit(first12)) == with_check(first12, 11)
    assert first12 + str(frn_check_digit(first12)) == with_check(first12, 13)
    assert brn_valid(first12[:9] + str(brn_check_digit(first12[:9])))


def test_check_digit_weights_are_written_once():
    """Issue 16: each check-digit rule lives in its type's home; the fakes, the sample corpus
    (curate/sample/pii.py) and the evaluation (benchmarks/pii_eval) import its functions instead
    of writing the weights again (they once did, four times)."""
    root = Path(__file__).resolve().parents[1]
    homes = {"2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5": "curate/pii/type_code/_resident_id.py",
             "1, 3, 7, 1, 3, 7, 1, 3, 5": "curate/pii/type_code/brn.py"}
    sources = [p for folder in ("curate", "benchmarks") for p in sorted((root / folder).rglob("*.py"))]
    for weights, home in homes.items():
        written = [p.relative_to(root).as_posix() for p in sources if weights in p.read_text(encoding="utf-8")]
        assert written == [home], weights
