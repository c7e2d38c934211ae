"""Where the pseudonymization key comes from: a file or an environment variable, never the logs.

A key file's bytes are used with surrounding whitespace stripped, exactly as the pipeline's
recipe ``key.file`` is read, so the CLI and ``curate run`` give the same fakes for the same file. Without a key the
pseudonymizer draws a random one per instance, so fakes are consistent within one run only.

A key is bytes, or str taken as its UTF-8 bytes, of at least ``MIN_KEY_BYTES`` (``check_key``): a
shorter one is guessable by brute force, and an int or other object is a mistake, never a key.
Errors name the source, the type and the length; never the value.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_KEY_ENV = "CURATE_PII_KEY"
MIN_KEY_BYTES = 16


class KeyFileError(ValueError):
    """The key file is missing or empty (the message names the file, never the key)."""


def check_key(key: object, source: str = "the PII key") -> bytes:
    """``key`` as the bytes to use, or TypeError / ValueError naming ``source``, type and length."""
    if not isinstance(key, str | bytes | bytearray):
        raise TypeError(f"{source} must be bytes or str of at least {MIN_KEY_BYTES} bytes, not {type(key).__name__}")
    try:
        raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    except UnicodeEncodeError:
        raise ValueError(f"{source} is a str that is not valid Unicode (it holds a lone surrogate)") from None
    if len(raw) < MIN_KEY_BYTES:
        size = f"{len(raw)} byte{'' if len(raw) == 1 else 's'}"
        raise ValueError(f"{source} is {type(key).__name__} of {size}; a key needs at least {MIN_KEY_BYTES} "
                         "bytes (UTF-8)")
    return raw


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise KeyFileError(f"PII key file not found: {p}")
    key = p.read_bytes().strip()
    if not key:
        raise KeyFileError(f"PII key file is empty: {p}")
    try:
        return check_key(key, f"PII key file {p}")
    except ValueError as exc:
        raise KeyFileError(str(exc)) from None


def key_from_env_or_file(
    path: str | os.PathLike[str] | None = None, env: str = DEFAULT_KEY_ENV
) -> bytes | None:
    """The key from ``path`` if given (an error if it is missing or empty), else from the
    environment variable ``env``, else None (the caller then uses a random per-run key). A key
    shorter than ``MIN_KEY_BYTES`` from either is an error (``KeyFileError`` / ValueError)."""
    if path is not None:
        return read_key_file(path)
    value = os.environ.get(env)
    return check_key(value, f"PII key from ${env}") if value else None
