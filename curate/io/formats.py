"""Input formats: which one a path is, and how to stream its bytes.

Compressed streams are read block by block so that a truncated gzip or zstd
file yields everything before the damage and then reports where it broke,
instead of losing the whole file.
"""

from __future__ import annotations

import glob
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import zstandard

Format = Literal["jsonl", "text", "parquet"]
Compression = Literal["none", "gzip", "zstd"]

BLOCK = 8 << 20  # bytes read per block; large blocks keep Python overhead negligible

_COMPRESSION = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".txt": "text", ".text": "text",
            ".parquet": "parquet", ".pq": "parquet"}


class InputError(ValueError):
    """A problem with the input paths themselves (nothing matched, unknown format)."""


def detect(path: str | Path, fmt: str | None = None) -> tuple[Format, Compression]:
    """Format and compression of ``path`` from its suffixes (``fmt`` overrides the format)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    compression: Compression = "none"
    if suffixes and suffixes[-1] in _COMPRESSION:
        compression = _COMPRESSION[suffixes.pop()]  # type: ignore[assignment]
    if fmt is not None:
        return fmt, compression  # type: ignore[return-value]
    if suffixes and suffixes[-1] in _FORMATS:
        return _FORMATS[suffixes[-1]], compression  # type: ignore[return-value]
    raise InputError(f"{path}: cannot tell the format from the name; set input.format (jsonl, text, parquet)")


def expand(patterns: list[str], base: Path | None = None) -> list[str]:
    """Paths matching ``patterns`` (relative ones resolved against ``base``), sorted, de-duplicated.

    Sorting makes the record order, and so shard numbering and ids, independent of
    the order the filesystem lists files in.
    """
    found: set[str] = set()
    for pattern in patterns:
        p = Path(pattern).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        matches = glob.glob(str(p), recursive=True)
        if not matches:
            raise InputError(f"input {str(p)!r} matches no file")
        found.update(str(Path(m)) for m in matches if Path(m).is_file())
    if not found:
        raise InputError(f"input {patterns!r} matches only directories")
    return sorted(found)


@dataclass
class StreamDamage:
    """Where a compressed stream broke: after ``offset`` decompressed bytes."""

    offset: int
    error: str


@dataclass
class ByteStream:
    """Decompressed bytes of a file, block by block; ``damage`` is set if the stream broke."""

    path: str
    compression: Compression
    damage: StreamDamage | None = field(default=None, init=False)

    def blocks(self) -> Iterator[bytes]:
        with open(self.path, "rb") as raw:
            if self.compression == "none":
                yield from _plain_blocks(raw)
            elif self.compression == "gzip":
                # wbits=47 reads gzip headers
                yield from self._members(raw, lambda: zlib.decompressobj(47), zlib.error, "gzip",
                                         "end-of-stream marker missing")
            else:
                dctx = zstandard.ZstdDecompressor()
                yield from self._members(raw, dctx.decompressobj, zstandard.ZstdError, "zstd", "frame incomplete")

    def _members(self, raw: BinaryIO, new_decompressor: Callable[[], Any], error: type[Exception],
                 kind: str, cut_short: str) -> Iterator[bytes]:
        """Decompress member after member (gzip members, zstd frames): after one ends,
        ``unused_data`` starts the next; a stream that ends inside a member was cut short."""
        produced = 0
        decomp = new_decompressor()
        pending = False
        while chunk := raw.read(BLOCK):
            while chunk:
                pending = True
                try:
                    out = decomp.decompress(chunk)
                except error as exc:
                    self.damage = StreamDamage(produced, f"corrupt {kind} data: {exc}")
                    return
                if out:
                    produced += len(out)
                    yield out
                if decomp.eof:
                    pending = False
                    chunk = decomp.unused_data
                    decomp = new_decompressor()
                else:
                    chunk = b""
        if pending:
            self.damage = StreamDamage(produced, f"truncated {kind} stream ({cut_short})")


def _plain_blocks(raw: BinaryIO) -> Iterator[bytes]:
    while chunk := raw.read(BLOCK):
        yield chunk
