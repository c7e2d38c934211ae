"""A batch of texts as one numpy array of Unicode code points, and character classes over it.

Counting what a regex matches costs a pass of the regex engine per pattern; once the texts
are code points, every class (blanks, symbols, digits) is one table look-up per character
and counts per text are segment sums. The tables are filled by Polars' own regex engine,
so a class here matches exactly what the same class matches in a Polars expression.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import polars as pl

_BMP = 0x10000
# One character class: [...] (no nested brackets), \p{..}/\P{..}, \pL, \d \s \w and negations.
_ONE_CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]\\\[])*\]|\\[pP](?:\{[^}]*\}|\w)|\\[dDsSwW]")


def code_points(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Every text (null as empty) in one uint32 array, and where each starts: ``offsets[i]``
    to ``offsets[i + 1]`` are text i's code points (``len(texts) + 1`` offsets)."""
    texts = texts.fill_null("")
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(texts.str.len_chars().to_numpy(), out=offsets[1:])
    codes = np.frombuffer("".join(texts.to_list()).encode("utf-32-le"), dtype=np.uint32)
    return codes, offsets


def is_one_class(pattern: str) -> bool:
    """Whether ``pattern`` is one character class (``[...]``, ``\\p{..}``, ``\\d`` ...)."""
    return _ONE_CLASS.fullmatch(pattern) is not None


def run_class(pattern: str) -> str | None:
    """The character class of a pattern that is one class repeated (``[...]+``, ``\\p{N}+``),
    whose matches are therefore the maximal runs of that class; None for any other pattern."""
    if pattern.endswith("+") and is_one_class(pattern[:-1]):
        return pattern[:-1]
    return None


def _matches(chars: list[str], char_class: str) -> np.ndarray:
    return pl.Series(chars, dtype=pl.Utf8).str.contains(f"^(?:{char_class})$").to_numpy()


@cache
def _bmp_chars() -> list[str]:
    return [chr(c) if not 0xD800 <= c < 0xE000 else "" for c in range(_BMP)]  # no surrogate in a str


@cache
def _bmp_table(char_class: str) -> np.ndarray:
    return _matches(_bmp_chars(), char_class)


def class_bits(codes: np.ndarray, char_classes: tuple[str, ...]) -> np.ndarray:
    """uint8 per code point: bit i set where it matches ``char_classes[i]`` (at most 8 classes)."""
    table = np.zeros(_BMP, dtype=np.uint8)
    for bit, char_class in enumerate(char_classes):
        table |= _bmp_table(char_class).astype(np.uint8) << bit
    bits = table.take(codes, mode="clip")
    astral = np.flatnonzero(codes >= _BMP)  # emoji and rare scripts: few, classified on the spot
    if len(astral):
        found, where = np.unique(codes[astral], return_inverse=True)
        chars = [chr(c) for c in found.tolist()]
        astral_bits = np.zeros(len(found), dtype=np.uint8)
        for bit, char_class in enumerate(char_classes):
            astral_bits |= _matches(chars, char_class).astype(np.uint8) << bit
        bits[astral] = astral_bits[where]
    return bits


def segment_sums(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sum of ``values`` (0/1) within each text; empty texts give 0."""
    running = np.zeros(len(values) + 1, dtype=np.int32 if len(values) < 2**31 else np.int64)
    np.cumsum(values, out=running[1:])
    return running[offsets[1:]] - running[offsets[:-1]]


def run_counts(member: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per text, the number of maximal runs of True in ``member`` (runs never cross texts)."""
    starts = member.copy()
    starts[1:] &= ~member[:-1]
    first = offsets[:-1][offsets[:-1] < offsets[1:]]  # the first character of each non-empty text
    starts[first] = member[first]
    where = np.flatnonzero(starts)  # rare classes: counting the starts beats a running sum
    return np.bincount(np.searchsorted(offsets, where, side="right") - 1, minlength=len(offsets) - 1)
