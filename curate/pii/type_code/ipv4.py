"""IPv4 addresses: fakes in the documentation ranges (rules/pii/types/ipv4.yaml ``fake.networks``)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from curate.pii.fake_parts import fake_settings
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def ipv4_valid(value: str) -> bool:
    """Dotted quad with octets 0-255 and no leading zeros."""
    parts = value.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part.isdigit() or len(part) > 3 or (len(part) > 1 and part[0] == "0") or int(part) > 255:
            return False
    return True


def ipv4_specific(value: str) -> bool:
    """Rules out dotted quads that are almost always something else: enumerations such as
    ``1.2.3.4`` (every part one digit), the unspecified ``0.0.0.0`` and netmasks (255.255.x.x)."""
    parts = value.split(".")
    return ipv4_valid(value) and any(len(p) > 1 for p in parts) and parts[:2] != ["255", "255"]


def fake_ipv4(value: str, rng: random.Random, faker: Faker) -> str:
    return f"{rng.choice(fake_settings('ipv4')['networks'])}.{rng.randint(1, 254)}"


CODE = TypeCode(fake=fake_ipv4, validators=(ipv4_specific,))
