"""Recipe validation: every error names the file, the line and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from curate.config import RecipeError, load_recipe


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    return str(info.value)


def test_unknown_top_level_key_names_file_line_and_key(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        colour: red
        steps: []
        """)
    assert _error(path) == f"{path}:3: colour: unknown key"


def test_unknown_step_lists_the_known_ones(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps:
          - step: noop
          - step: no_such_step
        """)
    message = _error(path)
    assert message.startswith(f"{path}:5: steps[1].step: unknown step 'no_such_step'")
    assert "regex_replace" in message


def test_unknown_step_parameter_points_at_its_line(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps:
          - step: regex_replace
            pattern: "x"
            replacment: "y"
        """)
    assert _error(path) == f"{path}:6: steps[0].replacment: unknown key"


def test_bad_value_is_reported_with_the_reason(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        batch_size: 0
        steps:
          - step: regex_replace
            pattern: "("
        """)
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    assert f"{path}:3: batch_size: Input should be greater than or equal to 1" in str(info.value)
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps:
          - step: regex_replace
            pattern: "("
        """)
    message = _error(path)
    assert message.startswith(f"{path}:5: steps[0].pattern:") and "invalid regex" in message


def test_invalid_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: [out
        steps: []
        """)
    assert _error(path).startswith(f"{path}:3: invalid YAML")


def test_paths_resolve_against_the_recipe_and_overrides_against_cwd(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    path = _write(tmp_path / "sub", """
        input: [data/*.jsonl]
        output: ../out
        steps: [{step: noop}]
        """)
    loaded = load_recipe(path)
    assert loaded.recipe.input.paths == [str(tmp_path / "sub" / "data" / "*.jsonl")]
    assert Path(loaded.recipe.output.path).resolve() == (tmp_path / "out").resolve()
    monkeypatch.chdir(tmp_path)
    loaded = load_recipe(path, {"input": ["x.jsonl"], "output": "elsewhere", "executor": "ray"})
    assert loaded.recipe.input.paths == [str(tmp_path / "x.jsonl")]
    assert loaded.recipe.output.path == str(tmp_path / "elsewhere")
    assert loaded.recipe.executor == "ray"


def test_repeated_steps_get_distinct_labels(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps: [{step: noop}, {step: regex_replace, pattern: a}, {step: noop}]
        """)
    assert load_recipe(path).labels() == ["noop.0", "regex_replace", "noop.2"]
