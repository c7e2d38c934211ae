"""Global steps partition their reduced state per shard; the result must equal applying the
whole state to the whole corpus at once."""

from __future__ import annotations

import polars as pl
from spine_util import jsonl, read_outputs, run, write_recipe

from curate.config import build_steps, load_recipe
from curate.executors import get_executor
from curate.runner import run_in_memory

STEPS = [{"step": "dedup_exact", "sentences": True, "min_sentence_chars": 5},
         {"step": "dedup_fuzzy", "threshold": 0.6}]


def test_partitioned_state_equals_whole_state(tmp_path):
    base = ["서울의 오늘 날씨는 맑고 바람이 약하게 불겠습니다", "국회는 본회의에서 민생 법안을 처리했습니다",
            "영화가 생각보다 훨씬 재미있어서 두 번 봤어요", "새로 나온 스마트폰의 배터리가 오래 갑니다"]
    records = []
    for i in range(300):
        first = base[i % 4]
        text = f"{first}.\n{i}번째 문서의 고유한 문장입니다 {i * 7919 % 1000}."
        if i % 9 == 0:
            text = records[i // 2]["text"] if i else text  # an exact copy of an earlier document
        elif i % 11 == 0 and i > 20:
            text = records[i - 20]["text"].replace("입니다", "이에요")  # a near copy
        records.append({"id": f"d{i}", "text": text})
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    run(write_recipe(tmp_path, ["in.jsonl"], STEPS, batch_size=13), "local", 2)  # 24 shards
    kept, dropped, _ = read_outputs(tmp_path / "out")
    assert sorted(set((tmp_path / "out" / "_state" / "stage-1" / "global").glob("*.pkl")))  # partitioned

    whole_kept, whole_dead, _ = run_in_memory(build_steps(STEPS), pl.DataFrame(records))
    assert kept.select("id", "text").equals(whole_kept.select("id", "text"))
    assert sorted(dropped["id"].to_list()) == sorted(whole_dead["id"].to_list())
    assert dropped.height > 20 and set(dropped["reason"].to_list()) >= {"duplicate_document"}


def test_every_progress_bar_ends_complete(tmp_path):
    """The bars a run draws (stages, and each global step's summarize and reduce) all end at
    done == total: a bar left at 0/N reads as work that never finished."""
    records = [{"id": f"d{i}", "text": f"문서 {i % 7}번의 내용입니다. 같은 문장이 반복됩니다."} for i in range(40)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    recipe = write_recipe(tmp_path, ["in.jsonl"], STEPS, batch_size=10)
    calls: dict[str, tuple[int, int]] = {}
    get_executor("local", 1).run(load_recipe(recipe, {"workers": 1}), log=lambda _: None,
                                 progress=lambda name, done, total: calls.__setitem__(name, (done, total)))
    assert any("summarize" in name for name in calls) and any(name.startswith("stage") for name in calls)
    assert all(done == total == 4 for done, total in calls.values()), calls
