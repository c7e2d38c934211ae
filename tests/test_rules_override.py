"""A recipe's `rules:` directory overrides shipped rule files, file by file, in every worker,
and rule defaults are read when the recipe loads, not when curate is imported (issue 15)."""

from __future__ import annotations

import pytest
import yaml
from spine_util import jsonl, read_outputs, run, write_recipe

from curate.config import RecipeError, load_recipe
from curate.rules import load_yaml, shipped_rules_dir, use_rules_dir


@pytest.fixture(autouse=True)
def _shipped_rules_after():
    yield
    use_rules_dir(None)


def _rules_dir(tmp_path):
    """A directory overriding two files: boilerplate (one more rule) and the filters' defaults."""
    folder = tmp_path / "my-rules" / "clean"
    folder.mkdir(parents=True)
    boilerplate = yaml.safe_load((shipped_rules_dir() / "clean" / "boilerplate.yaml").read_text(encoding="utf-8"))
    boilerplate["drop"].append({"name": "house_footer", "pattern": r"^\s*우리신문 푸터\s*$", "guarded": False})
    (folder / "boilerplate.yaml").write_text(yaml.safe_dump(boilerplate, allow_unicode=True), encoding="utf-8")
    filters = yaml.safe_load((shipped_rules_dir() / "clean" / "filters.yaml").read_text(encoding="utf-8"))
    filters["cjk_filter"]["max_cjk"] = 3
    (folder / "filters.yaml").write_text(yaml.safe_dump(filters, allow_unicode=True), encoding="utf-8")
    return tmp_path / "my-rules"


def test_a_recipe_rules_directory_reaches_every_worker(tmp_path):
    records = [{"id": str(i), "text": f"본문 {i}번 문장이 여기에 길게 있습니다.\n우리신문 푸터"} for i in range(30)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    recipe = write_recipe(tmp_path, [str(tmp_path / "in.jsonl")], [{"step": "boilerplate"}, {"step": "cjk_filter"}],
                          batch_size=10, rules=str(_rules_dir(tmp_path)))
    loaded = load_recipe(recipe)
    assert loaded.steps[1].max_cjk == 3  # the default came from the override, read at load time
    assert load_yaml("clean/markup.yaml") == yaml.safe_load(
        (shipped_rules_dir() / "clean" / "markup.yaml").read_text(encoding="utf-8"))  # others: shipped
    report = run(recipe, workers=2)  # spawned workers get the rules with the work
    kept, _, _ = read_outputs(tmp_path / "out")
    assert not kept.filter(kept["text"].str.contains("푸터")).height and kept.height == 30
    steps = {s["step"]: s for s in report["steps"]}
    assert steps["boilerplate"]["counters"]["lines_removed_house_footer"] == 30


def test_a_missing_rules_directory_is_a_recipe_error(tmp_path):
    recipe = write_recipe(tmp_path, ["in.jsonl"], [{"step": "noop"}], rules="nowhere")
    with pytest.raises(RecipeError, match="rules: no such directory"):
        load_recipe(recipe)


def test_without_a_rules_directory_the_shipped_defaults_apply(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(jsonl([{"id": "a", "text": "문장"}]))
    recipe = write_recipe(tmp_path, [str(tmp_path / "in.jsonl")], [{"step": "cjk_filter"}])
    assert load_recipe(recipe).steps[0].max_cjk == 10


def test_curate_steps_shows_defaults_read_from_the_rules():
    from typer.testing import CliRunner

    from curate.cli import app

    result = CliRunner().invoke(app, ["steps"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "PydanticUndefined" not in result.output and "max_cjk=10" in result.output
