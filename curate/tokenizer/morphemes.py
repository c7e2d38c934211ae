"""Morpheme cut points from Kiwi, applied to the original string.

A word's pieces are slices of the word itself at Kiwi's token offsets, never
Kiwi's lemmas: ``했다`` analyses as 하/VV 었/EP 다/EF with 하 and 었 both on
``했``, and cuts into ``했`` + ``다``. Whatever Kiwi skips stays inside a
neighbouring piece, so the pieces always join back to the word.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from itertools import islice, pairwise

import regex

from curate.tokenizer.words import WORD_PATTERN

CHUNK = 8192  # eojeols handed to Kiwi at a time
# Unanalysed eojeols longer than this are cut every SLICE_CHARS characters: the subword
# trainers' cost grows with the square of a word's length (measured: one unspaced 40k-character
# word, ~7 s of BPE training; 80k, ~30 s), so bounded pieces keep training linear in the input.
# Far above ordinary eojeols (NSMC's longest has 140 characters), so those stay whole as before.
SLICE_CHARS = 256
WORD_RE = regex.compile(WORD_PATTERN)


@cache
def load_kiwi(n_threads: int = 1):
    """A Kiwi with its own thread pool; ``n_threads >= 1`` because the batch API needs one.
    Cached per process: loading takes seconds and ~300 MB."""
    from kiwipiepy import Kiwi

    return Kiwi(num_workers=max(1, n_threads))


def slice_at(text: str, cuts: list[int]) -> list[str]:
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]


def iter_pieces(kiwi, eojeols: Iterable[str], max_chars: int = 100, group: int = 1) -> Iterator[list[str]]:
    """Pieces of each eojeol, in order.

    ``group`` eojeols go to Kiwi as one space-joined string: Kiwi's per-call cost
    dominates on short strings (measured here: 64 per call ~1.6x faster than 1, 256
    ~2x faster than 64), at the price of Kiwi's language model seeing arbitrary
    neighbours (about 8% of eojeols then cut differently). ``group=1`` analyses each
    eojeol alone. Eojeols longer than ``max_chars`` (URLs, spam) are not analysed: Kiwi's
    cost grows with length and such strings have no morphology worth learning. They stay
    whole up to ``SLICE_CHARS`` characters, and beyond that are cut at every multiple of it
    (fixed positions, so the same eojeol always gives the same pieces).
    """
    it = iter(eojeols)
    while chunk := list(islice(it, CHUNK)):
        short = [e for e in chunk if len(e) <= max_chars]
        cut_iter = iter(_cuts_grouped(kiwi, short, max(1, group)))
        for eojeol in chunk:
            if len(eojeol) > max_chars:
                yield slice_at(eojeol, list(range(SLICE_CHARS, len(eojeol), SLICE_CHARS)))
            else:
                yield slice_at(eojeol, next(cut_iter))


def _cuts_grouped(kiwi, eojeols: list[str], group: int) -> list[list[int]]:
    groups = [eojeols[i:i + group] for i in range(0, len(eojeols), group)]
    cuts: list[list[int]] = []
    if not groups:
        return cuts
    for members, tokens in zip(groups, kiwi.tokenize([" ".join(g) for g in groups]), strict=True):
        offsets = sorted({t.start for t in tokens} | {t.start + t.len for t in tokens})
        start, k = 0, 0
        for eojeol in members:
            end = start + len(eojeol)
            while k < len(offsets) and offsets[k] <= start:
                k += 1
            inside = []
            while k < len(offsets) and offsets[k] < end:
                inside.append(offsets[k] - start)
                k += 1
            cuts.append(inside)
            start = end + 1
    return cuts


def text_pieces(kiwi, texts: list[str]) -> list[list[str]]:
    """Each text cut into its inference words, and each eojeol further at Kiwi's morpheme
    offsets, Kiwi reading the whole text (context included). For evaluation and the
    analyzer-at-inference wrapper; training uses the per-eojeol cache instead."""
    out: list[list[str]] = []
    for text, tokens in zip(texts, kiwi.tokenize(texts), strict=True):
        offsets = sorted({t.start for t in tokens} | {t.start + t.len for t in tokens})
        pieces: list[str] = []
        pos, k = 0, 0
        for word in WORD_RE.findall(text):
            end = pos + len(word)
            if word.isspace():
                pieces.append(word)
            else:
                start = pos + (1 if word.startswith(" ") else 0)
                while k < len(offsets) and offsets[k] <= start:
                    k += 1
                bounds = [pos]
                while k < len(offsets) and offsets[k] < end:
                    bounds.append(offsets[k])
                    k += 1
                bounds.append(end)
                pieces.extend(text[a:b] for a, b in pairwise(bounds))
            pos = end
        out.append(pieces)
    return out
