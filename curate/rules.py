"""Rules are data: patterns, word lists and thresholds live in ``rules/``, not in code.

In a source checkout (and an editable install) they are read from the repository's
``rules/`` directory; a wheel carries the same files as ``curate/_rules``.
``CURATE_RULES_DIR`` overrides both, for users who keep their own rule sets.
"""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_PACKAGE = Path(__file__).resolve().parent


def rules_dir() -> Path:
    override = os.environ.get("CURATE_RULES_DIR")
    if override:
        return Path(override)
    for candidate in (_PACKAGE / "_rules", _PACKAGE.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("rules directory not found (set CURATE_RULES_DIR)")


def rule_path(name: str) -> Path:
    path = rules_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"rule file {name!r} not found in {rules_dir()}")
    return path


@cache
def load_yaml(name: str) -> Any:
    """Parse ``rules/<name>`` (YAML). Cached: rule files are read once per process."""
    with rule_path(name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``rules/<name>`` (TSV with a header; lines starting with # are comments)."""
    with rule_path(name).open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


@cache
def load_words(name: str) -> tuple[str, ...]:
    """One entry a line from ``rules/<name>``; blank lines and # comments skipped."""
    with rule_path(name).open(encoding="utf-8") as fh:
        return tuple(s for line in fh if (s := line.strip()) and not s.startswith("#"))
