"""PII detection and pseudonymization for Korean text.

    from curate.pii import Pseudonymizer
    p = Pseudonymizer(key=b"...", types=None, mode="pseudonymize")
    p.detect(text)               # -> list[PiiSpan]
    p.pseudonymize(text)         # -> str
    p.pseudonymize_batch(texts)  # list[str] -> list[str], pl.Series -> pl.Series
"""

from __future__ import annotations

from curate.pii.detect import Detector
from curate.pii.keys import key_from_env_or_file
from curate.pii.pseudonymizer import Pseudonymizer
from curate.pii.span import PiiSpan

__all__ = ["Detector", "PiiSpan", "Pseudonymizer", "key_from_env_or_file"]
