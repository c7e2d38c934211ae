"""Fake personal data of every kind the detector knows, in the formats people really type.

``FakePii`` draws fresh values (seeded; names and user names come from Faker
ko_KR, numbers from ``random.Random`` with the real check digits where a
format has one). ``PiiPool`` pre-draws a few thousand values per kind once so
that a generator writing millions of documents samples instead of calling
Faker per document. Both answer ``value(kind)``.
"""

from __future__ import annotations

import random

from faker import Faker

from curate.pii.type_code.brn import brn_check_digit
from curate.pii.type_code.card import luhn_check_digit
from curate.pii.type_code.frn import frn_check_digit
from curate.pii.type_code.rrn import rrn_check_digit
from curate.sample import load_bank
from curate.sample.template import attach

KINDS = ("name", "phone", "rrn", "frn", "email", "url", "ipv4", "ipv6", "mac", "mention", "address",
         "bank_account", "passport", "driver_license", "brn", "health_insurance", "card", "vehicle_plate")


def luhn_complete(partial: str) -> str:
    """``partial`` plus the Luhn digit that makes it a valid card number."""
    return partial + str(luhn_check_digit(partial))


class FakePii:
    """Fresh fake values; same seed, same sequence."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("ko_KR")
        self.faker.seed_instance(seed)
        self.bank = load_bank("pii")
        self._turns: dict[str, int] = {}

    def _turn(self, kind: str, n: int) -> int:
        """0, 1, ..., n-1, 0, ... per kind: formats rotate, so a few draws already show every one."""
        turn = self._turns.get(kind, 0)
        self._turns[kind] = turn + 1
        return turn % n

    def _cycle(self, kind: str, options: list[str]) -> str:
        return options[self._turn(kind, len(options))]

    def value(self, kind: str) -> str:
        return getattr(self, kind)()

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _fill(self, layout: str) -> str:
        return "".join(self.rng.choice("0123456789") if c == "#" else c for c in layout)

    def name(self) -> str:
        return self.faker.name()

    def phone(self) -> str:
        mid, last = self._digits(4), self._digits(4)
        area = self.rng.choice(["02", "02", "02", "031", "032", "051", "053", "062", "064"])
        short = self._digits(3)
        return self._cycle("phone", [
            f"010-{mid}-{last}", f"010-{mid}-{last}", f"010.{mid}.{last}", f"010{mid}{last}",
            f"010 {mid} {last}", f"+82 10-{mid}-{last}", f"+82-10-{mid}-{last}", f"+8210{mid}{last}",
            f"{area}-{short}-{last}", f"{area}-{mid}-{last}", f"({area}) {short}-{last}", f"070-{mid}-{last}",
            f"011-{short}-{last}",
        ])

    def _birth(self, year_lo: int, year_hi: int) -> tuple[int, str]:
        year = self.rng.randint(year_lo, year_hi)
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        return year, f"{year % 100:02d}{month:02d}{day:02d}"

    def rrn(self) -> str:
        if self._turn("rrn", 4) == 3:  # born after Oct 2020: the last six digits are random, no check digit
            _, birth = self._birth(2021, 2024)
            head = birth + self.rng.choice("34") + self._digits(5)
            last = (rrn_check_digit(head) + self.rng.randint(1, 9)) % 10  # deliberately not the old check
            return f"{birth}-{head[6:]}{last}"
        year, birth = self._birth(1950, 2019)
        gender = self.rng.choice("12") if year < 2000 else self.rng.choice("34")
        head = birth + gender + self._digits(5)
        return f"{birth}-{head[6:]}{rrn_check_digit(head)}"

    def frn(self) -> str:
        year, birth = self._birth(1960, 2015)
        gender = self.rng.choice("56") if year < 2000 else self.rng.choice("78")
        agency = f"{self.rng.randrange(0, 100, 2):02d}"  # registration office code is even
        head = birth + gender + self._digits(2) + agency + self.rng.choice("6789")
        return f"{birth}-{head[6:]}{frn_check_digit(head)}"

    def email_address(self) -> str:
        user = self.faker.user_name()
        if self.rng.random() < 0.3:
            user += str(self.rng.randint(1, 99))
        return f"{user}@{self.rng.choice(self.bank['email_domains'])}"

    def email(self) -> str:
        """An address, often with a particle or a phrase glued on as people type it."""
        address = self.email_address()
        suffix = self.rng.choice(self.bank["email_suffixes"])
        for particle in ("으로", "로"):  # the particle must agree with how the address ends
            if suffix.startswith(particle):
                return attach(address, particle) + suffix[len(particle):]
        return address + suffix

    def url(self) -> str:
        host = self.rng.choice(self.bank["url_hosts"])
        path = self.rng.choice(self.bank["url_paths"])
        if path.endswith("=") or path.endswith("/post/"):
            path += str(self.rng.randint(100, 99999))
        scheme = self.rng.choice(["https://", "http://", "https://", ""]) if host.startswith("www.") else "https://"
        return scheme + host + path

    def ipv4(self) -> str:
        return ".".join(str(self.rng.randint(1 if i == 0 else 0, 254)) for i in range(4))

    def ipv6(self) -> str:
        groups = [f"{self.rng.randint(0, 0xFFFF):x}" for _ in range(8)]
        if self._turn("ipv6", 2) == 1:
            return f"2001:db8::{groups[6]}:{groups[7]}"
        return ":".join(groups)

    def mac(self) -> str:
        octets = [f"{self.rng.randint(0, 255):02x}" for _ in range(6)]
        if self.rng.random() < 0.3:
            octets = [o.upper() for o in octets]
        return self.rng.choice([":", "-"]).join(octets)

    def mention(self) -> str:
        return "@" + self.faker.user_name() + self.rng.choice(["", "", "님", " "]).rstrip()

    def address(self) -> str:
        sido = self.rng.choice(list(self.bank["regions"]))
        sigungu = self.rng.choice(self.bank["regions"][sido])
        unit = ""
        if self.rng.random() < 0.6:
            unit = f" {self.rng.randint(101, 115)}동 {self.rng.randint(1, 25)}{self.rng.randint(1, 4):02d}호"
        if self.rng.random() < 0.55:  # road-name address
            road = self.rng.choice(self.bank["road_names"])
            return f"{sido} {sigungu} {road} {self.rng.randint(1, 400)}{',' if unit else ''}{unit}"
        dong = self.rng.choice(self.bank["dong_names"])
        apt = f" {self.rng.choice(self.bank['apartment_names'])}아파트" if unit else ""
        return f"{sido} {sigungu} {dong} {self.rng.randint(1, 999)}-{self.rng.randint(1, 60)}{apt}{unit}"

    def bank_account(self) -> str:
        bank = self.rng.choice(list(self.bank["bank_accounts"]))
        number = self._fill(self.rng.choice(self.bank["bank_accounts"][bank]))
        return self.rng.choice([f"{bank} {number}", f"{number} ({bank})", f"{bank} 계좌 {number}"])

    def passport(self) -> str:
        letter = self.rng.choice("MMMSR")
        if self._turn("passport", 2) == 0:
            return f"{letter}{self._digits(8)}"
        return f"{letter}{self._digits(3)}{self.rng.choice('ABCDEFG')}{self._digits(4)}"

    def driver_license(self) -> str:
        tail = f"{self.rng.randint(0, 99):02d}-{self._digits(6)}-{self._digits(2)}"
        if self._turn("driver_license", 3) == 2:
            return f"{self.rng.choice(self.bank['license_regions'])} {tail}"
        return f"{self.rng.randint(11, 28)}-{tail}"

    def brn(self) -> str:
        head = f"{self.rng.randint(101, 899)}{self.rng.randint(1, 99):02d}{self._digits(4)}"
        number = head + str(brn_check_digit(head))
        return f"{number[:3]}-{number[3:5]}-{number[5:]}"

    def health_insurance(self) -> str:
        head, tail = self.rng.randint(1, 9), self._digits(10)
        return self.rng.choice([f"{head}-{tail}", f"{head}{tail}"])

    def card(self) -> str:
        if self._turn("card", 5) == 4:  # American Express, grouped 4-6-5
            number = luhn_complete(self.rng.choice(["34", "37"]) + self._digits(12))
            return f"{number[:4]}-{number[4:10]}-{number[10:]}"
        prefix = self.rng.choice(["4", "51", "52", "53", "9410", "6250"])
        number = luhn_complete(prefix + self._digits(15 - len(prefix)))
        sep = self.rng.choice(["-", "-", " ", ""])
        return sep.join(number[i:i + 4] for i in range(0, 16, 4))

    def vehicle_plate(self) -> str:
        hangul = self.rng.choice(self.bank["plate_hangul"])
        last = self._digits(4)
        return self._cycle("vehicle_plate", [
            f"{self.rng.randint(10, 99)}{hangul}{last}", f"{self.rng.randint(100, 399)}{hangul}{last}",
            f"{self.rng.randint(100, 399)}{hangul} {last}",
            f"{self.rng.choice(self.bank['plate_regions'])}{self.rng.randint(10, 99)}{hangul}{last}",
        ])


class PiiPool:
    """``size`` pre-drawn values per kind; ``value`` samples them with its own seeded generator."""

    def __init__(self, seed: int, size: int = 2000) -> None:
        fake = FakePii(seed)
        self.values = {kind: [fake.value(kind) for _ in range(size)] for kind in (*KINDS, "email_address")}
        self.rng = random.Random(seed + 1)

    def value(self, kind: str) -> str:
        return self.rng.choice(self.values[kind])
