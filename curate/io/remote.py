"""Inputs named by URL (``s3://``, ``gs://``, ``hf://``, ``memory://``, any fsspec protocol).

Local paths never come through here: they keep the plain ``os``/``glob``/``open``
path, so their bytes, ids and fingerprints stay what they always were. Credentials
and endpoints come from each filesystem's own environment and config (for S3,
botocore reads ``AWS_ENDPOINT_URL``, ``AWS_PROFILE``, ``~/.aws``); a URL is only
ever shown with any ``user:password@`` taken out.
"""

from __future__ import annotations

import datetime
import glob
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from curate.io.errors import InputError

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")
_MAGIC = re.compile(r"[*?\[]")
# The first of these an info dict has says which version of the object was read: a content hash
# where the store gives one (it survives a copy that resets times), else a modification time.
_VERSION_KEYS = ("ETag", "etag", "generation", "blob_id", "md5Hash", "mtime", "LastModified", "last_modified",
                 "updated", "created")
T = TypeVar("T")


def is_url(path: str) -> bool:
    return bool(_URL.match(path))


def redact(url: str) -> str:
    """``url`` without ``user:password@``, for messages, sources and fingerprints."""
    return _USERINFO.sub(r"\1", url)


def filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem for ``url`` and the path within it."""
    import fsspec  # only runs that name a URL pay for the import

    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # fsspec's message names the package, e.g. "Install s3fs to access S3"
        raise InputError(f"{redact(url)}: the driver for {_protocol(url)}:// is not installed ({exc})") from None
    except ValueError as exc:
        raise InputError(f"{redact(url)}: {exc}; no fsspec driver knows this protocol") from None


def _protocol(url: str) -> str:
    match = _URL.match(url)
    return match.group(1).lower() if match else "file"


def _call(url: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args)`` with the store's own exceptions turned into an InputError naming ``url``."""
    try:
        return fn(*args, **kwargs)
    except InputError:
        raise
    except FileNotFoundError as exc:
        raise InputError(f"{redact(url)}: not found ({redact(str(exc))})") from None
    except PermissionError as exc:
        raise InputError(f"{redact(url)}: access denied ({redact(str(exc))})") from None
    except Exception as exc:
        what = f"{type(exc).__name__}: {redact(str(exc))}"
        if "credential" in what.lower():  # botocore's NoCredentialsError and its kin, without importing them
            raise InputError(f"{redact(url)}: no usable credentials ({what}); set them where "
                             f"{_protocol(url)}'s library looks (environment, profile or config file), "
                             "never in the recipe") from None
        raise InputError(f"{redact(url)}: cannot be read ({what})") from None


def expand_url(pattern: str) -> list[str]:
    """The files ``pattern`` names: itself if it is a file (even with glob characters), else its glob matches."""
    fs, path = filesystem(pattern)
    fs.invalidate_cache()  # a listing cached by an earlier run in this process may be stale
    if _call(pattern, fs.isfile, path):
        return [pattern]
    if not _MAGIC.search(path):
        if _call(pattern, fs.isdir, path):
            raise InputError(f"{redact(pattern)} is a directory (a prefix), not a file; "
                             f"name its files with a glob such as {redact(pattern).rstrip('/')}/*.jsonl")
        _call(pattern, fs.info, path)  # says why: no such bucket, no such key
        raise InputError(f"{redact(pattern)}: not found")
    found = _call(pattern, fs.glob, path, detail=True)
    files = sorted(fs.unstrip_protocol(p) for p, info in found.items() if info.get("type") == "file")
    if files:
        return files
    if found:
        raise InputError(f"input {redact(pattern)!r} matches only directories")
    head = _MAGIC.split(path, 1)[0]
    root = head.rsplit("/", 1)[0] if "/" in head else ""  # the part before the first glob component
    gone = root and not _call(pattern, fs.exists, root)
    missing = f": {redact(fs.unstrip_protocol(root))} does not exist" if gone else ""
    raise InputError(f"input {redact(pattern)!r} matches no file{missing}")


def open_input(path: str) -> IO[bytes]:
    """``path`` opened for reading bytes: ``open`` for a local file, fsspec for a URL."""
    if not is_url(path):
        return open(path, "rb")
    fs, inner = filesystem(path)
    return _call(path, fs.open, inner, "rb")


def files_of(path: str) -> list[str]:
    """The local files ``path`` names: a file, every file below a directory, or a glob's (what a
    step reads besides the input, for the run's fingerprint)."""
    p = Path(path)
    if p.is_dir():
        return [str(x) for x in sorted(p.rglob("*")) if x.is_file()]
    return [path] if p.exists() else sorted(glob.glob(path, recursive=True))


def identity(path: str) -> dict[str, Any]:
    """What the run's fingerprint records of an input file: its path, size and version."""
    if not is_url(path):  # exactly the fields recorded before URLs were read, so old runs still resume
        stat = os.stat(path)
        return {"path": path, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    fs, inner = filesystem(path)
    info = _call(path, fs.info, inner)
    key = next((k for k in _VERSION_KEYS if info.get(k) is not None), None)
    return {"path": redact(path), "size": info.get("size"), "version": key and f"{key}={_stable(info[key])}"}


def _stable(value: Any) -> str:
    """A version value spelled the same whichever listing or lookup produced it (times as UTC)."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    return str(value)


def size(path: str) -> int:
    if not is_url(path):
        return os.path.getsize(path)
    fs, inner = filesystem(path)
    return int(_call(path, fs.size, inner) or 0)


def url_sources(urls: list[str], whole: bool) -> dict[str, str]:
    """How ids and reports show each URL: relative to the URLs' common directory prefix (as local
    files are to their common root), or the whole URL where ``whole`` (local files are read too)."""
    shown = {url: redact(url) for url in urls}
    if whole or not urls:
        return shown
    split = {url: [_protocol(s), *s.split("://", 1)[1].split("/")] for url, s in shown.items()}
    dirs = [parts[:-1] for parts in split.values()]
    common = 0
    while all(len(d) > common and d[common] == dirs[0][common] for d in dirs):
        common += 1
    if common == 0:  # different protocols: nothing in common
        return shown
    return {url: "/".join(parts[common:]) for url, parts in split.items()}
