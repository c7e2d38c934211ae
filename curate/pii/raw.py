"""Scrub PII from raw lines (quarantined input) as a reader of the file would see them.

A quarantined line is kept as raw bytes, often a JSON line cut short or otherwise unreadable.
Its text may be written with JSON escapes (``\\uc2e0\\ud55c\\uc740\\ud589`` is 신한은행), and the
detector needs context words such as 계좌 to find an account number: so it runs on the decoded
view, and each span found there is replaced in the raw line over the raw characters it came from.
The decoder is lenient (any escape anywhere, broken JSON included) and everything outside the
spans stays as it was.
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from dataclasses import dataclass

import polars as pl

from curate.pii.pseudonymizer import Pseudonymizer

# A surrogate pair first, so that it decodes to one character; then one \u escape, then the rest.
# Scanning left to right also reads an escaped backslash (\\) before the "u" that may follow it.
_ESCAPE = re.compile(r"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
                     r'|u([0-9a-fA-F]{4})|(["\\/bfnrt]))')
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True)
class DecodedView:
    """``text``: the raw line with its escapes decoded. Escape k became the character
    ``text[at[k]]``; ``shift[k]`` is the raw length gained by escapes 0..k, so decoded offsets
    map back to raw offsets by one bisect. Arrays, not lists: a quarantined record may be huge."""

    text: str
    at: array
    shift: array

    def raw_offset(self, offset: int) -> int:
        """The raw offset where decoded offset ``offset`` starts (or ends, for an end offset)."""
        k = bisect.bisect_left(self.at, offset)  # escapes wholly before ``offset``
        return offset + (self.shift[k - 1] if k else 0)


def decode_escapes(raw: str) -> DecodedView:
    """The reader's view of ``raw``: JSON string escapes decoded wherever they are. A lone
    surrogate escape decodes to U+FFFD (text handed to Polars cannot hold a surrogate)."""
    at, shift = array("q"), array("q")
    if "\\" not in raw:
        return DecodedView(raw, at, shift)
    gained = 0

    def decode(m: re.Match) -> str:
        nonlocal gained
        high, low, single, simple = m.groups()
        if high is not None:
            char = chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))
        elif single is not None:
            code = int(single, 16)
            char = "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)
        else:
            char = _SIMPLE[simple]
        at.append(m.start() - gained)
        gained += m.end() - m.start() - 1
        shift.append(gained)
        return char

    return DecodedView(_ESCAPE.sub(decode, raw), at, shift)


def scrub_raw_lines(pseudonymizer: Pseudonymizer, lines: list[str]) -> list[str]:
    """``lines`` with every PII span found in their decoded view replaced in the raw text.

    A replacement over raw text that held escapes is written JSON-escaped in ASCII, as its
    surroundings were; elsewhere it is written as it is. Modes: pseudonymize, mask, hash
    (sentence removal has no place in raw bytes: the caller masks instead)."""
    if pseudonymizer.mode == "remove_sentence":
        raise ValueError("raw lines keep their shape: scrub them with mask, not remove_sentence")
    views = [decode_escapes(line) for line in lines]
    spans = pseudonymizer.detect_batch(pl.Series([v.text for v in views], dtype=pl.Utf8))
    grouped: dict[int, list[tuple[int, int, str]]] = {}
    for row, start, end, pii_type, _ in spans.iter_rows():
        grouped.setdefault(row, []).append((start, end, pii_type))
    out = list(lines)
    for row, row_spans in grouped.items():
        raw, view = lines[row], views[row]
        pieces, last = [], 0
        for start, end, pii_type in row_spans:
            raw_start, raw_end = view.raw_offset(start), view.raw_offset(end)
            value = view.text[start:end]
            fake = pseudonymizer.replacement(pii_type, value)
            escaped = raw[raw_start:raw_end] != value
            pieces += [raw[last:raw_start], json.dumps(fake)[1:-1] if escaped else fake]
            last = raw_end
        pieces.append(raw[last:])
        out[row] = "".join(pieces)
    return out
