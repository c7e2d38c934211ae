"""Web addresses: fakes at documentation hosts (rules/pii/types/url.yaml ``fake.hosts``)."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from curate.pii.fake_parts import ASCII_LOWER, MAX_ATTEMPTS, fake_settings, shuffle_chars
from curate.pii.normal_forms import case_folded
from curate.pii.type_code import TypeCode
from curate.pii.type_code.ipv6 import fake_ipv6

if TYPE_CHECKING:
    from faker import Faker

# host: a bracketed IPv6 literal ([2001:db8::1], RFC 3986) or a name up to the port or path
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<www>www\d?\.)?"
                  r"(?P<host>\[[^\]/?#]*\]|[^/?#:]*)(?P<port>:\d+)?(?P<rest>.*)$", re.S)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def fake_url(value: str, rng: random.Random, faker: Faker) -> str:
    """Scheme, ``www.`` and port kept; host from example.com/.org/.net (an IPv6 literal host stays
    a bracketed IPv6 literal, from 2001:db8::/32); path letters and digits redrawn in place
    (percent-escapes become a letter each)."""
    m = _URL.match(value)
    assert m is not None  # the pattern matches any string
    if m["host"].startswith("[") and m["host"].endswith("]"):
        host = "[" + _fake_ipv6_host(m["host"][1:-1], rng, faker) + "]"
    else:
        host = rng.choice(fake_settings("url")["hosts"])
    if m["host"].count(".") >= 2 and not m["www"] and not host.startswith("["):  # sub.domain.tld keeps a subdomain
        host = faker.user_name().lower()[:8].strip("._") + "." + host
    rest = _PERCENT.sub(lambda _: rng.choice(ASCII_LOWER), m["rest"])
    rest = "".join(rng.choice(ASCII_LOWER) if "가" <= c <= "힣" else c for c in rest)
    return (m["scheme"] or "") + (m["www"] or "") + host + (m["port"] or "") + shuffle_chars(rest, rng)


def _fake_ipv6_host(inner: str, rng: random.Random, faker: Faker) -> str:
    """A documentation-range IPv6 for the literal inside a URL's brackets, never the same text."""
    if ":" not in inner:  # [v1.xyz] and other oddities: an address of the usual shape
        inner = "2001:db8::1"
    fake = inner
    for _ in range(MAX_ATTEMPTS):
        fake = fake_ipv6(inner, rng, faker)
        if fake.lower() != inner.lower():
            break
    return fake


CODE = TypeCode(fake=fake_url, normalize=case_folded)
