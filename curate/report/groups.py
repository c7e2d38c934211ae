"""The report's counts per value of one field (``report.group_by``: a source, a licence, a domain).

Each shard's ledger counts its records by the field's value (records in and their bytes when
read; kept, bytes out and drops by step and reason when written), and steps that count by
type (PII) give their counters per value too. Here they are summed, and the most frequent
``max_groups`` values are kept; the rest are summed under "(other)". Records that could not
be read (quarantined) have no value and are counted only in the run's totals.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from curate.executors.ledger import ShardLedger

OTHER = "(other)"


def group_report(field: str, markers: list[ShardLedger], steps: list[dict[str, Any]],
                 max_groups: int) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}

    def entry(group: str) -> dict[str, Any]:
        return groups.setdefault(group, {"records_in": 0, "bytes_in": 0, "kept": 0, "bytes_out": 0,
                                         "dropped": Counter(), "counters": Counter()})

    for m in markers:
        for group, (records, size) in ((m.received.groups_in or {}) if m.received else {}).items():
            e = entry(group)
            e["records_in"] += records
            e["bytes_in"] += size
        for group, out in ((m.written.groups_out or {}) if m.written else {}).items():
            e = entry(group)
            e["kept"] += out["kept"]
            e["bytes_out"] += out["bytes_out"]
            e["dropped"].update(out["dropped"])
    for step in steps:
        for group, counters in step.get("by_group", {}).items():
            entry(group)["counters"].update(counters)
    ranked = sorted(groups, key=lambda g: (-groups[g]["records_in"], g))
    shown, rest = ranked[:max_groups], ranked[max_groups:]
    if rest:
        other = {"records_in": 0, "bytes_in": 0, "kept": 0, "bytes_out": 0, "dropped": Counter(),
                 "counters": Counter()}
        for g in rest:
            for key in ("records_in", "bytes_in", "kept", "bytes_out"):
                other[key] += groups[g][key]
            other["dropped"].update(groups[g]["dropped"])
            other["counters"].update(groups[g]["counters"])
        groups[OTHER] = other
        shown.append(OTHER)
    values = {}
    for g in shown:
        e = groups[g]
        values[g] = {**{k: e[k] for k in ("records_in", "bytes_in", "kept", "bytes_out")},
                     "dropped_total": sum(e["dropped"].values()),
                     "dropped": dict(sorted(e["dropped"].items())), "counters": dict(sorted(e["counters"].items()))}
    return {"field": field, "groups": len(groups), "values": values}
