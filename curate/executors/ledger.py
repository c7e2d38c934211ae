"""The ledger: what each shard did in each stage, and the run's totals that must add up.

A shard's ledger is written as its completion marker (``_state/done/stage-K/part-NNNNN.json``)
after its files, so a marker on disk means the stage is done for that shard and the run can
be resumed from it on any executor. The JSON is flat and stays as earlier versions wrote it,
so a run started by an earlier version still resumes:

- every stage: ``shard``, ``stage``, ``steps`` (the step stats of the steps it ran);
- stage 0 (``received``): ``records_in``, ``quarantined``, ``hist_in``, ``bytes_in``;
- the last stage (``written``): ``kept``, ``dropped``, ``hist_out``, ``bytes_out``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.runner import StepStats

HIST_BINS = 26  # document length histogram: bin b holds lengths in [2^b - 1, 2^(b+1) - 1)


class LedgerError(RuntimeError):
    """The counts do not add up: a record went missing. Never expected; always a bug."""


@dataclass
class Received:
    """What a shard's input held (stage 0): records that parsed, plus those quarantined."""

    records_in: int
    quarantined: int
    hist_in: list[int]
    bytes_in: int = 0  # markers from before byte counting lack it
    groups_in: dict[str, list[int]] | None = None  # report.group_by value -> [records, text bytes]


@dataclass
class Written:
    """What became of a shard's records after the last stage."""

    kept: int
    dropped: int
    hist_out: list[int]
    bytes_out: int = 0
    schema: str | None = None  # the output part's schema (curate.executors.output_schema.schema_text)
    groups_out: dict[str, dict[str, Any]] | None = None  # report.group_by value -> kept, bytes_out, dropped


@dataclass
class ShardLedger:
    shard: int
    stage: int
    steps: list[StepStats] = field(default_factory=list)
    received: Received | None = None  # stage 0 only
    written: Written | None = None  # last stage only
    node: str | None = None  # where it ran (curate.executors.worker_info); absent in older markers
    peak_rss_mb: int | None = None  # the worker's peak memory while it ran

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"shard": self.shard, "stage": self.stage, "steps": [s.to_dict() for s in self.steps]}
        for part in (self.received, self.written):
            if part is not None:
                data.update((k, v) for k, v in vars(part).items() if v is not None)  # older markers lack a schema
        if self.node is not None:
            data.update(node=self.node, peak_rss_mb=self.peak_rss_mb)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShardLedger:
        received = written = None
        if "records_in" in data:
            received = Received(data["records_in"], data["quarantined"], data["hist_in"], data.get("bytes_in", 0),
                                data.get("groups_in"))
        if "kept" in data:
            written = Written(data["kept"], data["dropped"], data["hist_out"], data.get("bytes_out", 0),
                              data.get("schema"), data.get("groups_out"))
        steps = [StepStats.from_dict(s) for s in data.get("steps", [])]
        return cls(data["shard"], data["stage"], steps, received, written, data.get("node"), data.get("peak_rss_mb"))

    @classmethod
    def read(cls, path: Path) -> ShardLedger:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class RunLedger:
    """The shard ledgers of a run, summed. Built by ``total``, which refuses totals that do not add up."""

    received: dict[int, Received]  # shard -> its stage-0 counts
    written: dict[int, Written]  # shard -> its last-stage counts
    steps: list[StepStats]  # per step label, summed over shards and stages, in recipe order

    @classmethod
    def total(cls, shards: list[ShardLedger], labels: list[str]) -> RunLedger:
        last_stage = max((s.stage for s in shards), default=0)
        received = {s.shard: s.received for s in shards if s.stage == 0 and s.received is not None}
        written = {s.shard: s.written for s in shards if s.stage == last_stage and s.written is not None}
        totals = {label: StepStats(label) for label in labels}
        for ledger in shards:
            for stats in ledger.steps:
                totals[stats.step].merge(stats)
        run = cls(received, written, [totals[label] for label in labels])
        run.check()
        return run

    def _sum(self, parts: dict[int, Any], name: str) -> int:
        return sum(getattr(p, name) for p in parts.values())

    @property
    def records_in(self) -> int:
        return self._sum(self.received, "records_in")

    @property
    def quarantined(self) -> int:
        return self._sum(self.received, "quarantined")

    @property
    def bytes_in(self) -> int:
        return self._sum(self.received, "bytes_in")

    @property
    def kept(self) -> int:
        return self._sum(self.written, "kept")

    @property
    def dropped(self) -> int:
        return self._sum(self.written, "dropped")

    @property
    def bytes_out(self) -> int:
        return self._sum(self.written, "bytes_out")

    @property
    def hist_in(self) -> list[int]:
        return [sum(r.hist_in[b] for r in self.received.values()) for b in range(HIST_BINS)]

    @property
    def hist_out(self) -> list[int]:
        return [sum(w.hist_out[b] for w in self.written.values()) for b in range(HIST_BINS)]

    def check(self) -> None:
        if self.records_in != self.kept + self.dropped + self.quarantined:
            raise LedgerError(f"ledger does not add up: in={self.records_in} kept={self.kept} "
                              f"dropped={self.dropped} quarantined={self.quarantined}")

    def per_file(self, shard_file: dict[int, str]) -> dict[str, Counter]:
        """Counts per input file (``shard_file``: shard -> its file)."""
        files: dict[str, Counter] = {}
        for index, r in self.received.items():
            files.setdefault(shard_file[index], Counter()).update(records_in=r.records_in, quarantined=r.quarantined)
        for index, w in self.written.items():
            files.setdefault(shard_file[index], Counter()).update(kept=w.kept, dropped=w.dropped)
        return files
