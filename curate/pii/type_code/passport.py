"""Korean passport numbers: fakes keep the kind letter (rules/pii/types/passport.yaml ``fake.kinds``)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.fake_parts import ASCII_UPPER, DIGITS, fake_settings
from curate.pii.normal_forms import case_folded
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def fake_passport(value: str, rng: random.Random, faker: Faker) -> str:
    kinds = fake_settings("passport")["kinds"]
    out = []
    for i, c in enumerate(value):
        if i == 0 and c.isalpha():
            out.append(c.upper() if c.upper() in kinds else kinds[0])
        elif "0" <= c <= "9":
            out.append(rng.choice(DIGITS))
        elif "A" <= c <= "Z" or "a" <= c <= "z":
            out.append(rng.choice(ASCII_UPPER))
        else:
            out.append(c)
    return "".join(out)


CODE = TypeCode(fake=fake_passport, normalize=case_folded)
