"""The run report: counts that add up, per-step detail, histograms; JSON for machines, HTML for people.

The ledger invariant, checked here and by the tests:
records_in == records_kept + records_dropped + records_quarantined.
Only counts, sizes, timings, reasons and ids appear: never text, never PII values.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from curate.executors.layout import atomic_write_bytes, atomic_write_json
from curate.executors.shard import HIST_BINS, READ, stats_from_markers
from curate.report.html import render_html


class LedgerError(RuntimeError):
    """The counts do not add up: a record went missing. Never expected; always a bug."""


def build_report(loaded: Any, plan: Any, markers: list[dict[str, Any]], global_seconds: dict[str, Any],
                 executor: str, workers: int, started: float, finished: float,
                 warnings: list[str]) -> dict[str, Any]:
    labels = [READ, *loaded.labels()]
    first = [m for m in markers if m["stage"] == 0]
    last_stage = max(m["stage"] for m in markers) if markers else 0
    last = [m for m in markers if m["stage"] == last_stage]
    steps = stats_from_markers(markers, labels)
    records_in = sum(m["records_in"] for m in first)
    quarantined = sum(m["quarantined"] for m in first)
    kept = sum(m["kept"] for m in last)
    dropped = sum(m["dropped"] for m in last)
    if records_in != kept + dropped + quarantined:
        raise LedgerError(f"ledger does not add up: in={records_in} kept={kept} dropped={dropped} "
                          f"quarantined={quarantined}")
    per_file: dict[str, Counter] = {}
    shard_file = {s.index: s.file.source for s in plan.shards}
    for m in first:
        per_file.setdefault(shard_file[m["shard"]], Counter()).update(
            records_in=m["records_in"], quarantined=m["quarantined"])
    for m in last:
        per_file.setdefault(shard_file[m["shard"]], Counter()).update(kept=m["kept"], dropped=m["dropped"])
    hist_in = [sum(m["hist_in"][b] for m in first) for b in range(HIST_BINS)]
    hist_out = [sum(m["hist_out"][b] for m in last) for b in range(HIST_BINS)]
    quarantine_errors: Counter = Counter()
    for path in sorted(Path(loaded.recipe.output.path, "quarantine").glob("part-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            # The kind of error, not its detail: "broken JSON: Expecting ..." -> "broken JSON"
            quarantine_errors[json.loads(line)["error"].split(":")[0]] += 1
    seconds = finished - started
    bytes_in = sum(m.get("bytes_in", 0) for m in first)
    return {
        "records_in": records_in,
        "records_kept": kept,
        "records_dropped": dropped,
        "records_quarantined": quarantined,
        "bytes_in": bytes_in,
        "bytes_out": sum(m.get("bytes_out", 0) for m in last),
        "recipe": loaded.source,
        "executor": executor,
        "workers": workers,
        "shards": len(plan.shards),
        "seconds": round(seconds, 3),
        "mb_per_s": round(bytes_in / 1e6 / seconds, 3) if seconds > 0 else None,
        "steps": [s.to_dict() for s in steps],
        "global_phases": global_seconds,
        "inputs": [{"file": f, **dict(sorted(c.items()))} for f, c in sorted(per_file.items())],
        "quarantine_errors": dict(sorted(quarantine_errors.items())),
        "length_histogram": {"bin_lower_chars": [2**b - 1 for b in range(HIST_BINS)],
                             "before": hist_in, "after": hist_out},
        "warnings": warnings,
    }


def write_reports(root: Path, report: dict[str, Any]) -> None:
    atomic_write_json(root / "report.json", report)
    atomic_write_bytes(root / "report.html", render_html(report).encode("utf-8"))
