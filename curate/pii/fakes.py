"""Format-preserving fakes: each PII type's generator (``TypeCode.fake``, curate/pii/type_code/),
with the guarantee that a fake never equals, nor contains, the original.

A generator keeps the original's written form: separators, spacing, digit grouping, letter
case and the kind-bearing parts (RRN gender digit, card network, passport kind, plate use
class, road vs lot address); everything identifying is redrawn. Numbers with check digits get
valid ones; e-mail, URL and IP fakes use documentation ranges.

``make_fake`` retries a generator with the continuing seeded stream until the fake differs from
the original. The same seed always gives the same fake.
"""

from __future__ import annotations

import functools
import random

from faker import Faker

from curate.pii.catalog import pii_types
from curate.pii.fake_parts import MAX_ATTEMPTS, shuffle_chars
from curate.pii.fpe import Permutation
from curate.pii.normal_forms import without_spaces
from curate.pii.type_code import TypeCode


def new_faker() -> Faker:
    """One ko_KR Faker per process; callers reseed it per value (cheap: a few microseconds).
    It has its own ``random.Random`` (``faker.random``), so reseeding that one object, as
    ``seed_instance`` does, is all a new value needs (``fake_seeded``)."""
    faker = Faker("ko_KR")
    faker.seed_instance(0)  # replaces the Random shared by all Fakers with one of its own
    return faker


def fake_generic(value: str, rng: random.Random, faker: Faker) -> str:
    """For a type without code of its own: the same shape, new characters."""
    return shuffle_chars(value, rng)


# for a type name no rules file declares: the same shape, new characters
GENERIC = TypeCode(fake=fake_generic, normalize=without_spaces)


def code_of(pii_type: str) -> TypeCode:
    """The type's ``TypeCode`` (curate/pii/type_code/), ``GENERIC`` for a name no rules file declares."""
    known = pii_types().get(pii_type)
    return GENERIC if known is None else known.code


def normalize(pii_type: str, value: str) -> str:
    """The value with its written form removed: what must map to the same fake.

    ``010-1234-5678``, ``01012345678`` and ``+82 10 1234 5678`` all normalize to the same digits.
    """
    return code_of(pii_type).normalize(value)


def make_fake(pii_type: str, value: str, seed: int, faker: Faker) -> str | None:
    """A fake for ``value`` drawn from ``seed``; None if no acceptable fake came out (degenerate
    input), in which case the caller masks instead. Never equal to, nor containing, the original."""
    faker.seed_instance(seed)
    code = code_of(pii_type)
    return fake_seeded(code, value, code.normalize(value), faker.random, faker)


def fake_seeded(code: TypeCode, value: str, original: str, rng: random.Random, faker: Faker,
                permute: Permutation | None = None) -> str | None:
    """``make_fake`` for a Faker whose own Random ``rng`` (``faker.random``) the caller has just
    seeded, given the type's code and the value's normal form (which the caller computed for the
    seed). With ``permute`` (a keyed ``Permutation``), a ``one_to_one`` type's distinct values get
    distinct fakes."""
    generate = code.fake
    if permute is not None and code.one_to_one:
        generate = functools.partial(generate, permute=permute)
    for _ in range(MAX_ATTEMPTS):
        fake = generate(value, rng, faker)
        norm = code.normalize(fake)
        leaks = value in fake or (original and original in norm)
        if fake != value and norm != original and not leaks:
            return fake
    return None
