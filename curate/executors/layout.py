"""Where a run's files go, and how they get there atomically.

OUTPUT/
  data/part-NNNNN.parquet        kept records (or .jsonl)
  dropped/part-NNNNN.parquet     id, source, line, step, reason; text and scores only when a step
                                 has keep_dropped_text (after the pii step: the recipe enforces it)
  review/<step>.html             `curate sample` (curate.report.review)
  README.md                      the dataset card (curate.report.card)
  quarantine/part-NNNNN.jsonl    file, line, error, raw bytes (base64) of unreadable input
  report.json, report.html
  _state/                        bookkeeping for resume; safe to delete after a finished run
    run.json                     fingerprint of recipe + inputs (a resume must match it)
    invocations.json             when each invocation on this output started and how long it took
    stage-K/part-NNNNN.parquet   rows alive after stage K (only for multi-stage recipes)
    stage-K/global.pkl           a global step's reduced state (or global/part-NNNNN.pkl, one a shard)
    stage-K/global.json          written last: the global step's state is complete
    stage-K/shuffle/             the global step's map/reduce files, removed once it is complete
    done/stage-K/part-NNNNN.json shard finished that stage: its ledger and step stats (the marker)

Paths here are relative to OUTPUT and written through its ``Store`` (a local directory or an
object-store URL). Every file is written whole or not at all (locally: a temporary name renamed
into place; in an object store: one PUT), and a shard's marker is written last, so a killed run
leaves either a finished shard or nothing that counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curate.executors.store import Store, atomic_write_bytes, json_bytes

__all__ = ["Layout", "atomic_write_bytes", "atomic_write_json"]


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, json_bytes(obj))


class Layout:
    def __init__(self, root: str | Path, data_format: str = "parquet"):
        self.store = Store.for_url(root)
        self.root = self.store.locate()
        self.data_format = data_format

    @property
    def shown(self) -> str:
        """The root as messages show it (a URL without ``user:password@``)."""
        return self.store.shown()

    @staticmethod
    def part(index: int) -> str:
        return f"part-{index:05d}"

    def data(self, index: int) -> str:
        return f"data/{self.part(index)}.{self.data_format}"

    def dropped(self, index: int) -> str:
        return f"dropped/{self.part(index)}.parquet"

    def quarantine(self, index: int) -> str:
        return f"quarantine/{self.part(index)}.jsonl"

    state = "_state"

    def stage_dir(self, stage: int) -> str:
        return f"{self.state}/stage-{stage}"

    def stage_rows(self, stage: int, index: int) -> str:
        return f"{self.stage_dir(stage)}/{self.part(index)}.parquet"

    def stage_dead(self, stage: int, index: int) -> str:
        return f"{self.stage_dir(stage)}/{self.part(index)}.dead.parquet"

    def global_state(self, stage: int) -> str:
        return f"{self.stage_dir(stage)}/global.pkl"

    def global_info(self, stage: int) -> str:
        """Written last by a global step: its state is complete (and what its phases took)."""
        return f"{self.stage_dir(stage)}/global.json"

    def global_part(self, stage: int, index: int) -> str:
        return f"{self.stage_dir(stage)}/global/{self.part(index)}.pkl"

    def marker(self, stage: int, index: int) -> str:
        return f"{self.state}/done/stage-{stage}/{self.part(index)}.json"

    def done(self, stage: int) -> set[int]:
        names = self.store.list(f"{self.state}/done/stage-{stage}", "part-*.json")
        return {int(name[:-len(".json")].split("-")[1]) for name in names}

    fingerprint = f"{state}/run.json"
    invocations = f"{state}/invocations.json"  # each run of the command on this output: its seconds

    def remove_partial_files(self) -> None:
        self.store.remove_partial_files()
