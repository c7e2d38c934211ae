"""The `pii` pipeline step: registered, keyed from the run, counts by type, keeps other columns."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import polars as pl
import pytest

from curate.steps import RunContext, StepOutput, get_step_class

KEY = b"step-test-key-0123456789"
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PII_SENTENCES = [
    "문의는 010-3456-7890 으로 주세요.",
    "메일은 movie.fan@gmail.com 입니다.",
    "계좌 110-245-124678 로 입금 부탁드려요.",
]


def _frame(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"id": [f"d{i}" for i in range(len(texts))], "text": texts,
                         "_src": ["a.jsonl"] * len(texts)})


def _step(**params):
    return get_step_class("pii")(**params)


def test_registered_and_validates_params():
    with pytest.raises(ValueError, match="mode"):
        _step(mode="shred")
    with pytest.raises(ValueError, match=r"unknown PII type.*valid types: phone"):
        _step(types=["blood_type"])
    assert _step(types="person").types == ["person"]  # a recipe's `types: person`
    with pytest.raises(ValueError):
        _step(no_such_param=1)


def test_pseudonymizes_with_run_key_and_counts_by_type():
    df = _frame(["연락처 010-3456-7890, 다시 010-3456-7890", "평범한 리뷰", "메일 movie.fan@gmail.com"])
    step = _step()
    step.setup(RunContext(key=b"run-key-0123456789"))
    out = step.process(df)
    assert isinstance(out, StepOutput)
    assert out.df.columns == df.columns and out.df["id"].to_list() == df["id"].to_list()
    assert out.df["_src"].to_list() == df["_src"].to_list()
    texts = out.df["text"].to_list()
    assert "010-3456-7890" not in texts[0] and texts[1] == "평범한 리뷰"
    first, second = texts[0].removeprefix("연락처 ").split(", 다시 ")
    assert first == second
    assert out.counters == {"pii_email": 1, "pii_phone": 2}
    assert not out.examples
    again = _step()
    again.setup(RunContext(key=b"run-key-0123456789"))
    assert again.process(df).df.equals(out.df)  # same key: byte-identical


def test_key_file_and_env_fallbacks(tmp_path, monkeypatch):
    df = _frame(["연락처 010-3456-7890"])
    key_file = tmp_path / "k"
    key_file.write_text("file-key-0123456789")
    from_file = _step(key_file=str(key_file))
    from_file.setup(RunContext())
    monkeypatch.setenv("MY_PII_KEY", "file-key-0123456789")
    from_env = _step(key_env="MY_PII_KEY")
    from_env.setup(RunContext())
    assert from_file.process(df).df.equals(from_env.process(df).df)
    run_key_wins = _step(key_env="MY_PII_KEY")
    run_key_wins.setup(RunContext(key=b"other-key-0123456789"))
    assert not run_key_wins.process(df).df.equals(from_env.process(df).df)


def test_remove_sentence_mode_on_split_text():
    df = _frame(["첫 문장입니다.\n제 번호는 010-3456-7890 입니다.\n마지막 문장.", "연락처 010-3456-7890"])
    step = _step(mode="remove_sentence")
    step.setup(RunContext(key=KEY))
    out = step.process(df)
    assert out.df["text"].to_list() == ["첫 문장입니다.\n마지막 문장.", ""]  # the runner drops the empty row
    assert out.counters == {"pii_phone": 2, "sentences_removed": 2}


def test_real_reviews_with_pii_mixed_in():
    path = DATA / "nsmc_reviews.jsonl.gz"
    if not path.exists():
        pytest.skip("shared data not available")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        reviews = [json.loads(line)["text"] or "" for line in itertools.islice(fh, 3000)]
    pii = itertools.cycle(PII_SENTENCES)
    texts = [f"{r} {next(pii)}" if i % 10 == 0 else r for i, r in enumerate(reviews)]
    step = _step(mode="pseudonymize")
    step.setup(RunContext(key=KEY))
    out = step.process(_frame(texts))
    result = out.df["text"].to_list()
    joined = "\n".join(result)
    for value in ("010-3456-7890", "movie.fan@gmail.com", "110-245-124678"):
        assert value not in joined
    untouched = [i for i in range(len(texts)) if i % 10 != 0]
    changed = sum(result[i] != texts[i] for i in untouched)
    assert changed <= len(untouched) * 0.01  # plain reviews almost never touched
    assert out.counters["pii_phone"] >= 100 and out.counters["pii_email"] >= 100


def test_pipeline_run_and_cli_agree_across_shards(tmp_path):
    """`curate run` with two shards and two workers, key from the recipe's key file: a value in
    both shards gets one fake, the same one `curate pseudonymize` gives with that key file."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    (tmp_path / "pii.key").write_text("shared-key-0123456789\n")
    lines = ["주문 문의 010-3456-7890 으로 연락주세요", "평범한 리뷰", "메일 movie.fan@gmail.com"]
    for shard in ("a", "b"):
        with (tmp_path / f"{shard}.jsonl").open("w", encoding="utf-8") as fh:
            for i, line in enumerate(lines):
                fh.write(json.dumps({"id": f"{shard}{i}", "text": line}, ensure_ascii=False) + "\n")
    (tmp_path / "recipe.yaml").write_text(
        "input: {paths: [a.jsonl, b.jsonl]}\noutput: {path: out, format: jsonl}\n"
        "key: {file: pii.key}\nworkers: 2\nsteps:\n  - {step: pii}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", "run",
                          str(tmp_path / "recipe.yaml"), "--quiet"], capture_output=True, text=True,
                         cwd=repo, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for part in sorted((tmp_path / "out" / "data").glob("*.jsonl"))
               for line in part.read_text(encoding="utf-8").splitlines()]
    by_id = {r["id"]: r["text"] for r in records}
    assert by_id["a0"] == by_id["b0"] != lines[0] and by_id["a2"] == by_id["b2"] != lines[2]
    assert "shared-key-0123456789" not in (tmp_path / "out" / "report.json").read_text(encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "curate.pii.cli", "--key-file", str(tmp_path / "pii.key")],
                         input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=repo,
                         timeout=60, check=False)
    assert cli.stdout.splitlines() == [by_id["a0"], by_id["a1"], by_id["a2"]]
