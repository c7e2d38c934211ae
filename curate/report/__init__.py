"""The run report: counts that add up, per-step detail, histograms; JSON for machines, HTML for people.

The ledger invariant, checked when the shard ledgers are summed (``curate.executors.ledger``) and by
the tests:
records_in == records_kept + records_dropped + records_quarantined.
Only counts, sizes, timings, reasons and ids appear: never text, never PII values.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from curate.executors.ledger import HIST_BINS, LedgerError, RunLedger, ShardLedger
from curate.executors.shard import READ
from curate.executors.store import Store
from curate.report.groups import group_report
from curate.report.html import render_html

__all__ = ["LedgerError", "build_report", "write_reports"]


def build_report(loaded: Any, plan: Any, markers: list[ShardLedger], global_seconds: dict[str, Any],
                 executor: str, workers: int, started: float, finished: float,
                 warnings: list[str]) -> dict[str, Any]:
    ledger = RunLedger.total(markers, [READ, *loaded.labels()])  # raises LedgerError if it does not add up
    per_file = ledger.per_file({s.index: s.file.source for s in plan.shards})
    quarantine_errors: Counter = Counter()
    store = Store.for_url(loaded.recipe.output.path)  # a local directory or an object-store prefix
    names = [f"quarantine/{name}" for name in store.list("quarantine", "part-*.jsonl")]
    for data in store.read_many(names):
        for line in data.decode("utf-8").splitlines():
            # The kind of error, not its detail: "broken JSON: Expecting ..." -> "broken JSON"
            quarantine_errors[json.loads(line)["error"].split(":")[0]] += 1
    seconds = finished - started
    bytes_in = ledger.bytes_in
    steps = [s.to_dict() for s in ledger.steps]
    # The thresholds a step judged by: `curate sample` finds the kept records near them.
    limits = {label: step.review_thresholds() for label, step in zip(loaded.labels(), loaded.steps, strict=True)}
    for entry in steps:
        if limits.get(entry["step"]):
            entry["thresholds"] = {column: list(rule) for column, rule in limits[entry["step"]].items()}
    group_by = loaded.recipe.report.group_by
    return {
        "records_in": ledger.records_in,
        "records_kept": ledger.kept,
        "records_dropped": ledger.dropped,
        "records_quarantined": ledger.quarantined,
        "bytes_in": bytes_in,
        "bytes_out": ledger.bytes_out,
        "recipe": loaded.source,
        "executor": executor,
        "workers": workers,
        "shards": len(plan.shards),
        "seconds": round(seconds, 3),
        "mb_per_s": round(bytes_in / 1e6 / seconds, 3) if seconds > 0 else None,
        "steps": steps,
        **({"by_group": group_report(group_by, markers, steps, loaded.recipe.report.max_groups)} if group_by else {}),
        "global_phases": global_seconds,
        "nodes": nodes_summary(markers, global_seconds),
        "inputs": [{"file": f, **dict(sorted(c.items()))} for f, c in sorted(per_file.items())],
        "quarantine_errors": dict(sorted(quarantine_errors.items())),
        "length_histogram": {"bin_lower_chars": [2**b - 1 for b in range(HIST_BINS)],
                             "before": ledger.hist_in, "after": ledger.hist_out},
        "warnings": warnings,
    }


def nodes_summary(markers: list[ShardLedger], global_phases: dict[str, Any]) -> dict[str, Any]:
    """What each node did: shard stages run, input bytes parsed, shuffle tasks, and the largest
    peak memory of a worker there (per stage too, to see which stage sets it). Markers written
    by a version that did not record the node are left out."""
    nodes: dict[str, dict[str, Any]] = {}

    def entry(node: str) -> dict[str, Any]:
        return nodes.setdefault(node, {"shard_stages": 0, "bytes_in": 0, "shuffle_tasks": 0, "peak_rss_mb": 0,
                                       "peak_rss_mb_by_stage": {}})

    for m in markers:
        if m.node is None:
            continue
        e = entry(m.node)
        e["shard_stages"] += 1
        e["bytes_in"] += m.received.bytes_in if m.received is not None else 0
        peak = m.peak_rss_mb or 0
        e["peak_rss_mb"] = max(e["peak_rss_mb"], peak)
        stage = str(m.stage)
        e["peak_rss_mb_by_stage"][stage] = max(e["peak_rss_mb_by_stage"].get(stage, 0), peak)
    for phases in global_phases.values():
        for node, count in phases.get("tasks_by_node", {}).items():
            entry(node)["shuffle_tasks"] += count
    return dict(sorted(nodes.items()))


def write_reports(store: Store, report: dict[str, Any]) -> None:
    """report.json and report.html at the root of the run's output (see ``Store``)."""
    store.write_json("report.json", report)
    store.write_bytes("report.html", render_html(report).encode("utf-8"))
