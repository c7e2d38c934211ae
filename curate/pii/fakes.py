"""Format-preserving fakes: one generator per PII type.

A generator gets the original value and a seeded ``random.Random`` (the Faker instance's own
generator, so Faker providers and rule-based draws share one seeded stream) and returns a
realistic value of the same type in the same written form: separators, spacing, digit grouping,
letter case and the kind-bearing parts (RRN gender digit, card network, passport kind, plate use
class, road vs lot address) are kept; everything identifying is redrawn. Numbers with check
digits get valid ones; e-mail, URL and IP fakes use documentation ranges.

``make_fake`` wraps a generator with the guarantee that the fake never equals (or contains) the
original, retrying with the continuing seeded stream. The same seed always gives the same fake.
"""

from __future__ import annotations

import datetime as _dt
import functools
import random
import re
from collections.abc import Callable

from faker import Faker

from curate.pii.fpe import Permutation, permute_digits
from curate.pii.validators import (
    birth_century,
    brn_check_digit,
    digits_of,
    frn_check_digit,
    luhn_check_digit,
    rrn_check_digit,
)
from curate.rules import cached_per_rules, load_yaml

Generator = Callable[[str, random.Random, Faker], str]

_ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ASCII_UPPER = _ASCII_LOWER.upper()
_DIGITS = "0123456789"
_HEX = "0123456789abcdef"
_BIRTH_YEARS = {"1": (1940, 1999), "2": (1940, 1999), "5": (1940, 1999), "6": (1940, 1999),
                "3": (2000, 2019), "4": (2000, 2019), "7": (2000, 2019), "8": (2000, 2019),
                "9": (1870, 1899), "0": (1870, 1899)}
_MAX_ATTEMPTS = 32


@cached_per_rules
def _rules(name: str) -> dict:
    return load_yaml(f"pii/fakes/{name}.yaml")


def new_faker() -> Faker:
    """One ko_KR Faker per process; callers reseed it per value (cheap: a few microseconds).
    It has its own ``random.Random`` (``faker.random``), so reseeding that one object, as
    ``seed_instance`` does, is all a new value needs (``fake_seeded``)."""
    faker = Faker("ko_KR")
    faker.seed_instance(0)  # replaces the Random shared by all Fakers with one of its own
    return faker


# ---------------------------------------------------------------- helpers


def _random_digits(rng: random.Random, n: int, first_nonzero: bool = False) -> str:
    if n <= 0:
        return ""
    low = 10 ** (n - 1) if first_nonzero else 0
    return str(rng.randrange(low, 10**n)).zfill(n)  # one draw per run of digits: fakes are hot


def render_digits(template: str, digits: str) -> str:
    """Write ``digits`` into the ASCII digit positions of ``template``, keeping everything else."""
    it = iter(digits)
    return "".join(next(it) if "0" <= c <= "9" else c for c in template)


def _shuffle_chars(value: str, rng: random.Random) -> str:
    """Same shape, new characters: a letter stays a letter of the same case, a digit a digit,
    a Hangul syllable a Hangul syllable; punctuation and spaces stay."""
    out = []
    for c in value:
        if "0" <= c <= "9":
            out.append(rng.choice(_DIGITS))
        elif "a" <= c <= "z":
            out.append(rng.choice(_ASCII_LOWER))
        elif "A" <= c <= "Z":
            out.append(rng.choice(_ASCII_UPPER))
        elif "가" <= c <= "힣":
            out.append(chr(rng.randint(0xAC00, 0xD7A3)))
        else:
            out.append(c)
    return "".join(out)


def _birth_date(rng: random.Random, gender_digit: str) -> str:
    lo, hi = _BIRTH_YEARS.get(gender_digit, (1940, 1999))
    start = _dt.date(lo, 1, 1).toordinal()
    day = _dt.date.fromordinal(rng.randint(start, _dt.date(hi, 12, 31).toordinal()))
    return day.strftime("%y%m%d")


# ---------------------------------------------------------------- normalization


def normalize(pii_type: str, value: str) -> str:
    """The value with its written form removed: what must map to the same fake.

    ``010-1234-5678``, ``01012345678`` and ``+82 10 1234 5678`` all normalize to the same digits.
    """
    if pii_type in ("phone", "phone_rep"):
        return _phone_national(value)[0]
    if pii_type in _DIGIT_TYPES:
        return digits_of(value)
    if pii_type == "mac":
        return re.sub(r"[^0-9a-f]", "", value.lower())
    if pii_type in ("driver_license", "vehicle_plate"):  # region name / use letter + digits
        return re.sub(r"[^0-9가-힣]", "", value)
    if pii_type in ("email", "url", "mention", "ipv6", "passport"):
        return value.lower().rstrip("/")
    return re.sub(r"\s+", "", value)


_DIGIT_TYPES = frozenset({"rrn", "frn", "card", "brn", "bank_account", "health_insurance"})
# Types whose fake is a keyed permutation of the value's digits (curate.pii.fpe): distinct values,
# distinct fakes. The others are drawn from the value's keyed seed and may collide by chance.
ONE_TO_ONE = frozenset({"phone", "bank_account", "health_insurance", "rrn", "frn", "card", "brn"})


# ---------------------------------------------------------------- generators


def _phone_national(value: str) -> tuple[str, str]:
    """(national digits starting with 0, the prefix the template's digits carry before them)."""
    d = digits_of(value)
    if value.lstrip().startswith("+") or (d.startswith("82") and not d.startswith("0")):
        rest = d[2:]
        if rest.startswith("0"):  # +82 (0)10-...
            return rest, "82"
        return "0" + rest, "82-"  # the national 0 is not written
    return d, ""


def _phone_prefix(national: str) -> str:
    if national.startswith("02"):
        return "02"
    if national.startswith("050"):
        return national[:4]
    if national[:2] in ("15", "16", "18"):  # nationwide representative numbers (1588-xxxx)
        return national[:4]
    return national[:3]


def fake_phone(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    national, intl = _phone_national(value)
    prefix = _phone_prefix(national)
    body_len = len(national) - len(prefix)
    body = national[len(prefix):]
    # one-to-one within a key (curate.pii.fpe); a body that starts 0/1 (no real number does) is drawn
    permuted = permute_digits(permute, body, f"phone|{prefix}", first_from=2) if permute else None
    fake = prefix + (permuted or (str(rng.randint(2, 9)) + _random_digits(rng, body_len - 1) if body_len > 0 else ""))
    if intl == "82-":
        return render_digits(value, "82" + fake[1:])
    return render_digits(value, intl + fake)


# Permuted birth dates stop here, a fixed day: the same fakes every year; a later date (a typo or
# a future number) gets a drawn fake instead.
_ID_LAST_DAY = _dt.date(2026, 12, 31)
_SERIALS = 100_000  # the five digits after the gender digit


def _completed(body: str, original: str, check: Callable[[str], int]) -> str:
    """``body`` and its check digit, offset as far as ``original``'s last digit is from its own
    valid one (0 for a valid number): a number issued without the scheme (RRNs since October
    2020) keeps its offset in its fake, so values differing only there get different fakes."""
    offset = (int(original[-1]) - check(original[:-1])) % 10 if original else 0
    return body + str((check(body) + offset) % 10)


def _permuted_id(d: str, permute: Permutation, check: Callable[[str], int]) -> str | None:
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
    return _completed(first12, d, check)


def _resident_id(value: str, rng: random.Random, gender_digits: str, check: Callable[[str], int],
                 permute: Permutation | None) -> str:
    d = digits_of(value)
    if permute is not None and len(d) == 13 and d[6] in gender_digits:
        permuted = _permuted_id(d, permute, check)
        if permuted is not None:
            return render_digits(value, permuted)
    gender = d[6] if len(d) > 6 and d[6] in gender_digits else gender_digits[0]
    first12 = _birth_date(rng, gender) + gender + _random_digits(rng, 5)
    return render_digits(value, _completed(first12, d if len(d) == 13 else "", check))


def fake_rrn(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """Same gender/century digit, a real birth date, a valid (pre-2020 scheme) check digit; with a
    key, birth date and serial are permuted: distinct numbers never share a fake."""
    return _resident_id(value, rng, "1234905678", rrn_check_digit, permute)


def fake_frn(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    return _resident_id(value, rng, "5678", frn_check_digit, permute)


def _luhn(digits: str) -> int:
    return int(luhn_check_digit(digits))


def fake_card(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """Same length, grouping and network (first two digits; 2221-2720 Mastercard kept in range);
    with a key the digits after the network are permuted and the Luhn digit recomputed."""
    d = digits_of(value)
    if permute is not None and len(d) >= 12:
        head = d[:4] if d.startswith("2") else d[:2]
        body = permute_digits(permute, d[len(head):-1], f"card|{head}|{len(d)}")
        if body is not None:
            return render_digits(value, _completed(head + body, d, _luhn))
    if d.startswith("2"):
        head = str(rng.randint(2221, 2720))
    else:
        head = d[:2]
    partial = head + _random_digits(rng, len(d) - len(head) - 1)
    return render_digits(value, partial + luhn_check_digit(partial))


def fake_brn(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """Tax office code redrawn, business-kind code (middle two digits) kept, valid check digit;
    with a key, office and serial are permuted: distinct numbers never share a fake."""
    d = digits_of(value)
    if permute is not None and len(d) == 10:
        body = permute_digits(permute, d[:3] + d[5:9], f"brn|{d[3:5]}")
        if body is not None:
            return render_digits(value, _completed(body[:3] + d[3:5] + body[3:], d, brn_check_digit))
    kind = d[3:5] if len(d) == 10 else _random_digits(rng, 2)
    first9 = str(rng.randint(101, 899)) + kind + _random_digits(rng, 4)
    return render_digits(value, first9 + str(brn_check_digit(first9)))


def fake_bank_account(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    d = digits_of(value)
    permuted = permute_digits(permute, d, "bank_account", first_from=1) if permute else None
    return render_digits(value, permuted or _random_digits(rng, len(d), first_nonzero=True))


def fake_health_insurance(value: str, rng: random.Random, faker: Faker, permute: Permutation | None = None) -> str:
    """The leading digit (kind of insured) kept, the rest redrawn (permuted, with a key)."""
    d = digits_of(value)
    permuted = permute_digits(permute, d[1:], f"health_insurance|{d[:1]}") if permute and len(d) > 1 else None
    return render_digits(value, d[:1] + (permuted or _random_digits(rng, len(d) - 1)))


def fake_email(value: str, rng: random.Random, faker: Faker) -> str:
    local = re.sub(r"[^a-z0-9._]", "", faker.user_name().lower()) or "user"
    if value.split("@", 1)[0].isupper():
        local = local.upper()
    number = str(rng.randint(1, 99)) if rng.random() < 0.3 else ""
    return f"{local}{number}@{rng.choice(_rules('common')['email_domains'])}"


# host: a bracketed IPv6 literal ([2001:db8::1], RFC 3986) or a name up to the port or path
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<www>www\d?\.)?"
                  r"(?P<host>\[[^\]/?#]*\]|[^/?#:]*)(?P<port>:\d+)?(?P<rest>.*)$", re.S)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def fake_url(value: str, rng: random.Random, faker: Faker) -> str:
    """Scheme, ``www.`` and port kept; host from example.com/.org/.net (an IPv6 literal host stays
    a bracketed IPv6 literal, from 2001:db8::/32); path letters and digits redrawn in place
    (percent-escapes become a letter each)."""
    m = _URL.match(value)
    assert m is not None  # the pattern matches any string
    if m["host"].startswith("[") and m["host"].endswith("]"):
        host = "[" + _fake_ipv6_host(m["host"][1:-1], rng, faker) + "]"
    else:
        host = rng.choice(_rules("common")["url_hosts"])
    if m["host"].count(".") >= 2 and not m["www"] and not host.startswith("["):  # sub.domain.tld keeps a subdomain
        host = faker.user_name().lower()[:8].strip("._") + "." + host
    rest = _PERCENT.sub(lambda _: rng.choice(_ASCII_LOWER), m["rest"])
    rest = "".join(rng.choice(_ASCII_LOWER) if "가" <= c <= "힣" else c for c in rest)
    return (m["scheme"] or "") + (m["www"] or "") + host + (m["port"] or "") + _shuffle_chars(rest, rng)


def _fake_ipv6_host(inner: str, rng: random.Random, faker: Faker) -> str:
    """A documentation-range IPv6 for the literal inside a URL's brackets, never the same text."""
    if ":" not in inner:  # [v1.xyz] and other oddities: an address of the usual shape
        inner = "2001:db8::1"
    fake = inner
    for _ in range(_MAX_ATTEMPTS):
        fake = fake_ipv6(inner, rng, faker)
        if fake.lower() != inner.lower():
            break
    return fake


def fake_ipv4(value: str, rng: random.Random, faker: Faker) -> str:
    return f"{rng.choice(_rules('common')['ipv4_networks'])}.{rng.randint(1, 254)}"


def fake_ipv6(value: str, rng: random.Random, faker: Faker) -> str:
    """In 2001:db8::/32, keeping the original's ``::`` position, group widths and case."""
    upper = any("A" <= c <= "F" for c in value)
    head_s, sep, tail_s = value.partition("::")
    head = head_s.split(":") if head_s else []
    tail = tail_s.split(":") if tail_s else []
    prefix = _rules("common")["ipv6_prefix"]
    widths = [len(g) for g in head]
    new_head = [prefix[0], prefix[1].rjust(widths[1], "0") if len(widths) > 1 else prefix[1]]
    new_head += ["".join(rng.choice(_HEX) for _ in range(max(w, 1))) for w in widths[2:]]
    if sep:
        tail = tail[: max(0, 6 - len(new_head))]
    new_tail = ["".join(rng.choice(_HEX) for _ in range(max(len(g), 1))) for g in tail]
    if not sep:  # full form: eight groups
        new_head = (new_head + new_tail)[:8]
        while len(new_head) < 8:
            new_head.append("".join(rng.choice(_HEX) for _ in range(4)))
        out = ":".join(new_head)
    else:
        out = ":".join(new_head) + "::" + ":".join(new_tail)
    return out.upper() if upper else out


def fake_mac(value: str, rng: random.Random, faker: Faker) -> str:
    """Separator and case kept; a locally administered unicast address (second nibble 2/6/a/e)."""
    out, position = [], 0
    for c in value:
        if c in "0123456789abcdefABCDEF":
            h = rng.choice("26ae") if position == 1 else rng.choice(_HEX)
            out.append(h.upper() if c.isupper() or (c.isdigit() and value.isupper()) else h)
            position += 1
        else:
            out.append(c)
    return "".join(out)


def fake_mention(value: str, rng: random.Random, faker: Faker) -> str:
    handle = value.lstrip("@")
    # Handles are drawn from pronounceable random syllables plus a number, not from Faker's
    # few thousand user names: a name from a small list would often equal, or prefix, some
    # other person's real handle elsewhere in the corpus.
    if any("가" <= c <= "힣" for c in handle):
        syllables = "".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(2))
        new = f"{syllables}{rng.randint(100, 9999)}"
    else:
        letters = "".join(rng.choice("bdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))
        new = f"{letters}{rng.choice(('', '_'))}{rng.randint(100, 9999)}"
    return value[: len(value) - len(handle)] + new


_ROAD = re.compile(r"[가-힣0-9]+(?:로|길)\s*\d+(?![\d가])")  # 종로1가 12 is a lot address
_NOTE = re.compile(r"(\s*)\([^()]*\)\s*$")  # 도로명주소 참고항목: "(역삼동)"
_UNIT = re.compile(r"(?:\s*,?\s*\d+\s*동)?(?:\s*(?:지하\s?|B)?\d+\s*층)?(?:\s*\d+\s*호)?\s*$")


def fake_address(value: str, rng: random.Random, faker: Faker) -> str:
    """Faker ko_KR address of the same form (road-name or lot-number); the unit part (동/층/호)
    and a trailing note in parentheses ("(역삼동)") are kept with new numbers and names."""
    note = _NOTE.search(value)
    body = value[: note.start()] if note else value
    if _ROAD.search(body):
        # Faker's roads also end in 거리/가; the 로/길 form is what a road-name address looks like
        main = f"{faker.metropolitan_city()} {faker.borough()} {faker.road_name()}{rng.choice('로길')}"
        main += f" {rng.randint(1, 300)}" + (f"-{rng.randint(1, 30)}" if rng.random() < 0.3 else "")
    else:
        main = _lot_address(body, rng, faker)
    unit = _UNIT.search(body)
    if unit and unit.group(0).strip():
        part = unit.group(0)
        new_unit = re.sub(r"\d+", lambda m: _random_digits(rng, len(m.group(0)), first_nonzero=True), part)
        main += new_unit
    if note:
        town = faker.road_name()
        main += note.group(1) + "(" + town + ("" if town.endswith("동") else "동") + ")"
    return main


def _lot_address(value: str, rng: random.Random, faker: Faker) -> str:
    """시/도 시/군/구 X동 123-4: Faker's own lot addresses end in 면/마을 towns without a 동/리."""
    if rng.random() < 0.5:
        region = f"{faker.metropolitan_city()} {faker.borough()}"
    else:
        region = f"{faker.province()} {faker.city()}"
    town = faker.road_name()
    town += "" if town.endswith(("동", "리", "가")) else "동"
    mountain = "산 " if re.search(r"(?:동|리|가)\s?산", value) else ""
    # lot numbers as written: no leading zero (Faker's land_number gives 076-0, 008)
    number = str(rng.randint(1, 999)) + (f"-{rng.randint(1, 99)}" if rng.random() < 0.6 else "")
    number += "번지" if "번지" in value else ""
    return f"{region} {town} {mountain}{number}"


def fake_passport(value: str, rng: random.Random, faker: Faker) -> str:
    kinds = _rules("passport")["kinds"]
    out = []
    for i, c in enumerate(value):
        if i == 0 and c.isalpha():
            out.append(c.upper() if c.upper() in kinds else kinds[0])
        elif "0" <= c <= "9":
            out.append(rng.choice(_DIGITS))
        elif "A" <= c <= "Z" or "a" <= c <= "z":
            out.append(rng.choice(_ASCII_UPPER))
        else:
            out.append(c)
    return "".join(out)


def fake_driver_license(value: str, rng: random.Random, faker: Faker) -> str:
    rules = _rules("driver_license")
    m = re.match(r"^([가-힣]+)", value)
    if m:
        region = rng.choice(rules["region_names"])
        rest = value[m.end():]
        return region + render_digits(rest, _random_digits(rng, len(digits_of(rest))))
    d = digits_of(value)
    return render_digits(value, rng.choice(rules["region_codes"]) + _random_digits(rng, len(d) - 2))


def fake_vehicle_plate(value: str, rng: random.Random, faker: Faker) -> str:
    rules = _rules("vehicle_plate")
    classes = rules["syllables"]
    avoid = set(rules["avoid_in_fakes"])
    m = re.match(r"^([가-힣]{2})(\s*)", value)
    prefix = ""
    body = value
    if m and m.group(1) in rules["regions"]:
        prefix, body = rng.choice(rules["regions"]) + m.group(2), value[m.end():]
    out = []
    digit_run = 0
    for c in body:
        if "0" <= c <= "9":
            out.append(str(rng.randint(1, 9)) if digit_run == 0 else rng.choice(_DIGITS))
            digit_run += 1
        elif "가" <= c <= "힣":
            kind = next((k for k, syl in classes.items() if c in syl), "private")
            out.append(rng.choice([syl for syl in classes[kind] if syl not in avoid] or classes[kind]))
            digit_run = 0
        else:
            out.append(c)
            digit_run = 0 if c.strip() else digit_run
    return prefix + "".join(out)


def fake_person(value: str, rng: random.Random, faker: Faker) -> str:
    name = value.strip()
    if len(name) >= 4:
        return rng.choice(_rules("common")["compound_surnames"]) + faker.first_name()
    if len(name) == 2:
        return faker.last_name() + faker.first_name()[0]
    return faker.last_name() + faker.first_name()


GENERATORS: dict[str, Generator] = {
    "phone": fake_phone,
    "phone_rep": fake_phone,  # 1588-xxxx: prefix kept, the last four digits redrawn
    "rrn": fake_rrn,
    "frn": fake_frn,
    "email": fake_email,
    "url": fake_url,
    "ipv4": fake_ipv4,
    "ipv6": fake_ipv6,
    "mac": fake_mac,
    "mention": fake_mention,
    "address": fake_address,
    "bank_account": fake_bank_account,
    "passport": fake_passport,
    "driver_license": fake_driver_license,
    "brn": fake_brn,
    "health_insurance": fake_health_insurance,
    "card": fake_card,
    "vehicle_plate": fake_vehicle_plate,
    "person": fake_person,
}


def fake_generic(value: str, rng: random.Random, faker: Faker) -> str:
    return _shuffle_chars(value, rng)


def make_fake(pii_type: str, value: str, seed: int, faker: Faker) -> str | None:
    """A fake for ``value`` drawn from ``seed``; None if no acceptable fake came out (degenerate
    input), in which case the caller masks instead. Never equal to, nor containing, the original."""
    faker.seed_instance(seed)
    return fake_seeded(pii_type, value, normalize(pii_type, value), faker.random, faker)


def fake_seeded(pii_type: str, value: str, original: str, rng: random.Random, faker: Faker,
                permute: Permutation | None = None) -> str | None:
    """``make_fake`` for a Faker whose own Random ``rng`` (``faker.random``) the caller has just
    seeded, given the value's ``normalize``d form (which the caller computed for the seed). With
    ``permute`` (a keyed ``Permutation``), the types in ``ONE_TO_ONE`` get distinct fakes for
    distinct values."""
    generate = GENERATORS.get(pii_type, fake_generic)
    if permute is not None and pii_type in ONE_TO_ONE:
        generate = functools.partial(generate, permute=permute)
    for _ in range(_MAX_ATTEMPTS):
        fake = generate(value, rng, faker)
        norm = normalize(pii_type, fake)
        leaks = value in fake or (original and original in norm)
        if fake != value and norm != original and not leaks:
            return fake
    return None
