"""A keyed permutation of numbers below a bound: fakes that are one-to-one within a key.

Fakes drawn at random from a value's keyed seed collide by the birthday bound (40,000 phone
numbers share 8 digits of body: about 8 pairs of different numbers got the same fake), so two
people became one. Types whose fake redraws digits instead permute them: a Feistel network over
the smallest even number of bits that holds the bound, walked along its cycle until the result
is below the bound again ("cycle walking"), which stays a bijection on [0, bound).
"""

from __future__ import annotations

import hashlib

ROUNDS = 8  # an even number: the halves end where they started
_ROUND_BYTES = tuple(bytes((i,)) for i in range(ROUNDS))
_WALK_LIMIT = 1_000  # a cycle that stays outside [0, bound) this long: give up (never seen)


class Permutation:
    """``permute(x, bound, tweak)``: a bijection of [0, bound) for each (bound, tweak), from ``key``."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.blake2b(key, digest_size=32, person=b"curate-fpe").digest()
        # the round function's keyed hash, its key already absorbed: copied per round (the same
        # digests as a keyed blake2b made afresh, without setting up the key each time)
        self._round = hashlib.blake2b(key=self._key, digest_size=8)

    def __call__(self, x: int, bound: int, tweak: str = "") -> int | None:
        """The image of ``x`` (0 <= x < bound), or None if the walk does not come back below ``bound``."""
        return self._walk(x, bound, tweak, self._feistel)

    def inverse(self, y: int, bound: int, tweak: str = "") -> int | None:
        """The ``x`` whose image is ``y``: the walk back, through the network's inverse."""
        return self._walk(y, bound, tweak, self._feistel_inverse)

    def _walk(self, x: int, bound: int, tweak: str, step) -> int | None:
        """``step`` (the network or its inverse) from ``x`` until the result is below ``bound`` again."""
        if not 0 <= x < bound:
            raise ValueError(f"{x} is not in [0, {bound})")
        bits = max(2, (bound - 1).bit_length())  # the walk's domain is under twice the bound
        high, low = bits // 2, bits - bits // 2
        salt = f"{tweak}|{bound}|".encode()
        for _ in range(_WALK_LIMIT):
            x = step(x, high, low, salt)
            if x < bound:
                return x
        return None

    def derange(self, x: int, bound: int, tweak: str = "") -> int | None:
        """A bijection of [0, bound) with no fixed point (bound > 1): one step along the cycle that
        the permutation lays the numbers out on, ``inverse(image(x) + 1)``. For a small domain
        (four digits) where a permutation's expected one fixed point would give a value itself."""
        image = self(x, bound, tweak)
        return None if image is None else self.inverse((image + 1) % bound, bound, tweak)

    def _feistel_inverse(self, y: int, high: int, low: int, salt: bytes) -> int:
        """``_feistel`` undone: its rounds in reverse order (an even count ends on the sizes it began with)."""
        left, right = y >> low, y & ((1 << low) - 1)
        for i in reversed(range(ROUNDS)):
            before_left = high if i % 2 == 0 else low  # the left half's size before round i
            h = self._round.copy()
            h.update(salt + _ROUND_BYTES[i] + left.to_bytes(8, "big"))
            digest = h.digest()
            left, right = right ^ (int.from_bytes(digest, "big") & ((1 << before_left) - 1)), left
        return (left << low) | right

    def _feistel(self, x: int, high: int, low: int, salt: bytes) -> int:
        """An unbalanced Feistel network on ``high + low`` bits (the halves swap sizes each round)."""
        left, right, left_bits, right_bits = x >> low, x & ((1 << low) - 1), high, low
        for i in range(ROUNDS):
            h = self._round.copy()
            h.update(salt + _ROUND_BYTES[i] + right.to_bytes(8, "big"))
            digest = h.digest()
            left, right = right, left ^ (int.from_bytes(digest, "big") & ((1 << left_bits) - 1))
            left_bits, right_bits = right_bits, left_bits
        return (left << right_bits) | right


def permute_digits(permute: Permutation, digits: str, tweak: str, first_from: int = 0) -> str | None:
    """``digits`` mapped one-to-one onto digit strings of the same length whose first digit is at
    least ``first_from`` (the input's must be too); None when it is not."""
    n = len(digits)
    if n == 0 or int(digits[0]) < first_from:
        return None
    rest = 10 ** (n - 1)
    index = (int(digits[0]) - first_from) * rest + int(digits[1:] or 0)
    image = permute(index, (10 - first_from) * rest, tweak)
    if image is None:
        return None
    return str(first_from + image // rest) + (str(image % rest).zfill(n - 1) if n > 1 else "")
