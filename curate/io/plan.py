"""Planning: one cheap pass over the inputs that fixes the shards before any work starts.

A shard is ``batch_size`` consecutive physical lines (or parquet rows) of one
file. Shards are numbered in input order (files sorted by path), and that
number names every output file (``part-NNNNN``). Because the plan depends only
on the inputs and ``batch_size``, both executors, and a resumed run, cut the
corpus into exactly the same shards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from curate.io.formats import ByteStream, Compression, Format, content_compression, detect
from curate.io.remote import is_url, open_input, url_sources


@dataclass(frozen=True)
class FilePlan:
    path: str
    source: str  # the path as ids and reports show it (relative to the common input root; see _sources)
    fmt: Format
    compression: Compression
    n_lines: int  # complete physical lines, or parquet rows
    damage: str | None = None  # the stream broke after n_lines complete lines
    has_tail: bool = False  # bytes after the last complete line (a partial record) exist
    add: tuple[tuple[str, object], ...] = ()  # constant provenance columns (input.paths[].add)


@dataclass(frozen=True)
class Shard:
    index: int  # global, in input order: part-{index:05d}
    file: FilePlan
    chunk: int  # index within the file
    first_line: int  # 1-based physical line (or parquet row + 1) of the first record
    n_lines: int

    @property
    def is_last_of_file(self) -> bool:
        return self.first_line - 1 + self.n_lines >= self.file.n_lines


@dataclass(frozen=True)
class Plan:
    files: tuple[FilePlan, ...]
    shards: tuple[Shard, ...]
    warnings: tuple[str, ...]


def _common_root(paths: list[str]) -> Path:
    parents = [Path(p).resolve().parent for p in paths]
    root = parents[0]
    for parent in parents[1:]:
        while root not in (parent, *parent.parents):
            root = root.parent
    return root


def _sources(paths: list[str]) -> dict[str, str]:
    """Local files relative to their common root; URLs relative to their common prefix, or whole
    when local files are read too (a local and a remote ``a.jsonl`` must not share ids)."""
    local = [p for p in paths if not is_url(p)]
    urls = [p for p in paths if is_url(p)]
    shown = url_sources(urls, whole=bool(local))
    if local:
        root = _common_root(local)
        shown.update((p, str(Path(p).resolve().relative_to(root))) for p in local)
    return shown


def _count_lines(path: str, compression: Compression) -> tuple[int, bool, str | None, int]:
    """(complete lines, whether a partial last line exists, damage, zero padding) in one streaming pass."""
    stream = ByteStream(path, compression)
    lines = 0
    last = b"\n"
    for block in stream.blocks():
        lines += int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == 10))
        last = block[-1:]
    has_tail = last != b"\n"
    damage = stream.damage.error if stream.damage else None
    if has_tail and damage is None:
        lines += 1  # an intact file may simply lack the final newline; its last line is whole
        has_tail = False
    return lines, has_tail, damage, stream.padding


def _count_rows(path: str) -> tuple[int, bool, str | None]:
    """(rows, _, damage) from the footer; an unreadable or self-contradicting footer quarantines the file."""
    with ExitStack() as stack:
        # opened outside the try: a URL that cannot be reached is an input error, not a bad file
        source = stack.enter_context(open_input(path)) if is_url(path) else path
        try:
            meta = pq.ParquetFile(source).metadata
            groups = sum(meta.row_group(i).num_rows for i in range(meta.num_row_groups))
        except Exception as exc:
            return 0, True, f"unreadable parquet file: {exc}"
    if meta.num_rows != groups or groups < 0:  # shards are cut from this count: it must be sane
        return 0, True, f"unreadable parquet file: footer says {meta.num_rows} rows, its row groups {groups}"
    return meta.num_rows, False, None


def _read_once(paths: list[str], warnings: list[str]) -> list[str]:
    """``paths`` less those that are the same file as an earlier one (a symlink matched beside its target)."""
    first: dict[str, str] = {}
    for path in paths:
        real = path if is_url(path) else os.path.realpath(path)  # a store has no symlinks
        if real in first:
            warnings.append(f"{path}: the same file as {first[real]}; read once")
        else:
            first[real] = path
    return list(first.values())


def plan_inputs(paths: list[str], fmt: str | None, batch_size: int,
                add: dict[str, tuple[tuple[str, object], ...]] | None = None) -> Plan:
    """The shards of ``paths``; ``add`` gives a file's constant provenance columns."""
    warnings: list[str] = []
    paths = _read_once(paths, warnings)
    sources = _sources(paths)
    files: list[FilePlan] = []
    shards: list[Shard] = []
    for path in paths:
        file_fmt, named = detect(path, fmt)
        source = sources[path]
        compression, padding = named, 0
        if file_fmt == "parquet":
            n_lines, has_tail, damage = _count_rows(path)
        else:
            compression = content_compression(path, named)
            n_lines, has_tail, damage, padding = _count_lines(path, compression)
        if compression != named and (n_lines or damage):
            warnings.append(f"{source}: named as {_describe(named)} but the content is {_describe(compression)}; "
                            "read by content")
        if padding:
            warnings.append(f"{source}: {padding} zero bytes of padding between or after compressed members, ignored")
        plan = FilePlan(path, source, file_fmt, compression, n_lines, damage, has_tail, (add or {}).get(path, ()))
        files.append(plan)
        if n_lines == 0 and damage is None:
            warnings.append(f"{source}: empty file, no records")
            continue
        for chunk, first in enumerate(range(0, max(n_lines, 1), batch_size)):
            n = min(batch_size, n_lines - first)
            shards.append(Shard(len(shards), plan, chunk, first + 1, max(n, 0)))
    return Plan(tuple(files), tuple(shards), tuple(warnings))


def _describe(compression: Compression) -> str:
    return "plain text" if compression == "none" else compression


def iter_line_chunks(file: FilePlan, batch_size: int) -> Iterator[tuple[int, list[bytes], bytes | None]]:
    """Stream a line file once, yielding (chunk index, its physical lines, damaged tail).

    The last chunk of a damaged file carries the bytes after its last complete line
    (possibly empty) so that they can be quarantined with the damage.
    """
    stream = ByteStream(file.path, file.compression)
    chunk_index = 0
    lines: list[bytes] = []
    carry = b""
    emitted = 0
    for block in stream.blocks():
        parts = (carry + block).split(b"\n")
        carry = parts.pop()
        lines.extend(parts)
        # The file's last chunk is only sent after the stream ends, with the final tail.
        while len(lines) >= batch_size and emitted + batch_size < file.n_lines:
            head, lines = lines[:batch_size], lines[batch_size:]
            emitted += batch_size
            yield chunk_index, head, None
            chunk_index += 1
    if carry and file.damage is None:
        lines.append(carry)  # an intact file without a final newline
    yield chunk_index, lines, (carry if file.damage is not None else None)
