"""MAC addresses: fakes are locally administered unicast addresses in the original's notation."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from curate.pii.fake_parts import HEX
from curate.pii.type_code import TypeCode

if TYPE_CHECKING:
    from faker import Faker

_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")
_MAC_DOTTED = re.compile(r"^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$")
_NOT_HEX = re.compile(r"[^0-9a-f]")


def mac_valid(value: str) -> bool:
    """Six hex octets joined by one consistent ``:`` or ``-``, or Cisco's dotted ``aaaa.bbbb.cccc``."""
    return bool(_MAC.match(value) or _MAC_DOTTED.match(value))


def hex_digits(value: str) -> str:
    """The address's hex digits in lower case, whatever its notation."""
    return _NOT_HEX.sub("", value.lower())


def fake_mac(value: str, rng: random.Random, faker: Faker) -> str:
    """Separator and case kept; a locally administered unicast address (second nibble 2/6/a/e)."""
    out, position = [], 0
    for c in value:
        if c in "0123456789abcdefABCDEF":
            h = rng.choice("26ae") if position == 1 else rng.choice(HEX)
            out.append(h.upper() if c.isupper() or (c.isdigit() and value.isupper()) else h)
            position += 1
        else:
            out.append(c)
    return "".join(out)


CODE = TypeCode(fake=fake_mac, normalize=hex_digits, validators=(mac_valid,))
