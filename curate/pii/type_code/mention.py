"""@handles: fakes are pronounceable random handles, never names from a list."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.normal_forms import case_folded
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


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


CODE = TypeCode(fake=fake_mention, normalize=case_folded)
