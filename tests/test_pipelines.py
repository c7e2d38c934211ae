"""The shipped recipes run on the bundled sample corpus and do what their comments say."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import polars as pl
from spine_util import REPO, read_outputs
from tokenizers import Tokenizer

ALL_TYPES = {"phone", "rrn", "frn", "email", "url", "ipv4", "ipv6", "mac", "mention", "address", "bank_account",
             "passport", "driver_license", "brn", "health_insurance", "card", "vehicle_plate"}


def _run(recipe: str, out) -> dict:
    proc = subprocess.run([sys.executable, "-m", "curate.cli", "run", str(REPO / "pipelines" / recipe),
                           "--output", str(out), "--quiet"], capture_output=True, text=True, timeout=600,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "records in" in proc.stdout
    return json.loads((out / "report.json").read_text())


def kept_min_chars(out) -> int:
    kept, _, _ = read_outputs(out)
    return kept.select(pl.col("text").str.strip_chars().str.len_chars().min()).item()


def test_pretrain_recipe_on_the_sample(tmp_path):
    out = tmp_path / "pretrain"
    report = _run("pretrain.yaml", out)
    assert report["records_in"] == 402  # samples/sample_corpus.jsonl
    assert report["records_in"] == report["records_kept"] + report["records_dropped"] + report["records_quarantined"]
    steps = {s["step"]: s for s in report["steps"]}
    found = {k.removeprefix("pii_") for k, v in steps["pii"]["counters"].items() if v > 0}
    assert found >= ALL_TYPES  # the sample holds every KLUE PII type
    assert steps["boilerplate"]["counters"]["sentences_removed"] > 100
    documents, sentences = steps["dedup_documents"], steps["dedup_sentences"]  # the recipe's labels
    assert documents["drops"].get("duplicate_document", 0) > 0  # whole copies first...
    assert steps["dedup_fuzzy"]["drops"].get("near_duplicate", 0) > 0  # ...then near copies...
    assert sentences["counters"].get("sentences_removed", 0) > 0  # ...then repeated sentences
    assert list(steps)[-2:] == ["length_floor", "train_tokenizer"]  # the floor holds at the end
    assert kept_min_chars(out) >= 10
    clusters = report["global_phases"]["dedup_fuzzy"]["tables"]["clusters"]  # written to the report
    assert clusters["rows"] == steps["dedup_fuzzy"]["counters"]["clusters"]
    assert (out / clusters["path"]).exists()
    kept, dropped, _ = read_outputs(out)
    assert kept.height == report["records_kept"] and dropped.height == report["records_dropped"]
    text = "\n".join(kept["text"].to_list())
    boilerplate = re.compile(r"^(?:[▶▷☞].*|\[[^\]]*기자\].*|.*무단\s?전재\s?및\s?재배포.*|<저작권자.*|.*ⓒ.*)$",
                             re.MULTILINE)
    assert boilerplate.findall(text) == []  # bylines, related articles, copyright lines are gone...
    for body in ("무단 전재와 불법 복제로 인한 피해", "Copyright 표시만으로는", "저작권자의 허락 없이"):
        assert body in text  # ...but not body sentences that merely mention them
    assert "@example." in text  # e-mails became documentation-domain fakes
    tokenizer = Tokenizer.from_file(str(out / "tokenizer" / "tokenizer.json"))
    sample = kept["text"][0]
    assert tokenizer.decode(tokenizer.encode(sample).ids) == sample
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Drop reasons" in html and "Document length" in html


def test_benchmark_recipe_is_stricter(tmp_path):
    report = _run("benchmark.yaml", tmp_path / "benchmark")
    steps = {s["step"]: s for s in report["steps"]}
    assert steps["pii"]["counters"]["sentences_removed"] > 50  # private PII sentences dropped, not faked
    assert "toxicity" in steps
    kept, _, _ = read_outputs(tmp_path / "benchmark")
    assert not kept.filter(kept["text"].str.contains("010-")).height
    assert kept_min_chars(tmp_path / "benchmark") >= 20  # the recipe's floor, after sentence-level steps
