"""Issue 21: `curate tokenizer train` with a missing input printed a full traceback; `curate
toxicity train` / `eval` ran for over a minute without a word. User errors are one `error:` line
(exit 2) and long work says what it is doing."""

from __future__ import annotations

import json

import polars as pl
import pytest
from spine_util import SHARED_DATA
from typer.testing import CliRunner

from curate.cli import _mount_subapps, app

_mount_subapps()


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_tokenizer_train_with_a_missing_input_is_one_error_line(tmp_path):
    result = _invoke("tokenizer", "train", "-i", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "tok"))
    assert result.exit_code == 2 and "error: input" in result.output and "matches no file" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "tok").exists()


def test_tokenizer_train_on_inputs_without_the_text_field_says_so(tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps({"body": "본문만 있는 레코드"}) + "\n", encoding="utf-8")
    result = _invoke("tokenizer", "train", "-i", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "tok"))
    assert result.exit_code == 2 and "no text read from" in result.output and "--text-field" in result.output


def test_tokenizer_eval_without_a_tokenizer_is_one_error_line(tmp_path):
    result = _invoke("tokenizer", "eval", "-t", str(tmp_path / "none"), "--heldout", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2 and "error: no tokenizer at" in result.output


def test_toxicity_eval_with_a_missing_data_file_is_one_error_line(tmp_path):
    result = _invoke("toxicity", "eval", "--data", str(tmp_path / "beep.tsv"), "--no-baseline")
    assert result.exit_code == 2 and result.output.startswith("error:") and "Traceback" not in result.output


def test_toxicity_training_reports_each_phase():
    if not (SHARED_DATA / "beep_train.tsv").exists():
        pytest.skip("shared data not found")
    from curate.toxicity.train import TrainConfig, fit, load_beep

    data = load_beep(SHARED_DATA / "beep_train.tsv").head(600)
    heard: list[str] = []
    fit(data, TrainConfig(), unlabelled=pl.Series(data["text"].head(50)), progress=heard.append)
    assert heard[0] == "features: hashed n-grams of 600 texts"
    assert heard[1:] == ["hate / offensive / none model", "gender-bias model, self-trained on 50 unlabelled comments",
                         "other-bias model"]
