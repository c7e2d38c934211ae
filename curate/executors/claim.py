"""Taking an output directory: only curate's own, only one run at a time.

``--overwrite`` removes what curate writes (the entries below and the artifacts steps
declare) and only in a directory that holds curate's fingerprint: never a directory
curate did not make, never the current directory, never an input. A lock file held with
``flock`` for the whole run (released by the kernel if the run is killed) keeps a second
run out and names the holder. An output in an object store has the same rules, its "entries"
being key prefixes, and a lock object instead (``store_lock``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import time
from pathlib import Path

from curate.config import RecipeError
from curate.executors.layout import Layout
from curate.executors.store_lock import LOCK_FILE, StoreLock, describe_holder
from curate.io.remote import is_url, redact

OWN_ENTRIES = ("data", "dropped", "quarantine", "reports", "review", "_state", "report.json", "report.html",
               "README.md")


def check_output(layout: Layout, inputs: list[str], overwrite: bool) -> None:
    """Refuse what could lose data, before anything is created or removed."""
    if not layout.store.local:
        _check_store_output(layout, inputs)
        return
    root = Path(layout.root).resolve()
    for path in inputs:
        if is_url(path):  # an object store is never inside a local output directory
            continue
        if Path(path).resolve().is_relative_to(root):
            raise RecipeError(f"input {path} lies inside the output directory {root}; "
                              "write the output somewhere else")
    if not root.exists():
        return
    if not root.is_dir():
        raise RecipeError(f"output {root} exists and is not a directory")
    others = [p for p in root.iterdir() if p.name != LOCK_FILE]
    if not others:
        return
    if not layout.store.exists(layout.fingerprint):
        raise RecipeError(f"{root} is not empty and holds no curate run; choose another output directory"
                          + (" (--overwrite only ever removes curate's own output)" if overwrite else ""))
    if overwrite and Path.cwd().resolve().is_relative_to(root):
        raise RecipeError(f"--overwrite would clear {root}, which holds the current directory; "
                          "run from elsewhere or choose another output directory")


def _check_store_output(layout: Layout, inputs: list[str]) -> None:
    """``check_output`` for an object-store prefix: no current directory to protect, and nothing is
    ever followed, but the same refusals of inputs inside and of prefixes curate did not fill."""
    root = layout.store.locate().rstrip("/")
    for path in inputs:
        if is_url(path) and (path.rstrip("/") == root or path.startswith(root + "/")):
            raise RecipeError(f"input {redact(path)} lies inside the output {layout.shown}; "
                              "write the output somewhere else")
    others = [name for name in layout.store.list("", folders=True) if name != LOCK_FILE]
    if others and not layout.store.exists(layout.fingerprint):
        raise RecipeError(f"{layout.shown} is not empty and holds no curate run; choose another output prefix "
                          "(--overwrite only ever removes curate's own output)")


def clear_output(layout: Layout, artifacts: tuple[str, ...]) -> None:
    """Remove curate's own entries (a symlink is unlinked, never followed)."""
    if not layout.store.local:  # an entry of a store is a key and the keys under it: nothing to follow
        for name in (*OWN_ENTRIES, *artifacts):
            layout.store.remove_tree(name)
        return
    for name in (*OWN_ENTRIES, *artifacts):
        path = Path(layout.root) / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_symlink() or path.exists():
            path.unlink()


def output_lock(layout: Layout) -> OutputLock | StoreLock:
    """The lock that keeps a second run out of ``layout``'s output for the length of a run."""
    return OutputLock(Path(layout.root)) if layout.store.local else StoreLock(layout.store)


class OutputLock:
    """An exclusive lock on the output directory for the length of a run."""

    advisory = False  # flock: the kernel enforces it

    def __init__(self, root: Path):
        self.path = root / LOCK_FILE
        self._fh = None

    def __enter__(self) -> OutputLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise RecipeError(f"cannot write to the output directory {self.path.parent}: {exc.strerror}") from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = describe_holder(fh.read())
            fh.close()
            raise RecipeError(f"{self.path.parent} is in use by another curate run ({holder}); wait for it to "
                              "finish or choose another output directory") from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                             "since": time.strftime("%Y-%m-%d %H:%M:%S")}))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

