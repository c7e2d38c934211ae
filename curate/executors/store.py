"""Where a run's files live: a local directory, or any fsspec URL (``s3://``, ``gs://``, ``memory://``).

Everything a run writes, its output and its state between stages, goes through a ``Store`` named
by paths relative to the output root ("data/part-00000.parquet"), so that on a cluster without a
shared filesystem every node reads and writes the same place.

- Local: a file is written to a temporary name, fsynced and renamed into place, so a reader sees
  a whole file or none; a run killed mid-write leaves only temporary names, removed by the next
  run. Sliced Arrow files are memory-mapped.
- Object store: one PUT makes a whole object or nothing (a multipart upload shows nothing until
  it completes), so there is no rename and no temporary object; a shard's marker is written after
  its parts, so a killed run never leaves a marker without its parts. Sliced Arrow files are read
  with range requests. Credentials and endpoints come from the store's own library config
  (``AWS_*``, ``AWS_ENDPOINT_URL``, ``~/.aws``); a URL is only ever shown redacted, and a pickled
  store (sent to a worker) carries its URL only, never a client or its credentials.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from curate.config import RecipeError
from curate.io.errors import InputError
from curate.io.remote import filesystem, is_url, redact

# Stores whose driver creates an object only if it is absent in one atomic request: S3
# (``If-None-Match: *``, s3fs's mode="create") and fsspec's in-process memory store.
_EXCLUSIVE_CREATE = ("s3", "s3a", "memory")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a full disk must not keep the half-written copy
        raise


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


class Store(ABC):
    """Files under one root, named by relative paths with ``/``."""

    protocol = "file"

    @staticmethod
    def for_url(root: str | Path) -> Store:
        text = str(root)
        if text.startswith("file://"):  # a local directory spelled as a URL keeps the local fast paths
            return LocalStore(Path(text[len("file://"):]))
        return ObjectStore(text) if is_url(text) else LocalStore(Path(text))

    @property
    def local(self) -> bool:
        return self.protocol == "file"

    @abstractmethod
    def locate(self, rel: str = "") -> str:
        """The full path or URL of ``rel`` (as code uses it; ``shown`` is for messages)."""

    def shown(self, rel: str = "") -> str:
        return redact(self.locate(rel))

    def local_path(self, rel: str) -> Path | None:
        """The file on this machine's disk, where there is one (the fast paths use it)."""
        return None

    @abstractmethod
    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write all of ``data`` or, if interrupted, nothing a reader could take for it."""

    def write_json(self, rel: str, obj: Any) -> None:
        self.write_bytes(rel, json_bytes(obj))

    @abstractmethod
    def create_exclusive(self, rel: str, data: bytes) -> bool:
        """Create ``rel`` only if absent (FileExistsError otherwise). True when the store does that
        atomically; False when it could only check first (two racing writers may both succeed)."""

    @abstractmethod
    def read_bytes(self, rel: str) -> bytes:
        """The bytes of ``rel``; FileNotFoundError when absent."""

    def read_many(self, rels: list[str]) -> list[bytes]:
        return [self.read_bytes(rel) for rel in rels]

    @abstractmethod
    def exists(self, rel: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str, pattern: str = "*", folders: bool = False) -> list[str]:
        """Sorted names (not paths) of the files directly under ``prefix`` that match ``pattern``,
        and of its sub-folders too where ``folders``; none when ``prefix`` does not exist."""

    @abstractmethod
    def remove(self, rel: str) -> None:
        """Remove the file ``rel`` if it exists."""

    @abstractmethod
    def remove_tree(self, prefix: str) -> None:
        """Remove ``prefix`` and everything under it, if anything is there."""

    @abstractmethod
    def open_read(self, rel: str) -> Any:
        """A seekable binary file for random access (pyarrow's IPC reader fetches only what it needs)."""

    def remove_partial_files(self) -> None:  # noqa: B027 - only a local store has partial files
        """Remove what a killed run left half-written."""


class LocalStore(Store):
    def __init__(self, root: Path):
        self.root = root

    def locate(self, rel: str = "") -> str:
        return str(self.root / rel) if rel else str(self.root)

    def local_path(self, rel: str) -> Path:
        return self.root / rel

    def write_bytes(self, rel: str, data: bytes) -> None:
        atomic_write_bytes(self.root / rel, data)

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as fh:
            fh.write(data)
        return True

    def read_bytes(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def exists(self, rel: str) -> bool:
        return (self.root / rel).exists()

    def list(self, prefix: str, pattern: str = "*", folders: bool = False) -> list[str]:
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.glob(pattern) if p.is_file() or (folders and p.is_dir()))

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink(missing_ok=True)

    def remove_tree(self, prefix: str) -> None:
        assert prefix, "never the whole root"
        shutil.rmtree(self.root / prefix, ignore_errors=True)

    def open_read(self, rel: str) -> pa.OSFile:
        # Reads, not a memory map: a reduce task takes one slice of every map file, and mapped files
        # brought most of each file into the worker's resident memory (491 MB for 34 MB of slices
        # from 243 files), which grew with the number of shards.
        return pa.OSFile(str(self.root / rel))

    def remove_partial_files(self) -> None:
        for tmp in self.root.rglob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)


class ObjectStore(Store):
    """A store reached through fsspec. No rename, no temporary objects: see the module's docstring."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.protocol = self.url.split("://", 1)[0].lower()
        self._fs: Any = None
        self._base = ""

    def __getstate__(self) -> dict[str, Any]:
        return {"url": self.url}  # a worker builds its own client from its own config

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["url"])  # type: ignore[misc]

    @property
    def fs(self) -> Any:
        if self._fs is None:  # built on first use, in the process that uses it
            self._fs, base = filesystem(self.url)
            self._base = base.rstrip("/")
        return self._fs

    def _path(self, rel: str) -> str:
        self.fs  # noqa: B018 - sets _base
        return f"{self._base}/{rel}" if rel else self._base

    def locate(self, rel: str = "") -> str:
        return f"{self.url}/{rel}" if rel else self.url

    def _call(self, doing: str, rel: str, fn: Any, *args: Any, passing: tuple = (), **kwargs: Any) -> Any:
        """``fn(*args)`` with the store's own exceptions turned into a RecipeError that names the URL
        (redacted) and says why; exceptions in ``passing`` are the caller's to handle."""
        try:
            return fn(*args, **kwargs)
        except passing:
            raise
        except (RecipeError, InputError):
            raise
        except FileNotFoundError:
            raise RecipeError(f"cannot {doing} {self.shown(rel)}: its bucket (or container) does not exist") from None
        except PermissionError as exc:
            raise RecipeError(f"cannot {doing} {self.shown(rel)}: access denied ({redact(str(exc))})") from None
        except Exception as exc:
            what = f"{type(exc).__name__}: {redact(str(exc))}"
            if "credential" in what.lower():  # botocore's NoCredentialsError and its kin
                raise RecipeError(f"cannot {doing} {self.shown(rel)}: no usable credentials ({what}); set them "
                                  f"where {self.protocol}'s library looks (environment, profile or config file), "
                                  "never in the recipe") from None
            raise RecipeError(f"cannot {doing} {self.shown(rel)} ({what})") from None

    def write_bytes(self, rel: str, data: bytes) -> None:
        self._call("write", rel, self.fs.pipe_file, self._path(rel), data)

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        path = self._path(rel)
        if self.protocol in _EXCLUSIVE_CREATE:
            self._call("write", rel, self.fs.pipe_file, path, data, mode="create", passing=(FileExistsError,))
            return True
        if self.exists(rel):
            raise FileExistsError(self.shown(rel))
        self.write_bytes(rel, data)
        return False

    def read_bytes(self, rel: str) -> bytes:
        return self._call("read", rel, self.fs.cat_file, self._path(rel), passing=(FileNotFoundError,))

    def read_many(self, rels: list[str]) -> list[bytes]:
        """Fetched concurrently where the driver can (s3fs batches the GETs): a resume reads every marker."""
        if not rels:
            return []
        paths = [self._path(rel) for rel in rels]
        found = self._call("read", rels[0], self.fs.cat, paths, passing=(FileNotFoundError,))
        if not isinstance(found, dict):  # one path: fsspec gives its bytes
            found = {paths[0]: found}
        return [found[p] for p in paths]

    def exists(self, rel: str) -> bool:
        path = self._path(rel)
        self.fs.invalidate_cache(path)  # another process may have written it since it was listed
        return self._call("read", rel, self.fs.exists, path)

    def list(self, prefix: str, pattern: str = "*", folders: bool = False) -> list[str]:
        path = self._path(prefix)
        self.fs.invalidate_cache(path)
        try:
            entries = self._call("list", prefix, self.fs.ls, path, detail=True, passing=(FileNotFoundError,))
        except FileNotFoundError:
            return []
        finally:  # a cached listing would hide what other processes write next (s3fs's info reads it)
            self.fs.invalidate_cache(path)
        kinds = ("file", "directory") if folders else ("file",)
        names = (e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e.get("type") in kinds)
        return sorted(n for n in names if fnmatch.fnmatchcase(n, pattern))

    def remove(self, rel: str) -> None:
        try:
            self._call("remove", rel, self.fs.rm_file, self._path(rel), passing=(FileNotFoundError,))
        except FileNotFoundError:
            pass

    def remove_tree(self, prefix: str) -> None:
        assert prefix, "never the whole root"
        path = self._path(prefix)
        self.fs.invalidate_cache(path)
        try:  # the object named ``prefix`` and every object under ``prefix/``, never ``prefix-other``
            self._call("remove", prefix, self.fs.rm, path, recursive=True, passing=(FileNotFoundError,))
        except FileNotFoundError:
            pass
        self.fs.invalidate_cache(path)

    def open_read(self, rel: str) -> IO[bytes]:
        # No read-ahead cache: each read pyarrow makes (footer, one batch) is one range request.
        return self._call("read", rel, self.fs.open, self._path(rel), "rb", cache_type="none",
                          passing=(FileNotFoundError,))
