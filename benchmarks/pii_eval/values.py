"""Synthetic PII values per type, for the evaluation set (seeded; no real person's data).

Each generator takes a ``random.Random`` and a seeded ``Faker('ko_KR')`` and returns a value as
people write it, in one of the formats the detector is meant to handle.
"""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker

from curate.pii.type_code.brn import brn_valid
from curate.pii.type_code.card import luhn_check_digit
from curate.pii.type_code.frn import frn_check_digit
from curate.pii.type_code.rrn import rrn_check_digit
from curate.rules import load_words


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _birth(rng: random.Random, low: int, high: int) -> dt.date:
    start = dt.date(low, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(high, 12, 31).toordinal()))


def _id_number(rng: random.Random, foreign: bool) -> str:
    born = _birth(rng, 1940, 2019)
    base = (5 if foreign else 1) if born.year < 2000 else (7 if foreign else 3)
    front = born.strftime("%y%m%d") + str(base + rng.randint(0, 1))
    body = front + _digits(rng, 5)
    if rng.random() < 0.6:  # pre-October-2020 scheme with a check digit; the rest are newer, random
        check = frn_check_digit(body) if foreign else rrn_check_digit(body)
    else:
        check = rng.randint(0, 9)
    full = body + str(check)
    sep = rng.choice(["-", "-", "-", " - ", "-", ""])
    return full[:6] + sep + full[6:]


def phone(rng: random.Random, fake: Faker) -> str:
    kind = rng.random()
    if kind < 0.45:
        prefix = rng.choice(["010", "010", "010", "011", "016", "019"])
        a, b = _digits(rng, 4), _digits(rng, 4)
        return rng.choice(
            [
                f"{prefix}-{a}-{b}",
                f"{prefix}.{a}.{b}",
                f"{prefix} {a} {b}",
                f"{prefix}{a}{b}",
                f"+82-{prefix[1:]}-{a}-{b}",
                f"+82 {prefix[1:]} {a} {b}",
                f"({prefix}) {a}-{b}",
            ]
        )
    if kind < 0.8:
        area = rng.choice(["02", "031", "032", "033", "041", "042", "051", "053", "055", "062", "064", "070"])
        mid = str(rng.randint(2, 9)) + _digits(rng, rng.choice([2, 3]))
        last = _digits(rng, 4)
        return rng.choice(
            [
                f"{area}-{mid}-{last}",
                f"({area}) {mid}-{last}",
                f"{area}.{mid}.{last}",
                f"{area}){mid}-{last}",
                f"+82-{area[1:]}-{mid}-{last}",
            ]
        )
    if kind < 0.9:
        return f"050{rng.randint(2, 8)}-{_digits(rng, 3)}-{_digits(rng, 4)}"
    return fake.phone_number()


def rrn(rng: random.Random, fake: Faker) -> str:
    return _id_number(rng, foreign=False)


def frn(rng: random.Random, fake: Faker) -> str:
    return _id_number(rng, foreign=True)


def email(rng: random.Random, fake: Faker) -> str:
    domain = rng.choice(
        [
            "naver.com",
            "gmail.com",
            "daum.net",
            "hanmail.net",
            "kakao.com",
            "nate.com",
            "korea.ac.kr",
            "snu.ac.kr",
            "company.co.kr",
            "example.org",
            fake.domain_name(),
        ]
    )
    user = fake.user_name()
    if rng.random() < 0.3:
        user += rng.choice([".", "_", ""]) + str(rng.randint(1, 9999))
    return f"{user}@{domain}"


def url(rng: random.Random, fake: Faker) -> str:
    user = fake.user_name()
    return rng.choice(
        [
            fake.url().rstrip("/"),
            f"https://blog.naver.com/{user}",
            f"http://www.{fake.domain_word()}.co.kr/board/view?id={rng.randint(1, 99999)}",
            f"www.{fake.domain_word()}.com",
            f"https://instagram.com/{user}",
            f"cafe.daum.net/{user}",
            f"https://{fake.domain_word()}.kr/{user}/{rng.randint(1, 999)}",
            f"http://[{ipv6(rng, fake)}]:{rng.choice([8080, 8443, 3000])}/{user}",  # an IPv6 literal host
        ]
    )


def ipv4(rng: random.Random, fake: Faker) -> str:
    return rng.choice([fake.ipv4_private(), fake.ipv4_public(), f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"])


def ipv6(rng: random.Random, fake: Faker) -> str:
    full = fake.ipv6()
    if rng.random() < 0.4:
        return f"2001:db8:{rng.randint(0, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    if rng.random() < 0.2:
        return f"fe80::{rng.randint(0, 0xFFFF):x}:{rng.randint(0, 0xFFFF):x}"
    return full


def mac(rng: random.Random, fake: Faker) -> str:
    octets = [f"{rng.randint(0, 255):02x}" for _ in range(6)]
    text = rng.choice([":", "-"]).join(octets)
    return text.upper() if rng.random() < 0.5 else text


def mention(rng: random.Random, fake: Faker) -> str:
    return "@" + fake.user_name() + (str(rng.randint(1, 99)) if rng.random() < 0.3 else "")


LOT_DONGS = ["역삼", "신림", "부전", "상계", "봉명"]


def address(rng: random.Random, fake: Faker) -> str:
    sido = rng.choice([s for s in load_words("pii/sido.txt") if len(s) > 2])
    sigungu = rng.choice(load_words("pii/sigungu.txt"))
    road = rng.choice(["테헤란", "세종대", "중앙", "시청", "번영", "동문", "한강대", "월드컵북", "가야대", "금강"])
    number = rng.randint(1, 999)
    tail = rng.choice(
        [
            f"{road}로 {number}",
            f"{road}로{rng.randint(1, 99)}길 {number}",
            f"{road}로 {number}-{rng.randint(1, 30)}",
            f"{rng.choice(LOT_DONGS)}동 {rng.randint(1, 999)}-{rng.randint(1, 99)}",
            f"{rng.choice(['역삼', '신림', '부전', '상계'])}동 {rng.randint(1, 999)}번지",
            # a lot in a N가 quarter (종로1가 12-3)
            f"{rng.choice(['종로', '을지로', '충무로', '명동'])}{rng.randint(1, 6)}가 "
            f"{rng.randint(1, 299)}-{rng.randint(1, 30)}",
        ]
    )
    unit = rng.choice(
        [
            "",
            "",
            f", {rng.randint(101, 120)}동 {rng.randint(1, 25)}0{rng.randint(1, 4)}호",
            f" {rng.randint(2, 15)}층",
            f" {rng.randint(101, 999)}호",
            " (역삼동)",
        ]
    )
    region = rng.choice([f"{sido} {sigungu}", sigungu, f"{sido} {sigungu}"])
    if rng.random() < 0.25:
        return fake.address()
    return f"{region} {tail}{unit}"


def bank_account(rng: random.Random, fake: Faker) -> str:
    layout = rng.choice([(6, 2, 6), (3, 3, 6), (4, 3, 6), (3, 6, 5), (3, 4, 4, 2), (3, 6, 2, 3), (4, 2, 7), (3, 2, 6)])
    if rng.random() < 0.15:
        return _digits(rng, sum(layout))
    return "-".join(_digits(rng, n) for n in layout)


def passport(rng: random.Random, fake: Faker) -> str:
    letter = rng.choice("MMMMSRO")
    if rng.random() < 0.6:
        return f"{letter}{_digits(rng, 3)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{_digits(rng, 4)}"
    return f"{letter}{_digits(rng, 8)}"


def driver_license(rng: random.Random, fake: Faker) -> str:
    region = rng.randint(11, 28)
    body = f"{_digits(rng, 2)}-{_digits(rng, 6)}-{_digits(rng, 2)}"
    kind = rng.random()
    if kind < 0.45:
        return f"{region}-{body}"
    if kind < 0.6:  # spaces instead of hyphens
        return f"{region} {body.replace('-', ' ')}"
    if kind < 0.75:
        return f"{rng.choice(load_words('pii/plate_regions.txt'))} {body}"
    if kind < 0.85:
        return f"{rng.choice(load_words('pii/plate_regions.txt'))} {body.replace('-', ' ')}"
    return f"{region}{body.replace('-', '')}"


def brn(rng: random.Random, fake: Faker) -> str:
    while True:
        value = f"{rng.randint(101, 899)}-{rng.randint(1, 99):02d}-{_digits(rng, 5)}"
        if brn_valid(value):
            return value


def health_insurance(rng: random.Random, fake: Faker) -> str:
    value = str(rng.randint(1, 9)) + _digits(rng, 10)
    return value if rng.random() < 0.7 else value[0] + "-" + value[1:]


def card(rng: random.Random, fake: Faker) -> str:
    if rng.random() < 0.15:  # Amex 4-6-5
        body = rng.choice(["34", "37"]) + _digits(rng, 12)
        full = body + str(luhn_check_digit(body))
        sep = rng.choice(["-", " ", ""])
        return sep.join([full[:4], full[4:10], full[10:]])
    prefix = rng.choice(["4", "5" + str(rng.randint(1, 5)), "9410", "9420", "9430", "3565", "6253"])
    body = prefix + _digits(rng, 15 - len(prefix))
    full = body + str(luhn_check_digit(body))
    sep = rng.choice(["-", "-", " ", ""])
    return sep.join(full[i : i + 4] for i in range(0, 16, 4))


def vehicle_plate(rng: random.Random, fake: Faker) -> str:
    letter = rng.choice("가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호")
    kind = rng.random()
    if kind < 0.4:
        return f"{rng.randint(10, 99)}{letter}{_digits(rng, 4)}"
    if kind < 0.7:
        return f"{rng.randint(100, 699)}{letter}{rng.choice(['', ' '])}{_digits(rng, 4)}"
    return f"{rng.choice(load_words('pii/plate_regions.txt'))}{rng.randint(10, 99)}{letter}{_digits(rng, 4)}"


REP_PREFIXES = ["1522", "1533", "1544", "1566", "1577", "1588", "1599", "1600", "1644", "1661", "1666",
                "1670", "1688", "1800", "1833", "1855", "1877", "1899"]


def phone_rep(rng: random.Random, fake: Faker) -> str:
    """A nationwide representative number (opt-in type ``phone_rep``): 1588-1234 or 1577 1234."""
    return f"{rng.choice(REP_PREFIXES)}{rng.choice(['-', '-', '-', ' '])}{_digits(rng, 4)}"


# phone_rep is opt-in and scored in a split of its own (eval_set_phone_rep.jsonl)
PHONE_REP_LABELS = ["", "", "대표번호 ", "고객센터 ", "문의 ", "콜센터 ", "ARS "]


def phone_rep_negative(rng: random.Random) -> str:
    """Look-alikes of representative numbers: year spans, longer digit runs, codes."""
    start = rng.choice([1588, 1600, 1644, 1800, 1592, 1666, 1899])
    end = start + rng.randint(1, 120)
    return rng.choice(
        [
            f"{start}-{end}년",
            f"{start}-{end} 년",
            f"{start}-{end}년대",
            f"({start}-{end})",
            f"{start} {end} {end + rng.randint(1, 50)}",
            f"{rng.choice(REP_PREFIXES)}{_digits(rng, 4)}",
            f"{rng.choice(REP_PREFIXES)}-{_digits(rng, 5)}",
            f"{rng.choice(REP_PREFIXES)}-{_digits(rng, 4)}-{_digits(rng, 4)}",
            f"{rng.choice(['1234', '1500', '1690', '1700', '1900'])}-{_digits(rng, 4)}",
        ]
    )


GENERATORS = {
    "phone": phone,
    "rrn": rrn,
    "frn": frn,
    "email": email,
    "url": url,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "mac": mac,
    "mention": mention,
    "address": address,
    "bank_account": bank_account,
    "passport": passport,
    "driver_license": driver_license,
    "brn": brn,
    "health_insurance": health_insurance,
    "card": card,
    "vehicle_plate": vehicle_plate,
}

# Context a writer puts before the value. "" = no label. Types whose bare value is ambiguous
# (an account is just digits) always carry one, as they do in real text.
LABELS = {
    "phone": ["", "", "연락처 ", "전화번호는 ", "휴대폰: ", "H.P ", "문의 "],
    "rrn": ["", "주민번호 ", "주민등록번호: ", "주민번호는 "],
    "frn": ["", "외국인등록번호 ", "등록번호: "],
    "email": ["", "", "이메일 ", "메일: "],
    "url": ["", "", "홈페이지 ", "링크: "],
    "ipv4": ["", "IP ", "접속 IP: ", "서버 "],
    "ipv6": ["", "IPv6 ", "접속 IP "],
    "mac": ["", "MAC ", "맥주소 "],
    "mention": [""],
    "address": ["", "", "주소 ", "주소지: ", "배송지 "],
    "bank_account": ["계좌 ", "국민은행 ", "신한 ", "입금계좌: ", "농협 ", "카카오뱅크 ", "우리은행 계좌 "],
    "passport": ["여권번호 ", "여권 번호: ", "여권 "],
    "driver_license": ["운전면허번호 ", "면허번호: ", "운전면허 "],
    "brn": ["", "사업자등록번호 ", "사업자번호: "],
    "health_insurance": ["건강보험증 번호 ", "건강보험 ", "보험증번호: "],
    "card": ["", "카드번호 ", "신용카드 ", "결제카드: "],
    "vehicle_plate": ["", "", "차량번호 ", "차량 "],
}
# labels needed by the bare-value formats that are ambiguous without one
NEEDS_LABEL = {"passport", "bank_account", "health_insurance", "driver_license"}


def needs_label(pii_type: str, value: str) -> bool:
    if pii_type in NEEDS_LABEL:
        return True
    if pii_type in ("rrn", "frn"):
        return value.isdigit()
    return False
