"""Input formats: which one a path is, and how to stream its bytes.

Compressed streams are read block by block so that a truncated gzip or zstd
file yields everything before the damage and then reports where it broke,
instead of losing the whole file. Compression is what the content says, not
the name: a plain file called ``.gz`` is read as plain lines.
"""

from __future__ import annotations

import glob
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import zstandard

from curate.io.errors import InputError
from curate.io.remote import expand_url, is_url, open_input

Format = Literal["jsonl", "text", "parquet"]
Compression = Literal["none", "gzip", "zstd"]

BLOCK = 8 << 20  # bytes read per block; large blocks keep Python overhead negligible
SNIFF = 1 << 16  # bytes decoded on trial when the content's compression contradicts the name
BOM = b"\xef\xbb\xbf"

_COMPRESSION = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
_MAGIC: dict[bytes, Compression] = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}
_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".txt": "text", ".text": "text",
            ".parquet": "parquet", ".pq": "parquet"}


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


def content_compression(path: str | Path, named: Compression) -> Compression:
    """The compression ``path`` really has, by its magic bytes.

    Where the name says otherwise, the content must also decode on trial: a plain
    file that merely starts with the magic bytes stays plain, so its lines are kept.
    """
    with open_input(str(path)) as fh:
        head = fh.read(SNIFF)
    found = next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), "none")
    if found == named or found == "none":
        return found
    return found if _decodes(head, found) else "none"


def _decodes(head: bytes, kind: Compression) -> bool:
    """Whether ``head`` starts a stream of ``kind`` that yields data (one byte asked: a bomb stays small)."""
    try:
        if kind == "zstd":
            return bool(zstandard.ZstdDecompressor().stream_reader(head).read(1))
        decomp = zlib.decompressobj(47)
        return bool(decomp.decompress(head, 1)) or decomp.eof
    except (zlib.error, zstandard.ZstdError):
        return False


def expand(patterns: list[str], base: Path | None = None) -> list[str]:
    """Paths matching ``patterns`` (relative ones resolved against ``base``), sorted, de-duplicated.

    A pattern that names an existing file is that file, even if it holds glob
    characters (``d[1].jsonl``). Sorting makes the record order, and so shard
    numbering and ids, independent of the order the filesystem lists files in.
    A URL (``s3://bucket/*.jsonl``) is listed through fsspec and kept as a URL.
    """
    found: set[str] = set()
    for pattern in patterns:
        if is_url(pattern):
            found.update(expand_url(pattern))
            continue
        p = Path(pattern).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        matches = [str(p)] if os.path.isfile(p) else glob.glob(str(p), recursive=True)
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
    padding: int = field(default=0, init=False)  # zero bytes skipped between or after members

    def blocks(self) -> Iterator[bytes]:
        """The decompressed bytes without a leading byte order mark (it is no part of the first line)."""
        yield from _without_bom(self._decompressed())

    def _decompressed(self) -> Iterator[bytes]:
        with open_input(self.path) as raw:  # plain open() for a local file, fsspec for a URL
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
                if not pending:  # between members: tar and dd pad with zeros, which start no member
                    rest = chunk.lstrip(b"\0")
                    self.padding += len(chunk) - len(rest)
                    if not (chunk := rest):
                        break
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


def _without_bom(blocks: Iterator[bytes]) -> Iterator[bytes]:
    head = b""
    for block in blocks:
        head += block
        if len(head) >= len(BOM):
            break
    if head := head[len(BOM):] if head.startswith(BOM) else head:
        yield head
    yield from blocks
