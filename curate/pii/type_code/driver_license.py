"""Driver's licence numbers: fakes keep the region's form, a code or a name
(rules/pii/types/driver_license.yaml ``fake``)."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from curate.pii.checksums import digits_of
from curate.pii.fake_parts import fake_settings, random_digits, render_digits
from curate.pii.normal_forms import hangul_and_digits
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker

_REGION_NAME = re.compile(r"^([가-힣]+)")


def fake_driver_license(value: str, rng: random.Random, faker: Faker) -> str:
    settings = fake_settings("driver_license")
    m = _REGION_NAME.match(value)
    if m:
        region = rng.choice(settings["region_names"])
        rest = value[m.end():]
        return region + render_digits(rest, random_digits(rng, len(digits_of(rest))))
    d = digits_of(value)
    return render_digits(value, rng.choice(settings["region_codes"]) + random_digits(rng, len(d) - 2))


CODE = TypeCode(fake=fake_driver_license, normalize=hangul_and_digits)
