"""Global steps partition their reduced state per shard; the result must equal applying the
whole state to the whole corpus at once."""

from __future__ import annotations

import polars as pl
from spine_util import jsonl, output_bytes, read_outputs, run, write_recipe

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
    """The bars a run draws (stages, and each phase of each global step's shuffle) all end at
    done == total: a bar left at 0/N reads as work that never finished."""
    records = [{"id": f"d{i}", "text": f"문서 {i % 7}번의 내용입니다. 같은 문장이 반복됩니다."} for i in range(40)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    recipe = write_recipe(tmp_path, ["in.jsonl"], STEPS, batch_size=10)
    calls: dict[str, tuple[int, int]] = {}
    get_executor("local", 1).run(load_recipe(recipe, {"workers": 1}), log=lambda _: None,
                                 progress=lambda name, done, total: calls.__setitem__(name, (done, total)))
    assert {"map", "reduce", "route", "finish"} <= {name.split()[-1] for name in calls if "shuffle" in name}
    assert any(name.startswith("stage") for name in calls)
    assert all(done == total > 0 for done, total in calls.values()), calls
    assert calls["dedup_exact: shuffle r0 map"] == (4, 4)  # one map task a shard


def test_output_does_not_depend_on_partitions_or_workers(tmp_path):
    """The shuffle's partition count and the worker count change where work runs, never what
    is kept: first occurrences in input order, the same bytes."""
    records = [{"id": f"d{i}", "text": f"문서 {i % 23}번의 내용입니다.\n같은 문장이 반복됩니다 {i % 5}.\n"
                                       f"고유한 문장 {i}번입니다."} for i in range(500)]
    for i in range(49, 500, 50):  # exact copies of earlier documents
        records[i]["text"] = records[i - 40]["text"]
    story = "오래된 골목의 작은 서점은 주말마다 동네 아이들에게 그림책을 읽어 주는 모임을 열었고 "
    for i in range(30, 500, 50):  # near copies: one long line, the next document changes one word
        records[i]["text"] = f"{story * 3}{i}번째 이야기"
        records[i + 1]["text"] = f"{story * 3}{i}번째 이야기".replace("작은", "조그만", 1)
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    outputs = {}
    for partitions, workers in ((1, 1), (7, 2), (64, 1)):
        out = tmp_path / f"out-{partitions}-{workers}"
        recipe = write_recipe(tmp_path, ["in.jsonl"], STEPS, batch_size=37, shuffle_partitions=partitions)
        run(recipe, "local", workers, output=str(out))
        outputs[partitions] = output_bytes(out)
        assert not (out / "_state" / "stage-1" / "shuffle").exists()  # intermediate files removed
    assert outputs[1] == outputs[7] == outputs[64]
    kept, dropped, _ = read_outputs(tmp_path / "out-7-2")
    exact = dropped.filter(pl.col("reason") == "duplicate_document")
    assert sorted(exact["id"].to_list()) == sorted(f"d{i}" for i in range(49, 500, 50))
    assert dropped.filter(pl.col("reason") == "near_duplicate").height > 0
    texts = dict(zip(kept["id"].to_list(), kept["text"].to_list(), strict=True))
    assert texts["d3"].startswith("문서 3번의") and not texts["d26"].startswith("문서 3번의")  # d26 repeats it
    assert "반복됩니다 1" in texts["d1"] and "반복됩니다 1" not in texts["d6"]
