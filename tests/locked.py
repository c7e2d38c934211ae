"""The versions in requirements/lock.txt, for the few tests whose expected values come from a
library's own data or model (Faker's provider lists, Kiwi's model, selectolax's whitespace,
pydantic's wording): with the lock they run; with other versions they skip and say which
library differs, instead of failing on a value curate does not choose."""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parents[1] / "requirements" / "lock.txt"


@cache
def locked_versions() -> dict[str, str]:
    """Package -> version pinned for this interpreter (markers evaluated)."""
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        found = re.match(r"([A-Za-z0-9_.-]+)==([^\s;]+)\s*(?:;\s*(.+))?$", line.strip())
        if found and (found[3] is None or Marker(found[3]).evaluate()):
            pins[canonicalize_name(found[1])] = found[2]
    return pins


def installed_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def skip_unless_locked(*names: str) -> None:
    """Skip when any of ``names`` is installed at a version other than the lock's."""
    differ = [f"{name} {installed_version(name)} (lock: {locked_versions().get(canonicalize_name(name))})"
              for name in names
              if installed_version(name) != locked_versions().get(canonicalize_name(name))]
    if differ:
        pytest.skip("expected values come from the locked release of " + ", ".join(differ))
