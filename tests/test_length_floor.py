"""The recipe's length floor holds at the end of the recipe, not only at its length_filter (issue 15)."""

from __future__ import annotations

import polars as pl
from spine_util import jsonl, read_outputs, run, write_recipe

from curate.config import add_length_floor, build_steps, load_recipe

BODY = "이 문장은 여러 기사에 똑같이 붙어 나오는 꼬리말입니다."


def _labels(steps):
    return [s.name for s in steps]


def test_a_floor_is_added_after_the_last_step_that_cuts_text():
    steps = build_steps([{"step": "length_filter", "min_chars": 20}, {"step": "dedup_exact", "sentences": True},
                         {"step": "dedup_fuzzy"}, {"step": "cjk_filter"},
                         {"step": "train_tokenizer"}])
    out = add_length_floor(steps)
    assert _labels(out) == ["length_filter", "dedup_exact", "dedup_fuzzy", "cjk_filter", "length_floor",
                            "train_tokenizer"]
    assert out[4].min_chars == 20


def test_no_floor_when_nothing_cuts_after_the_filter_or_the_recipe_checks_it():
    plain = build_steps([{"step": "normalize"}, {"step": "length_filter"}, {"step": "dedup_exact"},
                         {"step": "dedup_fuzzy"}])
    assert _labels(add_length_floor(plain)) == _labels(plain)  # document-level dedup cuts nothing
    checked = build_steps([{"step": "length_filter"}, {"step": "cjk_filter"}, {"step": "length_filter"}])
    assert _labels(add_length_floor(checked)) == _labels(checked)
    assert _labels(add_length_floor(build_steps([{"step": "cjk_filter"}]))) == ["cjk_filter"]


def test_sentence_dedup_leaves_no_kept_document_below_min_chars(tmp_path):
    """The issue's case: documents whose only sentence of their own is '- 끝 -' or '됨' once the
    repeated sentences are removed."""
    records = [{"id": "first", "text": f"{BODY}\n첫 기사에만 있는 충분히 긴 본문 문장입니다."}]
    records += [{"id": f"tail{i}", "text": f"{BODY}\n{end}"} for i, end in enumerate(["- 끝 -", "됨", "끝"])]
    records += [{"id": "long", "text": f"{BODY}\n다른 기사에만 있는 충분히 긴 본문 문장이 여기 있습니다."}]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    steps = [{"step": "split_sentences"}, {"step": "length_filter", "min_chars": 10},
             {"step": "dedup_exact", "documents": True, "sentences": True, "min_sentence_chars": 20}]
    recipe = write_recipe(tmp_path, [str(tmp_path / "in.jsonl")], steps)
    assert _labels(load_recipe(recipe).steps)[-1] == "length_floor"
    report = run(recipe)
    kept, dropped, _ = read_outputs(tmp_path / "out")
    assert sorted(kept["id"]) == ["first", "long"]
    assert kept.select(pl.col("text").str.strip_chars().str.len_chars().min()).item() >= 10
    floor = dropped.filter(pl.col("step") == "length_floor")
    assert sorted(floor["id"]) == ["tail0", "tail1", "tail2"] and set(floor["reason"]) == {"too_short"}
    steps_out = {s["step"]: s for s in report["steps"]}
    assert steps_out["length_floor"]["drops"] == {"too_short": 3}
