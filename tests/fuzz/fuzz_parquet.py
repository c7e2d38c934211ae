"""Coverage-guided fuzzing of the parquet reader: text and id columns of any type, with any
values, in files that may be damaged afterwards, never crash the reader, and every row the
plan counts ends up a record or a quarantine entry.

    python tests/fuzz/fuzz_parquet.py -max_total_time=60
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import atheris
import pyarrow as pa
import pyarrow.parquet as pq

with atheris.instrument_imports(include=["curate"]):
    from curate.io.plan import plan_inputs
    from curate.io.read import InputSpec, iter_raw_shards, parse_raw_shard

PATH = Path(tempfile.mkdtemp(prefix="curate-fuzz-")) / "in.parquet"
TYPES = ["string", "large_string", "binary", "int64", "float64", "bool", "list", "struct", "null", "dictionary",
         "date"]


def _scalar(fdp: atheris.FuzzedDataProvider, kind: str) -> object:
    if kind in ("string", "large_string", "dictionary"):
        return fdp.ConsumeUnicodeNoSurrogates(6)
    if kind == "binary":
        return fdp.ConsumeBytes(6)
    if kind in ("int64", "date", "list"):
        value = fdp.ConsumeIntInRange(-(1 << 40), 1 << 40) if kind != "date" else fdp.ConsumeIntInRange(0, 50_000)
        return [value] if kind == "list" else value
    if kind == "float64":
        return fdp.ConsumeFloat()
    if kind == "bool":
        return fdp.ConsumeBool()
    if kind == "struct":
        return {"s": fdp.ConsumeUnicodeNoSurrogates(4)}
    return None


def _column(fdp: atheris.FuzzedDataProvider, kind: str, n: int) -> pa.Array:
    values = [None if fdp.ConsumeIntInRange(0, 4) == 0 else _scalar(fdp, kind) for _ in range(n)]
    if kind == "dictionary":
        return pa.array(values, pa.string()).dictionary_encode()
    if kind == "date":
        return pa.array(values, pa.int32()).cast(pa.date32())
    types = {"string": pa.string(), "large_string": pa.large_string(), "binary": pa.binary(), "int64": pa.int64(),
             "float64": pa.float64(), "bool": pa.bool_(), "list": pa.list_(pa.int64()),
             "struct": pa.struct([("s", pa.string())]), "null": pa.null()}
    return pa.array(values, types[kind])


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    n = fdp.ConsumeIntInRange(0, 12)
    batch_size = fdp.ConsumeIntInRange(1, 8)
    columns = {}
    for name in ("text", "id", "other"):
        if fdp.ConsumeIntInRange(0, 5):
            columns[name] = _column(fdp, TYPES[fdp.ConsumeIntInRange(0, len(TYPES) - 1)], n)
    if not columns:
        columns["other"] = pa.array([1] * n)
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf, row_group_size=fdp.ConsumeIntInRange(1, 6),
                   compression=["none", "snappy", "zstd"][fdp.ConsumeIntInRange(0, 2)])
    blob = bytearray(buf.getvalue())
    damaged = fdp.ConsumeIntInRange(0, 3) == 0
    for _ in range(fdp.ConsumeIntInRange(1, 4) if damaged else 0):
        blob[fdp.ConsumeIntInRange(0, len(blob) - 1)] = fdp.ConsumeIntInRange(0, 255)
    PATH.write_bytes(bytes(blob))

    plan = plan_inputs([str(PATH)], None, batch_size)
    [file] = plan.files
    records = quarantined = 0
    for raw in iter_raw_shards(plan.files, plan.shards, batch_size):
        parsed = parse_raw_shard(raw, InputSpec())
        records += parsed.frame.height
        quarantined += len(parsed.quarantined)
        assert parsed.frame["text"].null_count() == 0 and parsed.frame["id"].null_count() == 0
        assert all(q.file == "in.parquet" and q.error for q in parsed.quarantined)
    if file.damage is None:
        assert records + quarantined == file.n_lines, (records, quarantined, file.n_lines)
        assert damaged or file.n_lines == n
    else:  # an unreadable footer: the file is one quarantine entry
        assert (records, quarantined) == (0, 1)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
