"""The Python half of each PII type, one module per type: validators, check digits, normal form
and fake generator.

The other half is rules/pii/types/<type>.yaml: tag, patterns, context words. Its ``code:`` names
the module here, which exposes its parts as ``CODE``, a ``TypeCode``; patterns name validators by
function name. Modules whose names start with ``_`` are parts that several types share (the
resident-ID scheme of RRN and FRN), not types. docs/extending.md: adding a type.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from curate.pii.normal_forms import without_spaces

if TYPE_CHECKING:
    from faker import Faker


class FakeGenerator(Protocol):
    """A realistic value of the type for ``value``, in its written form, drawn from ``rng``."""

    def __call__(self, value: str, rng: random.Random, faker: Faker) -> str: ...


@dataclass(frozen=True)
class TypeCode:
    fake: FakeGenerator
    # what must map to the same fake and hash: 010-1234-5678 and +82 10 1234 5678 are one phone
    normalize: Callable[[str], str] = without_spaces
    validators: tuple[Callable[[str], bool], ...] = ()
    # ``fake`` also takes ``permute=`` (a keyed curate.pii.fpe.Permutation) and then gives distinct
    # values distinct fakes; other types' fakes are drawn from the value's keyed seed and may collide
    one_to_one: bool = False

    def validators_by_name(self) -> dict[str, Callable[[str], bool]]:
        return {fn.__name__: fn for fn in self.validators}
