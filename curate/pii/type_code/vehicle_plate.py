"""Vehicle registration plates: fakes keep the use class of the Hangul letter and an old-style
region name (rules/pii/types/vehicle_plate.yaml ``fake``)."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from curate.pii.fake_parts import DIGITS, fake_settings
from curate.pii.normal_forms import hangul_and_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker

_REGION = re.compile(r"^([가-힣]{2})(\s*)")


def fake_vehicle_plate(value: str, rng: random.Random, faker: Faker) -> str:
    settings = fake_settings("vehicle_plate")
    classes = settings["syllables"]
    avoid = set(settings["avoid_in_fakes"])
    m = _REGION.match(value)
    prefix = ""
    body = value
    if m and m.group(1) in settings["regions"]:
        prefix, body = rng.choice(settings["regions"]) + m.group(2), value[m.end():]
    out = []
    digit_run = 0
    for c in body:
        if "0" <= c <= "9":
            out.append(str(rng.randint(1, 9)) if digit_run == 0 else rng.choice(DIGITS))
            digit_run += 1
        elif "가" <= c <= "힣":
            kind = next((k for k, syl in classes.items() if c in syl), "private")
            out.append(rng.choice([syl for syl in classes[kind] if syl not in avoid] or classes[kind]))
            digit_run = 0
        else:
            out.append(c)
            digit_run = 0 if c.strip() else digit_run
    return prefix + "".join(out)


CODE = TypeCode(fake=fake_vehicle_plate, normalize=hangul_and_digits)
