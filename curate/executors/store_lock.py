"""The lock that keeps a second run out of an output in an object store.

An object store has no ``flock``: the lock is an object, ``OUTPUT/.curate.lock``, created only if
it is absent. S3 (``If-None-Match: *``; AWS and the S3-compatible stores that honour it) and
``memory://`` do that in one request, so of two runs starting together exactly one gets it. Other
stores can only be checked first and then written, so there the lock is advisory (the run warns).

Nothing releases the lock of a killed run (no kernel holds it). A run on the holder's host sees
that its pid is gone and takes the lock over; from another host the message names the object to
delete once that run is known to be gone.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from typing import Any

from curate.config import RecipeError
from curate.executors.store import Store

LOCK_FILE = ".curate.lock"


def describe_holder(text: str) -> str:
    try:
        info = json.loads(text)
        return f"pid {info['pid']} on {info['host']}, since {info['since']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


def _gone_from_this_host(text: str) -> bool:
    """The holder ran on this host and its process no longer exists."""
    try:
        info = json.loads(text)
        if info["host"] != socket.gethostname() or int(info["pid"]) == os.getpid():
            return False
        os.kill(int(info["pid"]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, KeyError, TypeError, PermissionError, OSError):
        return False  # unreadable, or alive under another user: never take it
    return False


class StoreLock:
    """An exclusive lock on an object-store output for the length of a run."""

    def __init__(self, store: Store):
        self.store = store
        self.token = secrets.token_hex(8)  # tells this run's lock from a later one's at release
        self.advisory = False

    def __enter__(self) -> StoreLock:
        payload = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "token": self.token,
                              "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode("utf-8")
        for _ in range(3):
            try:
                self.advisory = not self.store.create_exclusive(LOCK_FILE, payload)
                return self
            except FileExistsError:
                text = self._read()
            if text is None:  # released between the two requests: try again
                continue
            if not _gone_from_this_host(text):
                raise RecipeError(f"{self.store.shown()} is in use by another curate run ({describe_holder(text)}); "
                                  "wait for it to finish or choose another output. If that run is gone (killed on "
                                  f"another machine), delete {self.store.shown(LOCK_FILE)} and rerun")
            self.store.remove(LOCK_FILE)  # a killed run's: its process is gone from this host
        raise RecipeError(f"{self.store.shown()}: another run keeps taking its lock; try again")

    def __exit__(self, *exc: Any) -> None:
        text = self._read()
        if text is not None and _token(text) == self.token:  # never a lock another run has since taken
            self.store.remove(LOCK_FILE)

    def _read(self) -> str | None:
        try:
            return self.store.read_bytes(LOCK_FILE).decode("utf-8", "replace")
        except FileNotFoundError:
            return None


def _token(text: str) -> str | None:
    try:
        return json.loads(text).get("token")
    except (ValueError, AttributeError):
        return None
