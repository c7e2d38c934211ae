"""Synthetic Korean documents and the noise that real corpora carry.

Shared by ``samples/make_sample.py`` (the small corpus shipped in the repo) and
``benchmarks/generate_corpus.py`` (corpora of any size built from real text).
Phrase banks and templates are data, in ``curate/sample/banks/*.yaml``; every
personal value produced here is fake.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_BANKS = Path(__file__).resolve().parent / "banks"


@cache
def load_bank(name: str) -> Any:
    """Parse ``banks/<name>.yaml`` (cached)."""
    with (_BANKS / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
