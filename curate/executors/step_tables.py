"""Report tables of per-shard steps: each shard's rows beside its marker, one file at the end.

A step that declares ``report_table`` returns its rows per batch (``StepOutput.table``); the
shard writes them to ``_state/tables/<label>/part-NNNNN.parquet`` before its marker (so a
resumed run keeps them), and once every stage is done one worker task streams the parts, in
shard order, into ``OUTPUT/reports/<name>.parquet`` (one part in memory at a time) and asks the
step for its summary. The same bytes on every executor.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from curate.steps.base import Step


def part_path(label: str, index: int) -> str:
    return f"_state/tables/{label}/part-{index:05d}.parquet"


def table_name(step: Step, label: str) -> str:
    """reports/<name>.parquet: the step's table name, with its label when the name repeats."""
    declared = step.report_table()
    assert declared is not None
    return declared[0] if label == step.name else f"{declared[0]}.{label}"


def gather_task(work: Any, label: str, shared: dict[str, Any]) -> dict[str, Any]:
    """Write reports/<name>.parquet from the label's parts; its row count and the step's summary."""
    step = next(b.step for stage in work.stages for b in stage.steps if b.label == label)
    declared = step.report_table()
    assert declared is not None
    store = work.layout.store
    parts = sorted(store.list(f"_state/tables/{label}", "part-*.parquet"))
    rel = f"reports/{table_name(step, label)}.parquet"
    schema = pl.DataFrame(schema=declared[1]).to_arrow().schema
    rows = 0
    with tempfile.TemporaryDirectory(prefix="curate-table-") as tmp:
        path = Path(tmp) / "table.parquet"
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for name in parts:
                part = pl.read_parquet(io.BytesIO(store.read_bytes(f"_state/tables/{label}/{name}")))
                rows += part.height
                writer.write_table(part.select(list(declared[1])).cast(declared[1]).to_arrow().cast(schema))
        summary = step.table_summary(pl.scan_parquet(path), shared)
        store.write_bytes(rel, path.read_bytes())
    return {"path": rel, "rows": rows, **summary}
