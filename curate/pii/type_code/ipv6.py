"""IPv6 addresses: fakes in 2001:db8::/32 (rules/pii/types/ipv6.yaml ``fake.prefix``)."""

from __future__ import annotations

import ipaddress
import random
from typing import TYPE_CHECKING

from curate.pii.fake_parts import HEX, fake_settings
from curate.pii.normal_forms import case_folded
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker


def ipv6_valid(value: str) -> bool:
    """Any textual IPv6 form that the standard library accepts (zone ids excluded)."""
    if ":" not in value or "%" in value:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def ipv6_specific(value: str) -> bool:
    """Valid IPv6 with enough hex in it to be an address rather than ``::`` or a score like ``2::8``:
    three non-empty groups, or two with one of three or more hex digits."""
    if not ipv6_valid(value):
        return False
    groups = [g for g in value.split(":") if g]
    return len(groups) >= 3 or (len(groups) == 2 and any(len(g) >= 3 for g in groups))


def fake_ipv6(value: str, rng: random.Random, faker: Faker) -> str:
    """In 2001:db8::/32, keeping the original's ``::`` position, group widths and case."""
    upper = any("A" <= c <= "F" for c in value)
    head_s, sep, tail_s = value.partition("::")
    head = head_s.split(":") if head_s else []
    tail = tail_s.split(":") if tail_s else []
    prefix = fake_settings("ipv6")["prefix"]
    widths = [len(g) for g in head]
    new_head = [prefix[0], prefix[1].rjust(widths[1], "0") if len(widths) > 1 else prefix[1]]
    new_head += ["".join(rng.choice(HEX) for _ in range(max(w, 1))) for w in widths[2:]]
    if sep:
        tail = tail[: max(0, 6 - len(new_head))]
    new_tail = ["".join(rng.choice(HEX) for _ in range(max(len(g), 1))) for g in tail]
    if not sep:  # full form: eight groups
        new_head = (new_head + new_tail)[:8]
        while len(new_head) < 8:
            new_head.append("".join(rng.choice(HEX) for _ in range(4)))
        out = ":".join(new_head)
    else:
        out = ":".join(new_head) + "::" + ":".join(new_tail)
    return out.upper() if upper else out


CODE = TypeCode(fake=fake_ipv6, normalize=case_folded, validators=(ipv6_specific,))
