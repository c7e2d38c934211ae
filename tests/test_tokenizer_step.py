"""The train_tokenizer global step and the `curate tokenizer` CLI on small real corpora."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import polars as pl
import pytest
from tokenizers import Tokenizer
from typer.testing import CliRunner

from curate.executors.shuffle import finished_state_in_memory
from curate.steps import RunContext, get_step_class
from curate.tokenizer.cli import app

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REVIEWS = DATA / "nsmc_reviews.jsonl.gz"


def review_lines(n: int, skip: int = 0) -> list[str]:
    if not REVIEWS.exists():
        pytest.skip(f"{REVIEWS} missing")
    with gzip.open(REVIEWS, "rt", encoding="utf-8") as fh:
        return list(islice(fh, skip, skip + n))


def batch(lines: list[str], shard: int) -> pl.DataFrame:
    texts = [json.loads(line)["text"] for line in lines]
    return pl.DataFrame({"id": [f"{shard}-{i}" for i in range(len(texts))], "text": texts,
                         "_shard": [shard] * len(texts), "_row": list(range(len(texts)))},
                        schema={"id": pl.Utf8, "text": pl.Utf8, "_shard": pl.Int64, "_row": pl.Int64})


def test_step_trains_from_batch_summaries_and_passes_rows_through(tmp_path):
    step = get_step_class("train_tokenizer")(vocab_size=600, n_workers=1)
    step.setup(RunContext(output_dir=str(tmp_path)))
    lines = review_lines(600)
    batches = [batch(lines[:300], 0), batch(lines[300:], 1)]
    state = finished_state_in_memory(step, batches, partitions=3)
    assert state["vocab_size"] == 600
    assert json.loads(state["files"]["training.json"])["analyse_min_count"] == 2  # issue 13
    assert state["words"] == sum(int(b["text"].str.count_matches(r" ?\S+|\s+").sum()) for b in batches)
    tokenizer = Tokenizer.from_file(str(tmp_path / "tokenizer" / "tokenizer.json"))
    for b in batches:
        assert step.apply(b, state).equals(b)
        for text in b["text"].to_list():
            assert tokenizer.decode(tokenizer.encode(text, add_special_tokens=False).ids) == text

    # A finish without setup(ctx): the workers' apply writes the same files.
    driver = get_step_class("train_tokenizer")(vocab_size=600, n_workers=1)
    state_without_ctx = finished_state_in_memory(driver, batches, partitions=3)
    assert state_without_ctx["files"] == state["files"]  # deterministic
    worker = get_step_class("train_tokenizer")(vocab_size=600, n_workers=1)
    worker.setup(RunContext(output_dir=str(tmp_path / "second")))
    worker.apply(batches[0], state_without_ctx)
    written = (tmp_path / "second" / "tokenizer" / "tokenizer.json").read_text()
    assert written == (tmp_path / "tokenizer" / "tokenizer.json").read_text()


def test_step_rejects_unknown_parameters():
    cls = get_step_class("train_tokenizer")
    with pytest.raises(ValueError):
        cls(vocab_sise=100)
    with pytest.raises(ValueError):
        cls(algorithm="sentencepiece")


def test_cli_trains_then_evaluates_side_by_side(tmp_path):
    corpus, heldout = tmp_path / "train.jsonl", tmp_path / "heldout.jsonl.gz"
    corpus.write_text("".join(review_lines(800)), encoding="utf-8")
    with gzip.open(heldout, "wt", encoding="utf-8") as fh:
        fh.write("".join(review_lines(300, skip=20_000)))
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "--input", str(corpus), "--out", str(tmp_path / "tok"),
                                  "--vocab-size", "500", "--workers", "1"])
    assert trained.exit_code == 0, trained.output
    assert json.loads((tmp_path / "tok" / "training.json").read_text())["vocab_size"] == 500
    report = tmp_path / "report.md"
    evaluated = runner.invoke(app, ["eval", "--tokenizer", str(tmp_path / "tok"), "--heldout", str(heldout),
                                    "--train", str(corpus), "--baselines", "plain-bpe", "--report", str(report)])
    assert evaluated.exit_code == 0, evaluated.output
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in report.read_text().splitlines()[2:]}
    assert set(rows) == {"ours", "ours+kiwi", "plain-bpe"}
    assert all(cells[1] == "1.0000" for cells in rows.values())  # round trip, every candidate
    assert float(rows["ours+kiwi"][4]) == 0.0  # crossing: the analyzer keeps morphemes whole
    assert float(rows["ours"][4]) < float(rows["plain-bpe"][4])


def test_a_vocabulary_smaller_than_asked_says_why_in_the_log_and_the_report(tmp_path):
    """Issue 21: vocab 2,674 came out when 8,000 was asked for, silently."""
    from spine_util import jsonl, run, write_recipe

    texts = [json.loads(line)["text"] for line in review_lines(300)]
    (tmp_path / "in.jsonl").write_bytes(jsonl([{"id": str(i), "text": t} for i, t in enumerate(texts)]))
    recipe = write_recipe(tmp_path, ["in.jsonl"], [{"step": "train_tokenizer", "vocab_size": 8000, "n_workers": 1}])
    from curate.config import load_recipe
    from curate.executors import get_executor

    logged: list[str] = []
    report = get_executor("local", 1).run(load_recipe(recipe, {"workers": 1}), log=logged.append)
    vocab = json.loads((tmp_path / "out" / "tokenizer" / "training.json").read_text())["vocab_size"]
    assert vocab < 8000
    note = report["global_phases"]["train_tokenizer"]["notes"][0]
    assert f"vocabulary of {vocab:,} tokens, not the 8,000 asked for" in note and "min_frequency" in note
    assert any(line.startswith("note: train_tokenizer: vocabulary of") for line in logged)
    # asked for what the corpus gives: nothing to say
    again = write_recipe(tmp_path, ["in.jsonl"], [{"step": "train_tokenizer", "vocab_size": 300, "n_workers": 1}])
    quiet = run(again, output=str(tmp_path / "small"))
    assert "notes" not in quiet["global_phases"]["train_tokenizer"]
