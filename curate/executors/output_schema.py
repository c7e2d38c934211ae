"""One schema for every output part, however the input fields drifted between files.

Each shard writes its part with the schema its own records gave (a field one file lacks is
absent there; a field may be Int64 in one file and Float64 in another). Once every shard is
done the driver unifies the parts' schemas (``curate.io.schema``), and the parts that differ
are rewritten in the unified schema, one task each on the workers, so that Parquet readers
(``datasets``, ``scan_parquet``) see one table. The unified schema depends only on the parts'
schemas, so both executors, and a resumed run, arrive at the same bytes. JSON lines need no
rewrite (a missing key is a missing key); their drift is reported all the same.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from typing import Any

import polars as pl
import pyarrow as pa

from curate.io.schema import conform, unified_schema


def schema_text(df: pl.DataFrame) -> str:
    """A frame's schema, exactly (nested types included), as text for a shard's ledger."""
    return base64.b64encode(df.clear().to_arrow().schema.serialize().to_pybytes()).decode("ascii")


def schema_of(text: str) -> pl.Schema:
    schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))
    return pl.DataFrame(pl.from_arrow(schema.empty_table())).schema


def conform_task(work: Any, index: int, schema: str) -> dict[str, int]:
    """Rewrite output part ``index`` in the unified ``schema``."""
    layout = work.layout
    frame = pl.read_parquet(io.BytesIO(layout.store.read_bytes(layout.data(index))))
    work.write_data(index, conform(frame, schema_of(schema)))
    return {"rows": frame.height}


def plan_unify(schemas: dict[int, pl.Schema]) -> tuple[pl.Schema, list[int], dict[str, Any]]:
    """(the unified schema, the parts to rewrite, the drift as the report shows it)."""
    unified = unified_schema([schemas[i] for i in sorted(schemas)])
    rewrite = [i for i in sorted(schemas) if schemas[i] != unified]
    drift: dict[str, Any] = {}
    for name, dtype in unified.items():
        # A field null in every record of a part reads as type Null there: no drift in that.
        seen = Counter(str(s[name]) for s in schemas.values() if name in s and s[name] != pl.Null)
        missing = sum(1 for s in schemas.values() if name not in s)
        if len(seen) > 1 or missing:
            drift[name] = {"types": dict(sorted(seen.items())), "missing_in_parts": missing,
                           "unified": str(dtype)}
    return unified, rewrite, {"columns": {n: str(t) for n, t in unified.items()}, "drift": drift,
                              "parts": len(schemas), "parts_rewritten": len(rewrite)}


def describe_drift(drift: dict[str, Any]) -> str:
    parts = []
    for name, d in drift.items():
        types = ", ".join(f"{t} in {n}" for t, n in d["types"].items())
        missing = f"missing in {d['missing_in_parts']} part(s)" if d["missing_in_parts"] else ""
        parts.append(f"{name} ({'; '.join(p for p in (types, missing) if p)} -> {d['unified']})")
    return "; ".join(parts)
