"""Person names: the fake. Finding names takes word statistics and Kiwi, not patterns: that is
the type's ``finder``, curate/pii/person/."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.fake_parts import fake_settings
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def fake_person(value: str, rng: random.Random, faker: Faker) -> str:
    """A Faker ko_KR name as long as the original: a compound surname for four characters, a
    one-syllable given name for two."""
    name = value.strip()
    if len(name) >= 4:
        return rng.choice(fake_settings("person")["compound_surnames"]) + faker.first_name()
    if len(name) == 2:
        return faker.last_name() + faker.first_name()[0]
    return faker.last_name() + faker.first_name()


CODE = TypeCode(fake=fake_person)
