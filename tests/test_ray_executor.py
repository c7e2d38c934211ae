"""The Ray executor writes the same bytes as the local one (a local Ray with 2 CPUs)."""

from __future__ import annotations

import json

import pytest
from spine_util import REPO, jsonl, output_bytes, run, write_recipe

pytestmark = pytest.mark.ray


def _corpus(tmp_path) -> list[str]:
    evals = [json.loads(line)["title"] for line in
             (REPO / "pipelines" / "evals" / "klue_tc_test.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
    records = []
    for i in range(400):
        text = f"{i % 50}번 문서. 오늘 서울의 날씨는 맑고 기온은 {i % 50}도입니다.\n<b>강조</b> 문장이 있습니다."
        if i % 40 == 0:
            text += "\n" + evals[(i // 40) % 3]  # a planted evaluation item for decontaminate
        records.append({"id": f"d{i}", "text": text})
    (tmp_path / "a.jsonl").write_bytes(jsonl(records[:250]) + b"{not json\n")
    (tmp_path / "b.jsonl").write_bytes(jsonl(records[250:]))
    return ["a.jsonl", "b.jsonl"]


def test_ray_output_is_byte_identical_to_local(tmp_path):
    inputs = _corpus(tmp_path)
    steps = [
        {"step": "regex_replace", "pattern": "<[^>]+>"},
        {"step": "decontaminate",  # heavy: runs in a Ray actor pool
         "eval_sets": [{"name": "klue-tc", "path": str(REPO / "pipelines" / "evals" / "klue_tc_test.jsonl"),
                        "field": "title"}]},
        {"step": "dedup_exact"},  # global: map, reduce and route tasks on Ray
        {"step": "noop"},
        {"step": "train_tokenizer", "vocab_size": 300, "min_frequency": 1},  # Kiwi in reduce tasks, trained in one
    ]
    recipe = write_recipe(tmp_path, inputs, steps, batch_size=60, shuffle_partitions=3)
    local = run(recipe, "local", 2, output=str(tmp_path / "local"))
    on_ray = run(recipe, "ray", 2, output=str(tmp_path / "ray"))
    assert on_ray["global_phases"]["train_tokenizer"]["partitions"] == 3
    assert output_bytes(tmp_path / "local") == output_bytes(tmp_path / "ray")
    tokenizer = sorted(p.name for p in (tmp_path / "local" / "tokenizer").iterdir())
    assert "tokenizer.json" in tokenizer
    for name in tokenizer:
        assert (tmp_path / "local" / "tokenizer" / name).read_bytes() == \
            (tmp_path / "ray" / "tokenizer" / name).read_bytes()
    for key in ("records_in", "records_kept", "records_dropped", "records_quarantined"):
        assert local[key] == on_ray[key]
    assert local["records_quarantined"] == 1 and local["records_kept"] < 400
    drops = {s["step"]: s["drops"] for s in on_ray["steps"]}
    assert drops["dedup_exact"] and drops["read"] == {}
    assert on_ray["executor"] == "ray"


def test_one_cpu_ray_with_a_heavy_step_does_not_deadlock(tmp_path):
    records = [{"id": f"d{i}", "text": f"{i}번째 문서입니다. 오늘은 맑겠습니다."} for i in range(60)]
    (tmp_path / "a.jsonl").write_bytes(jsonl(records))
    evals = str(REPO / "pipelines" / "evals" / "klue_tc_test.jsonl")
    steps = [{"step": "noop"},
             {"step": "decontaminate", "eval_sets": [{"name": "tc", "field": "title", "path": evals}]},
             {"step": "dedup_exact"}, {"step": "noop"}]
    report = run(write_recipe(tmp_path, ["a.jsonl"], steps, batch_size=20), "ray", 1)
    assert report["records_kept"] == 60
