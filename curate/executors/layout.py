"""Where a run's files go, and how they get there atomically.

OUTPUT/
  data/part-NNNNN.parquet        kept records (or .jsonl)
  dropped/part-NNNNN.parquet     id, source, line, step, reason (no text: dropped text may hold PII)
  quarantine/part-NNNNN.jsonl    file, line, error, raw bytes (base64) of unreadable input
  report.json, report.html
  _state/                        bookkeeping for resume; safe to delete after a finished run
    run.json                     fingerprint of recipe + inputs (a resume must match it)
    stage-K/part-NNNNN.parquet   rows alive after stage K (only for multi-stage recipes)
    stage-K/global.pkl           a global step's reduced state
    done/stage-K/part-NNNNN.json shard finished that stage: its ledger and step stats (the marker)

Every file is written to a temporary name and renamed into place, and a shard's
marker is written last, so a killed run leaves either a finished shard or
nothing that counts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


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


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


class Layout:
    def __init__(self, root: str | Path, data_format: str = "parquet"):
        self.root = Path(root)
        self.data_format = data_format

    @staticmethod
    def part(index: int) -> str:
        return f"part-{index:05d}"

    def data(self, index: int) -> Path:
        return self.root / "data" / f"{self.part(index)}.{self.data_format}"

    def dropped(self, index: int) -> Path:
        return self.root / "dropped" / f"{self.part(index)}.parquet"

    def quarantine(self, index: int) -> Path:
        return self.root / "quarantine" / f"{self.part(index)}.jsonl"

    @property
    def state(self) -> Path:
        return self.root / "_state"

    def stage_rows(self, stage: int, index: int) -> Path:
        return self.state / f"stage-{stage}" / f"{self.part(index)}.parquet"

    def stage_dead(self, stage: int, index: int) -> Path:
        return self.state / f"stage-{stage}" / f"{self.part(index)}.dead.parquet"

    def global_state(self, stage: int) -> Path:
        return self.state / f"stage-{stage}" / "global.pkl"

    def global_part(self, stage: int, index: int) -> Path:
        return self.state / f"stage-{stage}" / "global" / f"{self.part(index)}.pkl"

    def marker(self, stage: int, index: int) -> Path:
        return self.state / "done" / f"stage-{stage}" / f"{self.part(index)}.json"

    def done(self, stage: int) -> set[int]:
        folder = self.state / "done" / f"stage-{stage}"
        if not folder.is_dir():
            return set()
        return {int(p.stem.split("-")[1]) for p in folder.glob("part-*.json")}

    @property
    def fingerprint(self) -> Path:
        return self.state / "run.json"

    def remove_partial_files(self) -> None:
        for tmp in self.root.rglob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)
