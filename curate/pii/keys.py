"""Where the pseudonymization key comes from: a file or an environment variable, never the logs.

A key file's bytes are used with surrounding whitespace stripped, exactly as the pipeline's
recipe ``key.file`` is read, so the CLI and ``curate run`` give the same fakes for the same file. Without a key the
pseudonymizer draws a random one per instance, so fakes are consistent within one run only.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_KEY_ENV = "CURATE_PII_KEY"


class KeyFileError(ValueError):
    """The key file is missing or empty (the message names the file, never the key)."""


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise KeyFileError(f"PII key file not found: {p}")
    key = p.read_bytes().strip()
    if not key:
        raise KeyFileError(f"PII key file is empty: {p}")
    return key


def key_from_env_or_file(
    path: str | os.PathLike[str] | None = None, env: str = DEFAULT_KEY_ENV
) -> bytes | None:
    """The key from ``path`` if given (an error if it is missing or empty), else from the
    environment variable ``env``, else None (the caller then uses a random per-run key)."""
    if path is not None:
        return read_key_file(path)
    value = os.environ.get(env)
    return value.encode("utf-8") if value else None
