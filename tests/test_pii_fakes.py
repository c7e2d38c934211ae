"""Fakes keep the original's form, pass the checks real values pass, and never equal the original."""

from __future__ import annotations

import ipaddress
import re

import pytest

from curate.pii import fakes
from curate.pii.type_code.brn import brn_valid
from curate.pii.type_code.card import luhn_valid
from curate.pii.type_code.frn import frn_plausible, frn_valid
from curate.pii.type_code.ipv4 import ipv4_valid
from curate.pii.type_code.ipv6 import ipv6_valid
from curate.pii.type_code.mac import mac_valid
from curate.pii.type_code.rrn import rrn_valid

SEEDS = range(60)

# (type, original) pairs in the forms Korean text writes them
EXAMPLES = [
    ("phone", "010-1234-5678"),
    ("phone", "01012345678"),
    ("phone", "010.1234.5678"),
    ("phone", "010 1234 5678"),
    ("phone", "+82 10-1234-5678"),
    ("phone", "+82-2-312-4567"),
    ("phone", "02-312-4567"),
    ("phone", "031)765-4321"),
    ("phone", "1588-1234"),
    ("phone_rep", "1577 5678"),
    ("rrn", "900101-1234568"),
    ("rrn", "0505054123456"),
    ("frn", "900101-5234567"),
    ("email", "hong.gildong@naver.com"),
    ("url", "https://blog.naver.com/gildong/223145"),
    ("url", "www.daum.net"),
    ("url", "http://[2001:db8::1]:8080/a"),
    ("ipv4", "121.134.56.78"),
    ("ipv6", "2404:6800:4004:80b::200e"),
    ("ipv6", "FE80:0000:0000:0000:0202:B3FF:FE1E:8329"),
    ("mac", "00:1A:2B:3C:4D:5E"),
    ("mac", "00-1a-2b-3c-4d-5e"),
    ("mac", "001a.2b3c.4d5e"),
    ("mention", "@gildong99"),
    ("address", "서울특별시 강남구 테헤란로 123, 101동 1203호"),
    ("address", "경기도 성남시 분당구 정자동 178-1"),
    ("address", "서울 종로구 종로1가 12-3"),
    ("bank_account", "110-245-124678"),
    ("passport", "M12345678"),
    ("passport", "M123A4567"),
    ("driver_license", "11-17-174133-01"),
    ("driver_license", "서울 17-174133-01"),
    ("driver_license", "11 17 174133 01"),
    ("brn", "220-81-62517"),
    ("health_insurance", "1-2345678901"),
    ("card", "4111-1111-1111-1111"),
    ("card", "5105 1051 0510 5100"),
    ("card", "3782-822463-10005"),
    ("vehicle_plate", "12가 3456"),
    ("vehicle_plate", "123하4567"),
    ("vehicle_plate", "서울 12가 3456"),
    ("person", "홍길동"),
]


def _shape(value: str) -> str:
    """Digits -> 0, ASCII letters -> a/A: what 'same written form' means for number-like values."""
    return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"[0-9]", "0", value)))


@pytest.fixture(scope="module")
def faker():
    return fakes.new_faker()


def test_every_region_faker_can_draw_is_one_the_address_rules_know():
    """Address fakes take their regions from Faker ko_KR's lists and the detector finds
    addresses by rules/pii/sido.txt and sigungu.txt: a region a Faker release adds (as
    강원특별자치도 once was) would make fakes the detector cannot find again."""
    from faker.providers.address.ko_KR import Provider

    from curate.rules import load_words

    known = set(load_words("pii/sido.txt")) | set(load_words("pii/sigungu.txt"))
    for name in ("metropolitan_cities", "provinces", "boroughs", "cities"):
        words = {word for region in getattr(Provider, name) for word in region.split()}  # 고양시 덕양구: 시, then 구
        assert words and words <= known, f"Faker's {name} not in rules/pii: {sorted(words - known)}"


@pytest.mark.parametrize(("pii_type", "value"), EXAMPLES)
def test_fake_never_equals_nor_contains_original(faker, pii_type, value):
    for seed in SEEDS:
        fake = fakes.make_fake(pii_type, value, seed, faker)
        assert fake is not None
        assert fake != value and value not in fake
        assert fakes.normalize(pii_type, fake) != fakes.normalize(pii_type, value)


@pytest.mark.parametrize(("pii_type", "value"), EXAMPLES)
def test_same_seed_same_fake(faker, pii_type, value):
    first = fakes.make_fake(pii_type, value, 42, faker)
    fakes.make_fake("email", "other@naver.com", 7, faker)  # the shared Faker is reseeded per value
    assert fakes.make_fake(pii_type, value, 42, faker) == first
    distinct = len({fakes.make_fake(pii_type, value, s, faker) for s in range(20)})
    # a bare host has only the three documentation hosts to become
    assert distinct == 3 if (pii_type, value) == ("url", "www.daum.net") else distinct > 5


NUMBER_LIKE = ["phone", "phone_rep", "rrn", "frn", "bank_account", "brn", "health_insurance", "card", "passport"]


@pytest.mark.parametrize(("pii_type", "value"), [e for e in EXAMPLES if e[0] in NUMBER_LIKE])
def test_separators_and_grouping_kept(faker, pii_type, value):
    for seed in SEEDS:
        assert _shape(fakes.make_fake(pii_type, value, seed, faker)) == _shape(value)


def test_phone_keeps_prefix_and_plus82_form(faker):
    for seed in SEEDS:
        assert fakes.make_fake("phone", "010.1234.5678", seed, faker).startswith("010.")
        intl = fakes.make_fake("phone", "+82 10-1234-5678", seed, faker)
        assert re.fullmatch(r"\+82 10-[2-9]\d{3}-\d{4}", intl)
        assert re.fullmatch(r"02-[2-9]\d\d-\d{4}", fakes.make_fake("phone", "02-312-4567", seed, faker))
        assert fakes.make_fake("phone", "1588-1234", seed, faker).startswith("1588-")


def test_same_number_in_two_formats_gets_same_digits(faker):
    seed = 99
    a = fakes.make_fake("phone", "010-1234-5678", seed, faker)
    b = fakes.make_fake("phone", "01012345678", seed, faker)
    c = fakes.make_fake("phone", "+82 10 1234 5678", seed, faker)
    assert a.replace("-", "") == b
    assert "0" + c[1:].replace(" ", "")[2:] == b


def test_resident_numbers_valid_and_keep_gender_digit(faker):
    for seed in SEEDS:
        rrn = fakes.make_fake("rrn", "900101-1234568", seed, faker)
        assert rrn_valid(rrn) and rrn[7] == "1"
        young = fakes.make_fake("rrn", "0505054123456", seed, faker)
        assert rrn_valid(young) and young[6] == "4" and "-" not in young
        frn = fakes.make_fake("frn", "900101-6234563", seed, faker)
        assert frn_valid(frn) and frn[7] == "6"
        # a number without a valid check digit (the post-2020 scheme) gets a fake without one
        newer = fakes.make_fake("frn", "900101-6234567", seed, faker)
        assert frn_plausible(newer) and not frn_valid(newer) and newer[7] == "6"


def test_card_keeps_network_and_passes_luhn(faker):
    for seed in SEEDS:
        visa = fakes.make_fake("card", "4111-1111-1111-1111", seed, faker)
        assert visa.startswith("41") and luhn_valid(visa)
        amex = fakes.make_fake("card", "3782-822463-10005", seed, faker)
        assert amex[:2] == "37" and len(amex) == 17 and luhn_valid(amex)
        mc2 = fakes.make_fake("card", "2221 0000 0000 0009", seed, faker)
        assert 2221 <= int(mc2[:4]) <= 2720 and luhn_valid(mc2)


def test_brn_valid_and_keeps_business_kind(faker):
    for seed in SEEDS:
        brn = fakes.make_fake("brn", "220-81-62517", seed, faker)
        assert brn_valid(brn) and brn[4:6] == "81"


def test_documentation_ranges(faker):
    docs4 = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
    for seed in SEEDS:
        email = fakes.make_fake("email", "hong.gildong@naver.com", seed, faker)
        assert re.fullmatch(r"[a-z0-9._]+@example\.(com|org|net)", email)
        url = fakes.make_fake("url", "https://blog.naver.com/gildong/223145", seed, faker)
        assert re.fullmatch(r"https://[a-z0-9]+\.example\.(com|org|net)/[a-z]{7}/\d{6}", url)
        bare = fakes.make_fake("url", "www.daum.net", seed, faker)
        assert re.fullmatch(r"www\.example\.(com|org|net)", bare)
        ip4 = fakes.make_fake("ipv4", "121.134.56.78", seed, faker)
        assert ipv4_valid(ip4) and any(ipaddress.ip_address(ip4) in n for n in docs4)
        ip6 = fakes.make_fake("ipv6", "2404:6800:4004:80b::200e", seed, faker)
        assert ipv6_valid(ip6) and ipaddress.ip_address(ip6) in ipaddress.ip_network("2001:db8::/32")
        assert ip6.count(":") == 5 and "::" in ip6
        full = fakes.make_fake("ipv6", "FE80:0000:0000:0000:0202:B3FF:FE1E:8329", seed, faker)
        assert ipv6_valid(full) and full.count(":") == 7 and full == full.upper()


def test_mac_keeps_separator_and_case_and_is_locally_administered(faker):
    for seed in SEEDS:
        upper = fakes.make_fake("mac", "00:1A:2B:3C:4D:5E", seed, faker)
        assert mac_valid(upper) and upper == upper.upper() and upper[1] in "26AE"
        dashed = fakes.make_fake("mac", "00-1a-2b-3c-4d-5e", seed, faker)
        assert mac_valid(dashed) and dashed == dashed.lower() and "-" in dashed
        dotted = fakes.make_fake("mac", "001a.2b3c.4d5e", seed, faker)
        assert mac_valid(dotted) and dotted[4] == dotted[9] == "."


def test_address_keeps_form_and_unit(faker):
    for seed in SEEDS:
        road = fakes.make_fake("address", "서울특별시 강남구 테헤란로 123, 101동 1203호", seed, faker)
        assert re.search(r"[가-힣]+(로|길) \d+(-\d+)?, \d{3}동 \d{4}호$", road)
        lot = fakes.make_fake("address", "경기도 성남시 분당구 정자동 178-1", seed, faker)
        assert not re.search(r"(로|길) \d", lot) and re.search(r"\d+(-\d+)?$", lot)


def test_plates_passports_licences_names(faker):
    for seed in SEEDS:
        assert re.fullmatch(r"\d\d[가-힣] \d{4}", fakes.make_fake("vehicle_plate", "12가 3456", seed, faker))
        rental = fakes.make_fake("vehicle_plate", "123하4567", seed, faker)
        assert re.fullmatch(r"\d{3}[하허호]\d{4}", rental)
        old_form = fakes.make_fake("vehicle_plate", "서울 12가 3456", seed, faker)
        assert re.fullmatch(r"[가-힣]{2} \d\d[가-힣] \d{4}", old_form)
        assert re.fullmatch(r"M\d{3}[A-Z]\d{4}", fakes.make_fake("passport", "M123A4567", seed, faker))
        assert re.fullmatch(r"(1[1-9]|2[0-8])-\d\d-\d{6}-\d\d",
                            fakes.make_fake("driver_license", "11-17-174133-01", seed, faker))
        assert re.fullmatch(r"[가-힣]{2} \d\d-\d{6}-\d\d",
                            fakes.make_fake("driver_license", "서울 17-174133-01", seed, faker))
        assert re.fullmatch(r"[가-힣]{2,5}", fakes.make_fake("person", "홍길동", seed, faker))
        assert re.fullmatch(r"@[a-z0-9_]+\d+", fakes.make_fake("mention", "@gildong99", seed, faker))


def test_degenerate_value_gives_none_instead_of_leaking(faker):
    # a one-digit "account" has only ten fakes and some contain the original; never returned
    results = {fakes.make_fake("bank_account", "7", s, faker) for s in range(30)}
    assert "7" not in results


# the sentence each value is written in when checking that the detector finds fakes again
CONTEXT = {
    "phone": "연락처 {} 입니다", "rrn": "주민등록번호 {} 입니다", "frn": "외국인등록번호 {} 입니다",
    "email": "이메일 {} 입니다", "url": "홈페이지 {} 입니다", "ipv4": "접속 IP {} 입니다",
    "ipv6": "접속 IP {} 입니다", "mac": "MAC 주소 {} 입니다", "mention": "{} 님 안녕하세요",
    "address": "주소는 {} 입니다", "bank_account": "신한은행 계좌 {} 입니다",
    "passport": "여권번호 {} 입니다", "driver_license": "운전면허번호 {} 입니다",
    "brn": "사업자등록번호 {} 입니다", "health_insurance": "건강보험증 번호 {} 입니다",
    "card": "카드번호 {} 입니다", "vehicle_plate": "차량번호 {} 입니다",
}
REDETECT = [e for e in EXAMPLES if e[0] in CONTEXT and e[1] != "1588-1234"]  # the detector skips 15xx numbers


@pytest.fixture(scope="module")
def detector():
    from curate.pii.detect import Detector

    return Detector()


@pytest.mark.parametrize(("pii_type", "value"), REDETECT)
def test_detector_finds_the_fake_as_the_same_type(faker, detector, pii_type, value):
    template = CONTEXT[pii_type]

    def found(v: str) -> set[tuple[str, str]]:
        text = template.format(v)
        return {(s.type, text[s.start:s.end]) for s in detector.detect(text)}

    assert (pii_type, value) in found(value)  # the original is found; so must every fake be
    for seed in range(25):
        fake = fakes.make_fake(pii_type, value, seed, faker)
        assert (pii_type, fake) in found(fake)


def test_address_unit_parts_kept(faker):
    for seed in SEEDS:
        floor = fakes.make_fake("address", "부산 해운대구 우동 1408 3층", seed, faker)
        assert re.search(r"[가-힣]+(동|리|가) \d+(-\d+)? \d층$", floor)
        lot = fakes.make_fake("address", "서울 강남구 역삼동 12번지", seed, faker)
        assert lot.endswith("번지")
        noted = fakes.make_fake("address", "서울특별시 강남구 테헤란로 123 (역삼동)", seed, faker)
        assert re.search(r"(로|길) \d+(-\d+)? \([가-힣]+동\)$", noted)


# nationwide representative-number prefixes (rules/pii/types/phone_rep.yaml)
REP_PREFIXES = ["1522", "1533", "1544", "1555", "1566", "1577", "1588", "1599", "1600", "1644", "1660",
                "1661", "1666", "1668", "1670", "1688", "1800", "1811", "1833", "1855", "1877", "1899"]


def test_distinct_values_never_share_a_fake_and_valid_numbers_stay_valid():
    """Issue 16: drawn at random, 9 pairs of 40,000 phone numbers shared a fake (two people became
    one); permuted under the key (curate.pii.fpe) they cannot: 100,000 distinct values of each
    type, 100,000 distinct fakes. Check digits are recomputed: a valid number's fake is valid, and
    a number without a valid check digit (RRNs since 2020) keeps its offset from it."""
    import random

    from curate.pii import Pseudonymizer
    from curate.pii.fpe import Permutation
    from curate.pii.type_code.brn import brn_check_digit
    from curate.pii.type_code.card import luhn_check_digit
    from curate.pii.type_code.frn import frn_check_digit
    from curate.pii.type_code.rrn import rrn_check_digit

    p = Pseudonymizer(key=b"one-to-one-test-key-0123456789")
    rng = random.Random(7)

    def resident(genders: str, check) -> str:
        first12 = (f"{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                   f"{rng.choice(genders)}{rng.randint(0, 99999):05d}")
        last = check(first12) if rng.random() < 0.7 else rng.randint(0, 9)  # 30%: the post-2020 scheme
        return f"{first12[:6]}-{first12[6:]}{last}"

    def card() -> str:
        partial = rng.choice(["4", "5", "9"]) + "".join(rng.choice("0123456789") for _ in range(14))
        number = partial + str(luhn_check_digit(partial))
        return "-".join(number[i:i + 4] for i in range(0, 16, 4))

    def brn() -> str:
        first9 = f"{rng.randint(101, 899)}{rng.randint(1, 99):02d}{rng.randint(0, 9999):04d}"
        return f"{first9[:3]}-{first9[3:5]}-{first9[5:]}{brn_check_digit(first9)}"

    makers = {"phone": (lambda: f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}", None),
              "bank_account": (lambda: f"{rng.randint(100, 999)}-{rng.randint(10, 99)}-"
                                       f"{rng.randint(100000, 999999)}", None),
              "health_insurance": (lambda: f"1-{rng.randint(0, 10**10 - 1):010d}", None),
              "rrn": (lambda: resident("1234", rrn_check_digit), rrn_valid),
              "frn": (lambda: resident("5678", frn_check_digit), frn_valid),
              "card": (card, luhn_valid), "brn": (brn, brn_valid),
              # representative numbers: four free digits per prefix, where a plain permutation's
              # fixed points (63% of prefixes have one) would fake a number as itself
              "phone_rep": (lambda: f"{rng.choice(REP_PREFIXES)}-{rng.randint(0, 9999):04d}", None)}
    for pii_type, (make, valid) in makers.items():
        values = set()
        while len(values) < 100_000:
            values.add(make())
        fakes = {v: p.replacement(pii_type, v) for v in values}
        assert len(set(fakes.values())) == len(values), pii_type
        if valid is not None:
            assert all(valid(f) == valid(v) for v, f in fakes.items()), pii_type
    permute = Permutation(b"k" * 32)
    assert sorted(permute(x, 1000, "t") for x in range(1000)) == list(range(1000))  # a bijection
    assert [permute.inverse(permute(x, 1000, "t"), 1000, "t") for x in range(1000)] == list(range(1000))
    deranged = [permute.derange(x, 10_000, "t") for x in range(10_000)]
    assert sorted(deranged) == list(range(10_000)) and not any(x == y for x, y in enumerate(deranged))
