"""Issue 17, item 5: ``curate sample OUTPUT --step toxicity`` -- a stratified review sample of what a
step dropped and kept near its thresholds, text included, PII already treated."""

from __future__ import annotations

import csv
import json
from functools import cache

import polars as pl
import pytest
from spine_util import SHARED_DATA, jsonl, read_outputs, run, write_recipe
from typer.testing import CliRunner

from curate.cli import app
from curate.config import RecipeError, load_recipe
from curate.report.review import ReviewError, review_sample
from curate.steps import get_step_class

PHONE = "010-2345-6789"


@cache
def _texts() -> tuple[list[str], list[str]]:
    """(BEEP! comments labelled hate or offensive, Wikinews headlines) from ../shared/data."""
    if not (SHARED_DATA / "beep_train.tsv").exists():
        pytest.skip("shared data not found")
    from curate.toxicity.train import load_beep

    beep = load_beep(SHARED_DATA / "beep_train.tsv")
    rude = beep.filter(pl.col("hate") != "none")["text"].head(150).to_list()
    with open(SHARED_DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        news = [row["제목"] for row in csv.DictReader(fh) if row["제목"]][:150]
    return rude, news


def _run(tmp_path, toxicity: dict, pii_first: bool = True) -> dict:
    rude, news = _texts()
    # A phone number in every tenth comment: the review text must not show it.
    records = [{"id": f"b{i}", "text": f"{t} 연락처 {PHONE}" if i % 10 == 0 else t} for i, t in enumerate(rude)]
    records += [{"id": f"n{i}", "text": t} for i, t in enumerate(news)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    steps = [{"step": "normalize"}, {"step": "pii"}, {"step": "toxicity", **toxicity}]
    if not pii_first:
        steps = [steps[0], steps[2], steps[1]]
    recipe = write_recipe(tmp_path, ["in.jsonl"], steps, batch_size=100)
    return run(recipe)


def test_dropped_by_reason_and_kept_nearest_the_threshold(tmp_path):
    report = _run(tmp_path, {"thresholds": "benchmark", "keep_dropped_text": True})
    out = tmp_path / "out"
    kept, dropped, _ = read_outputs(out)
    limits = next(s for s in report["steps"] if s["step"] == "toxicity")["thresholds"]
    expected = get_step_class("toxicity")(thresholds="benchmark").effective_thresholds()
    assert limits == {column: [">", limit] for column, limit in expected.items()}
    assert dropped["text"].null_count() == 0 and not dropped["text"].str.contains(PHONE).any()

    sample = review_sample(str(out), "toxicity", n=40)
    assert sample.height == 40 and not sample["text"].str.contains(PHONE).any()
    dropped_part = sample.filter(pl.col("kind") == "dropped")
    near = sample.filter(pl.col("kind") == "near_threshold")
    assert dropped_part.height == 20 and near.height == 20
    # Every dropped record shown crossed the threshold of its reason; the text is the one dropped.
    reason_column = {"toxic_hate": "p_hate", "gender_bias": "p_gender_bias", "toxic_offensive": "p_offensive"}
    for row in dropped_part.iter_rows(named=True):
        column = reason_column[row["reason"]]
        assert json.loads(row["scores"])[column] > limits[column][1]
        assert row["text"] == dropped.filter(pl.col("id") == row["id"])["text"].item()
    # Stratified: each reason gets an equal share, as far as it has records.
    counts = dict(dropped_part.group_by("reason").len().iter_rows())
    available = dict(dropped.group_by("reason").len().iter_rows())
    if len(counts) > 1 and min(available.values()) >= 10:
        assert max(counts.values()) - min(counts.values()) <= 1
    # The kept records nearest a drop: the 20 smallest margins of all kept records.
    margin = pl.min_horizontal([pl.lit(limit) - pl.col(c) for c, (_, limit) in limits.items()])
    smallest = kept.select(margin.alias("m")).sort("m")["m"].head(20).to_list()
    assert near["margin"].to_list() == pytest.approx(smallest)
    assert (near["margin"] >= 0).all() and set(near["id"]) <= set(kept["id"])


def test_the_sample_is_the_same_on_every_call_and_another_seed_draws_another(tmp_path):
    _run(tmp_path, {"thresholds": "benchmark", "keep_dropped_text": True})
    out = str(tmp_path / "out")
    first, again = review_sample(out, "toxicity", n=10), review_sample(out, "toxicity", n=10)
    assert first.equals(again)
    other = review_sample(out, "toxicity", n=10, seed=7)
    assert set(other.filter(pl.col("kind") == "dropped")["id"]) != set(first.filter(pl.col("kind") == "dropped")["id"])


def test_an_annotating_run_is_reviewed_from_its_flag_column(tmp_path):
    _run(tmp_path, {"thresholds": "benchmark", "drop": False})
    kept, dropped, _ = read_outputs(tmp_path / "out")
    assert dropped.is_empty() or "toxicity" not in dropped["step"].to_list()
    sample = review_sample(str(tmp_path / "out"), "toxicity", n=30)
    flagged = sample.filter(pl.col("kind") == "flagged")
    assert flagged.height == 15
    assert set(flagged["id"]) <= set(kept.filter(pl.col("toxicity_reason").is_not_null())["id"])


def test_cli_writes_html_and_jsonl_into_the_output(tmp_path):
    _run(tmp_path, {"thresholds": "benchmark", "keep_dropped_text": True})
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["sample", str(out), "--step", "toxicity", "--n", "12"])
    assert result.exit_code == 0, result.output
    page = (out / "review" / "toxicity.html").read_text(encoding="utf-8")
    assert page.count("<tr class=") == 12 and PHONE not in page
    result = runner.invoke(app, ["sample", str(out), "--step", "toxicity", "--n", "12", "--format", "jsonl",
                                 "--out", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 12 and {r["kind"] for r in rows} == {"dropped", "near_threshold"}
    assert all(isinstance(r["scores"], dict) for r in rows)


def test_keeping_dropped_text_before_the_pii_step_is_refused(tmp_path):
    with pytest.raises(RecipeError, match=r"recipe\.yaml:\d+: steps\[1\]: keep_dropped_text before the pii step"):
        (tmp_path / "in.jsonl").write_bytes(jsonl([{"id": "a", "text": "가나다"}]))
        steps = [{"step": "normalize"}, {"step": "toxicity", "keep_dropped_text": True}, {"step": "pii"}]
        load_recipe(write_recipe(tmp_path, ["in.jsonl"], steps))


def test_a_step_that_left_nothing_to_review_says_what_to_change(tmp_path):
    _run(tmp_path, {"thresholds": "benchmark", "add_columns": False})
    with pytest.raises(ReviewError, match="keep_dropped_text: true"):
        review_sample(str(tmp_path / "out"), "toxicity")
    with pytest.raises(ReviewError, match="is no step of this run; steps: read, normalize, pii, toxicity"):
        review_sample(str(tmp_path / "out"), "dedup_fuzzy")
    with pytest.raises(ReviewError, match=r"no report\.json"):
        review_sample(str(tmp_path), "toxicity")
