"""Coverage-guided fuzzing of the readers: any bytes, as any input format, never crash the
reader, and every non-blank line of a plain file (plain by its content, whatever its name)
ends up a record or a quarantine entry.

    python tests/fuzz/fuzz_readers.py -max_total_time=60
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["curate"]):
    from curate.io.plan import plan_inputs
    from curate.io.read import InputSpec, iter_raw_shards, parse_raw_shard

FOLDER = Path(tempfile.mkdtemp(prefix="curate-fuzz-"))
NAMES = ["in.jsonl", "in.txt", "in.jsonl.gz", "in.jsonl.zst"]


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
    batch_size = fdp.ConsumeIntInRange(1, 8)
    payload = fdp.ConsumeBytes(fdp.remaining_bytes())
    path = FOLDER / name
    path.write_bytes(payload)
    plan = plan_inputs([str(path)], None, batch_size)
    records = quarantined = 0
    for raw in iter_raw_shards(plan.files, plan.shards, batch_size):
        parsed = parse_raw_shard(raw, InputSpec(max_record_bytes=1 << 20))
        records += parsed.frame.height
        quarantined += len(parsed.quarantined)
        assert parsed.frame["text"].null_count() == 0
    if plan.files[0].compression == "none":  # read as plain lines, whatever the name says
        expected = sum(1 for line in payload.removeprefix(b"\xef\xbb\xbf").split(b"\n") if line.strip())
        assert records + quarantined == expected, (records, quarantined, expected)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
