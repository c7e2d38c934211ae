"""Rules are data: patterns, word lists and thresholds live in ``rules/``, not in code.

In a source checkout (and an editable install) they are read from the repository's
``rules/`` directory; a wheel carries the same files as ``curate/_rules``.

Overrides, file by file (a file found there wins; any other comes from the shipped set):
a recipe's ``rules:`` directory (``use_rules_dir``, set when the recipe loads and again in
every worker), then ``CURATE_RULES_DIR``. Files are read when a step first needs them in a
run, and cached by their path, so a run that names another directory reads that one.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

_PACKAGE = Path(__file__).resolve().parent
_recipe_dir: Path | None = None


def use_rules_dir(path: str | Path | None) -> None:
    """Rules of this directory win over the shipped ones for the rest of this process's run
    (None: back to ``CURATE_RULES_DIR`` and the shipped set)."""
    global _recipe_dir
    _recipe_dir = Path(path) if path else None


@cache
def shipped_rules_dir() -> Path:
    for candidate in (_PACKAGE / "_rules", _PACKAGE.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("rules directory not found (set CURATE_RULES_DIR)")


def rules_dirs() -> list[Path]:
    """Where rule files are looked for, first match wins."""
    dirs = [d for d in (_recipe_dir, os.environ.get("CURATE_RULES_DIR")) if d]
    return [*map(Path, dirs), shipped_rules_dir()]


def rules_dir() -> Path:
    """The first directory rule files are looked for in."""
    return rules_dirs()[0]


def rule_path(name: str) -> Path:
    dirs = rules_dirs()
    for folder in dirs:
        path = folder / name
        if path.exists():
            return path
    raise FileNotFoundError(f"rule file {name!r} not found in {', '.join(map(str, dirs))}")


def load_yaml(name: str) -> Any:
    """Parse ``rules/<name>`` (YAML)."""
    return _yaml(rule_path(name))


def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``rules/<name>`` (TSV with a header; lines starting with # are comments)."""
    return _tsv(rule_path(name))


def load_words(name: str) -> tuple[str, ...]:
    """One entry a line from ``rules/<name>``; blank lines and # comments skipped."""
    return _words(rule_path(name))


T = TypeVar("T")


def cached_per_rules(func: Callable[..., T]) -> Callable[..., T]:
    """``functools.cache`` for what is derived from rule files (compiled patterns, say), keyed
    by the rule directories too: a run with another ``rules:`` directory derives its own."""
    @cache
    def keyed(dirs: tuple[Path, ...], *args: Any) -> T:
        return func(*args)

    @functools.wraps(func)
    def wrapper(*args: Any) -> T:
        return keyed(tuple(rules_dirs()), *args)

    return wrapper


def pack_rules_dir(path: str | Path) -> dict[str, bytes]:
    """Every file under ``path`` (relative name -> bytes): a recipe's rules travel to workers
    with the work, since a cluster's nodes need not share a disk."""
    root = Path(path)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def unpack_rules(files: dict[str, bytes]) -> Path:
    """The packed rules written under this machine's temp dir (one folder per content, so every
    worker of a node shares it and a rerun reuses it); returns the folder."""
    import hashlib
    import tempfile

    digest = hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in sorted(files.items())))
    folder = Path(tempfile.gettempdir()) / f"curate-rules-{digest.hexdigest()[:16]}"
    for name, data in files.items():
        target = folder / name
        if not target.exists() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}")
            partial.write_bytes(data)
            partial.replace(target)  # atomic: workers of one node may unpack at once
    return folder


# Cached by path: a file is parsed once per process, and another directory means other files.
@cache
def _yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _tsv(path: Path) -> tuple[dict[str, str], ...]:
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


@cache
def _words(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8") as fh:
        return tuple(s for line in fh if (s := line.strip()) and not s.startswith("#"))
