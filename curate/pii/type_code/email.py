"""E-mail addresses: fakes at documentation domains (rules/pii/types/email.yaml ``fake.domains``)."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from curate.pii.fake_parts import fake_settings
from curate.pii.normal_forms import case_folded
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker

_NOT_LOCAL = re.compile(r"[^a-z0-9._]")


def fake_email(value: str, rng: random.Random, faker: Faker) -> str:
    """A Faker user name (upper case if the original's local part is), sometimes a number."""
    local = _NOT_LOCAL.sub("", faker.user_name().lower()) or "user"
    if value.split("@", 1)[0].isupper():
        local = local.upper()
    number = str(rng.randint(1, 99)) if rng.random() < 0.3 else ""
    return f"{local}{number}@{rng.choice(fake_settings('email')['domains'])}"


CODE = TypeCode(fake=fake_email, normalize=case_folded)
