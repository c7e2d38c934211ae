"""PII detection and pseudonymization for Korean text.

    from curate.pii import Pseudonymizer
    p = Pseudonymizer(key=b"...", types=None, mode="pseudonymize")
    p.detect(text)               # -> list[PiiSpan]
    p.pseudonymize(text)         # -> str
    p.pseudonymize_batch(texts)  # list[str] -> list[str], pl.Series -> pl.Series
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from curate.pii.keys import key_from_env_or_file
from curate.pii.pseudonymizer import Pseudonymizer
from curate.pii.span import PiiSpan

if TYPE_CHECKING:
    from curate.pii.detect import Detector


def __getattr__(name: str) -> Any:
    # the detector compiles its patterns on import; load it only when asked for
    if name == "Detector":
        from curate.pii.detect import Detector

        return Detector
    raise AttributeError(name)


__all__ = ["Detector", "PiiSpan", "Pseudonymizer", "key_from_env_or_file"]
