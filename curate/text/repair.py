"""Mojibake repair, the one part of ``normalize`` that needs Python per string.

Only rows that a vectorized regex flags as suspect reach these functions, so clean
text never pays for them. A run of characters is replaced only when re-decoding it
succeeds and produces Hangul; anything else is left exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from curate.rules import cached_per_rules, load_yaml

RULES = "clean/normalize.yaml"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@cached_per_rules
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    rules = load_yaml(RULES)["mojibake"]
    # The YAML patterns use Rust's \x{..} escapes; Python's re spells them \x.. / \u....
    def to_python(p: str) -> str:
        return re.sub(r"\\x\{([0-9a-fA-F]+)\}", lambda m: f"\\U{int(m.group(1), 16):08x}", p)

    return (re.compile(to_python(rules["utf8_run"])), re.compile(to_python(rules["euckr_run"])),
            tuple(rules["utf8_encodings"]))


def _redecode(run: str, encodings: tuple[str, ...], target: str) -> str | None:
    for encoding in encodings:
        try:
            fixed = run.encode(encoding).decode(target)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _HANGUL.search(fixed):
            return fixed
    return None


def _replacer(encodings: tuple[str, ...], target: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return _redecode(match.group(0), encodings, target) or match.group(0)

    return replace


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8-as-cp1252 and EUC-KR-as-latin-1 runs decoded back to Hangul."""
    utf8_run, euckr_run, encodings = _patterns()
    text = utf8_run.sub(_replacer(encodings, "utf-8"), text)
    return euckr_run.sub(_replacer(("latin-1",), "cp949"), text)
