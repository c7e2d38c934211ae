"""Planning: one cheap pass over the inputs that fixes the shards before any work starts.

A shard is ``batch_size`` consecutive physical lines (or parquet rows) of one
file. Shards are numbered in input order (files sorted by path), and that
number names every output file (``part-NNNNN``). Because the plan depends only
on the inputs and ``batch_size``, both executors, and a resumed run, cut the
corpus into exactly the same shards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from curate.io.formats import ByteStream, Compression, Format, detect


@dataclass(frozen=True)
class FilePlan:
    path: str
    source: str  # the path as ids and reports show it (relative to the common input root)
    fmt: Format
    compression: Compression
    n_lines: int  # complete physical lines, or parquet rows
    damage: str | None = None  # the stream broke after n_lines complete lines
    has_tail: bool = False  # bytes after the last complete line (a partial record) exist


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


def _count_lines(path: str, compression: Compression) -> tuple[int, bool, str | None]:
    """(complete lines, whether a partial last line exists, damage) in one streaming pass."""
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
    return lines, has_tail, damage


def plan_inputs(paths: list[str], fmt: str | None, batch_size: int) -> Plan:
    root = _common_root(paths)
    files: list[FilePlan] = []
    shards: list[Shard] = []
    warnings: list[str] = []
    for path in paths:
        file_fmt, compression = detect(path, fmt)
        source = str(Path(path).resolve().relative_to(root))
        if file_fmt == "parquet":
            try:
                n_lines, has_tail, damage = pq.ParquetFile(path).metadata.num_rows, False, None
            except Exception as exc:  # unreadable footer: the whole file goes to quarantine
                n_lines, has_tail, damage = 0, True, f"unreadable parquet file: {exc}"
        else:
            n_lines, has_tail, damage = _count_lines(path, compression)
        plan = FilePlan(path, source, file_fmt, compression, n_lines, damage, has_tail)
        files.append(plan)
        if n_lines == 0 and damage is None:
            warnings.append(f"{source}: empty file, no records")
            continue
        for chunk, first in enumerate(range(0, max(n_lines, 1), batch_size)):
            n = min(batch_size, n_lines - first)
            shards.append(Shard(len(shards), plan, chunk, first + 1, max(n, 0)))
    return Plan(tuple(files), tuple(shards), tuple(warnings))


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
