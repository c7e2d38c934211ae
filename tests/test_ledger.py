"""The typed shard ledger: markers as earlier versions wrote them read back, and totals that must add up."""

from __future__ import annotations

import json

import pytest

from curate.executors.layout import atomic_write_json
from curate.executors.ledger import HIST_BINS, LedgerError, Received, RunLedger, ShardLedger, Written
from curate.runner import StepStats


def _hist(*counts: int) -> list[int]:
    return [*counts, *[0] * (HIST_BINS - len(counts))]


def _step(name: str, rows_in: int, rows_out: int, **drops: int) -> dict:
    return {"step": name, "rows_in": rows_in, "rows_out": rows_out, "bytes_in": 10 * rows_in,
            "bytes_out": 10 * rows_out, "seconds": 0.000494, "drops": drops, "counters": {"seen": rows_in},
            "examples": [{"id": "a", "reason": "short"}] if drops else []}


# A stage-0 marker that is also the last stage, exactly as the previous version wrote it.
OLD_MARKER = {"shard": 3, "stage": 0, "records_in": 5, "quarantined": 1, "hist_in": _hist(0, 2, 2),
              "bytes_in": 40, "steps": [_step("read", 4, 3, empty_text=1), _step("length_filter", 3, 2, short=1)],
              "kept": 2, "dropped": 2, "hist_out": _hist(0, 0, 2), "bytes_out": 20}


def test_a_marker_round_trips_byte_for_byte(tmp_path):
    ledger = ShardLedger.from_json(OLD_MARKER)
    assert ledger.received == Received(5, 1, _hist(0, 2, 2), 40)
    assert ledger.written == Written(2, 2, _hist(0, 0, 2), 20)
    assert [s.step for s in ledger.steps] == ["read", "length_filter"] and ledger.steps[1].drops == {"short": 1}
    assert ledger.to_json() == OLD_MARKER
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    atomic_write_json(before, OLD_MARKER)
    atomic_write_json(after, ShardLedger.read(before).to_json())
    assert after.read_bytes() == before.read_bytes()


def test_a_middle_stage_marker_has_neither_input_nor_output_counts():
    middle = {"shard": 0, "stage": 1, "steps": [_step("dedup_exact", 3, 3)]}
    ledger = ShardLedger.from_json(middle)
    assert ledger.received is None and ledger.written is None
    assert ledger.to_json() == middle


def test_markers_from_before_byte_counts_still_read():
    old = {k: v for k, v in OLD_MARKER.items() if k not in ("bytes_in", "bytes_out")}
    ledger = ShardLedger.from_json(old)
    assert ledger.received is not None and ledger.received.bytes_in == 0
    assert ledger.written is not None and ledger.written.bytes_out == 0


def _run(stages: list[dict]) -> RunLedger:
    return RunLedger.total([ShardLedger.from_json(json.loads(json.dumps(m))) for m in stages],
                           ["read", "length_filter", "dedup_exact"])


def test_the_run_sums_its_shards_across_stages():
    first = {"shard": 0, "stage": 0, "records_in": 4, "quarantined": 0, "hist_in": _hist(4), "bytes_in": 30,
             "steps": [_step("read", 4, 4), _step("length_filter", 4, 3, short=1)]}
    other = {**OLD_MARKER, "stage": 0}
    other = {k: v for k, v in other.items() if k not in ("kept", "dropped", "hist_out", "bytes_out")}
    last = [{"shard": 0, "stage": 1, "steps": [_step("dedup_exact", 3, 2, duplicate=1)], "kept": 2, "dropped": 2,
             "hist_out": _hist(2), "bytes_out": 20},
            {"shard": 3, "stage": 1, "steps": [_step("dedup_exact", 2, 2)], "kept": 2, "dropped": 2,
             "hist_out": _hist(0, 0, 2), "bytes_out": 20}]
    run = _run([first, other, *last])
    assert (run.records_in, run.quarantined, run.kept, run.dropped) == (9, 1, 4, 4)
    assert (run.bytes_in, run.bytes_out) == (70, 40)
    assert run.hist_in == _hist(4, 2, 2) and run.hist_out == _hist(2, 0, 2)
    steps = {s.step: s for s in run.steps}
    assert [s.step for s in run.steps] == ["read", "length_filter", "dedup_exact"]
    assert steps["read"].rows_in == 8 and steps["length_filter"].drops == {"short": 2}
    assert steps["dedup_exact"].drops == {"duplicate": 1} and steps["dedup_exact"].counters == {"seen": 5}
    assert run.per_file({0: "a.jsonl", 3: "b.jsonl"}) == {
        "a.jsonl": {"records_in": 4, "quarantined": 0, "kept": 2, "dropped": 2},
        "b.jsonl": {"records_in": 5, "quarantined": 1, "kept": 2, "dropped": 2}}


def test_a_ledger_that_does_not_add_up_is_refused():
    lost = {**OLD_MARKER, "kept": 1}  # 5 in, 1 kept + 2 dropped + 1 quarantined: a record went missing
    with pytest.raises(LedgerError, match="in=5 kept=1 dropped=2 quarantined=1"):
        _run([lost])
    assert _run([OLD_MARKER]).records_in == 5  # the same shard with every record accounted for


def test_no_shards_is_an_empty_run():
    run = RunLedger.total([], ["read"])
    assert (run.records_in, run.kept, run.hist_in) == (0, 0, [0] * HIST_BINS)
    assert run.steps == [StepStats("read")]


def test_the_report_says_what_each_node_did_and_its_peak_memory(tmp_path):
    import socket

    from spine_util import jsonl, run, write_recipe

    records = [{"id": str(i), "text": f"문서 {i % 7}번의 본문입니다. 같은 문장입니다."} for i in range(40)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    recipe = write_recipe(tmp_path, [str(tmp_path / "in.jsonl")], [{"step": "dedup_exact"}], batch_size=10)
    report = run(recipe)
    assert list(report["nodes"]) == [socket.gethostname()]
    node = report["nodes"][socket.gethostname()]
    assert node["shard_stages"] == 4 * 2  # 4 shards, 2 stages (read; dedup_exact)
    assert node["bytes_in"] == report["bytes_in"] > 0
    phases = report["global_phases"]["dedup_exact"]
    assert node["shuffle_tasks"] == sum(phases["tasks_by_node"].values()) > 0
    assert set(phases["peak_rss_mb"]) == {f"r{r} {p}" for r in range(phases["rounds"])
                                          for p in ("map", "reduce", "route")}
    assert 0 < min(phases["peak_rss_mb"].values()) and node["peak_rss_mb"] >= 20
    assert set(node["peak_rss_mb_by_stage"]) == {"0", "1"}
