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


def test_duplicate_key_is_an_error_with_both_lines(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps:
          - step: length_filter
            min_chars: 5
            min_chars: 50
        """)
    assert _error(path) == f"{path}:6: steps[0].min_chars: duplicate key (first on line 5)"


@pytest.mark.parametrize(("param", "value", "says"), [
    ("min_chars", -5, "greater than or equal to 0"),
    ("max_chars", 0, "greater than 0"),
    ("min_sentence_chars", -1, "greater than or equal to 0"),
])
def test_negative_lengths_are_refused(tmp_path, param, value, says):
    path = _write(tmp_path, f"""
        input: a.jsonl
        output: out
        steps:
          - step: length_filter
            {param}: {value}
        """)
    message = _error(path)
    assert message.startswith(f"{path}:5: steps[0].{param}: ") and says in message


@pytest.mark.parametrize(("step", "param", "value"), [
    ("language_filter", "min_hangul_ratio", 1.5), ("quality_filter", "max_symbol_ratio", -0.1),
    ("cjk_filter", "max_cjk", -1), ("pii", "min_score", 2), ("dedup_exact", "min_sentence_chars", -3),
    # issue 21: a negative vocabulary ran the whole pipeline, then crashed with an OverflowError
    ("train_tokenizer", "vocab_size", -5), ("train_tokenizer", "vocab_size", 100),
    ("train_tokenizer", "min_frequency", 0), ("normalize", "max_repeat", 0),
])
def test_out_of_range_parameters_are_refused(tmp_path, step, param, value):
    path = _write(tmp_path, f"""
        input: a.jsonl
        output: out
        steps:
          - step: {step}
            {param}: {value}
        """)
    assert _error(path).startswith(f"{path}:5: steps[0].{param}: ")


def test_bounds_that_exclude_everything_are_refused(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps:
          - step: length_filter
            min_chars: 100
            max_chars: 10
        """)
    assert "max_chars (10) is below min_chars (100)" in _error(path)


def test_missing_evaluation_set_fails_when_the_recipe_loads(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps:
          - step: decontaminate
            eval_sets:
              - name: klue
                path: evals/missing.jsonl
        """)
    assert _error(path) == (f"{path}:7: steps[0].eval_sets[0].path: no such file or directory: "
                            f"{tmp_path / 'evals' / 'missing.jsonl'}")


def test_missing_key_file_and_model_directory_fail_when_the_recipe_loads(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps:
          - step: toxicity
            hf_model: models/none
        """)
    assert _error(path) == f"{path}:5: steps[0].hf_model: no such file or directory: {tmp_path / 'models' / 'none'}"
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        key:
          file: secret.key
        steps: []
        """)
    assert _error(path) == f"{path}:4: key.file: no such file: {tmp_path / 'secret.key'}"


def test_command_line_values_are_checked_like_the_file(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        steps: []
        """)
    with pytest.raises(RecipeError, match="--workers: Input should be greater than or equal to 1"):
        load_recipe(path, {"workers": 0})
    with pytest.raises(RecipeError, match=r"^--executor: unknown executor 'spark'; known executors: local, ray$"):
        load_recipe(path, {"executor": "spark"})


def test_unknown_executor_in_the_recipe_lists_the_known_ones(tmp_path):
    path = _write(tmp_path, """
        input: a.jsonl
        output: out
        executor: spark
        steps: []
        """)
    assert _error(path) == f"{path}:3: executor: unknown executor 'spark'; known executors: local, ray"


def test_a_label_names_a_repeated_step_and_two_labels_may_not_clash(tmp_path):
    """Issue 15: a step used twice showed up as dedup_exact.9 / dedup_exact.11 in the report."""
    loaded = load_recipe(Path(__file__).resolve().parents[1] / "pipelines" / "pretrain.yaml")
    labels = loaded.labels()
    assert "dedup_documents" in labels and "dedup_sentences" in labels
    assert not any(label.startswith("dedup_exact") for label in labels)
    recipe = tmp_path / "r.yaml"
    recipe.write_text("input: {paths: [in.jsonl]}\noutput: out\nsteps:\n  - step: normalize\n    label: first\n"
                      "  - step: length_filter\n    label: first\n", encoding="utf-8")
    (tmp_path / "in.jsonl").write_text('{"text": "가나다"}\n', encoding="utf-8")
    with pytest.raises(RecipeError, match=r"r\.yaml:6: steps\[1\]: label 'first' is taken by steps\[0\]"):
        load_recipe(recipe)


def test_labels_name_the_reason_columns_of_a_repeated_annotating_step():
    from curate.config import build_steps

    steps = build_steps([{"step": "dedup_exact", "label": "docs", "drop": False},
                         {"step": "dedup_exact", "label": "sents", "documents": False, "sentences": True,
                          "drop": False}])
    assert [c for s in steps for c in s.columns_written()] == ["docs_reason", "sents_reason"]
    with pytest.raises(RecipeError, match="writes column 'dedup_exact_reason'"):
        build_steps([{"step": "dedup_exact", "drop": False},
                     {"step": "dedup_exact", "documents": False, "sentences": True, "drop": False}])
