"""Postal addresses: fakes from Faker ko_KR in the original's form (road-name or lot number),
its unit (동/층/호) and note in brackets kept with new numbers and names."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from curate.pii.fake_parts import random_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker

_ROAD = re.compile(r"[가-힣0-9]+(?:로|길)\s*\d+(?![\d가])")  # 종로1가 12 is a lot address
_NOTE = re.compile(r"(\s*)\([^()]*\)\s*$")  # 도로명주소 참고항목: "(역삼동)"
_UNIT = re.compile(r"(?:\s*,?\s*\d+\s*동)?(?:\s*(?:지하\s?|B)?\d+\s*층)?(?:\s*\d+\s*호)?\s*$")
_NUMBER = re.compile(r"\d+")
_MOUNTAIN_LOT = re.compile(r"(?:동|리|가)\s?산")


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
        new_unit = _NUMBER.sub(lambda m: random_digits(rng, len(m.group(0)), first_nonzero=True), part)
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
    mountain = "산 " if _MOUNTAIN_LOT.search(value) else ""
    # lot numbers as written: no leading zero (Faker's land_number gives 076-0, 008)
    number = str(rng.randint(1, 999)) + (f"-{rng.randint(1, 99)}" if rng.random() < 0.6 else "")
    number += "번지" if "번지" in value else ""
    return f"{region} {town} {mountain}{number}"


CODE = TypeCode(fake=fake_address)
