"""After a run over text full of PII, no original value appears anywhere the run wrote:
kept data, dropped/, quarantine/ (raw bytes included), _state/, reports, or the terminal;
and the key appears nowhere on disk."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from typing import ClassVar

import polars as pl
import pytest
import yaml
from spine_util import REPO, read_outputs, run, write_recipe

from curate.executors.layout import Layout
from curate.executors.shard import ShardWork, split_stages
from curate.io.read import InputSpec, Quarantined
from curate.pii.raw import decode_escapes
from curate.steps import get_step_class
from curate.steps.base import RunContext
from curate.steps.pii import Pii

KEY = "privacy-test-key-5f1c9a7e"
EVAL_SET = REPO / "benchmarks" / "pii_eval" / "eval_set.jsonl"


def _held_out_pii() -> list[tuple[str, list[str]]]:
    """Held-out sentences of the PII evaluation set with their values (synthetic, not real people's)."""
    out = []
    for line in EVAL_SET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "heldout" and row["kind"] == "positive":
            out.append((row["text"], [row["text"][s["start"]:s["end"]] for s in row["spans"]]))
    return out


def _everything_written(out) -> str:
    """All text a person or program could read back from the output directory."""
    parts = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            parts.extend(str(v) for col in frame.columns for v in frame[col].to_list())
        elif path.suffix == ".jsonl" and "quarantine" in path.parts:
            for line in path.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                parts.append(line)
                parts.append(base64.b64decode(entry["raw_base64"]).decode("utf-8", "replace"))
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_no_original_value_survives_anywhere(tmp_path):
    samples = _held_out_pii()
    records, bad_lines, values = [], [], []
    for i, (text, found) in enumerate(samples):
        values.extend(found)
        if i % 25 == 0:  # unreadable lines holding PII: quarantined, raw bytes kept
            bad_lines.append(b'{"text": "' + text.encode("utf-8") + (b' \xff"}' if i % 50 == 0 else b'"'))
        elif i % 25 == 1:  # dropped by language_filter after pii ran
            records.append({"text": text + " " + "English filler words only here. " * 12})
        else:
            records.append({"text": text + "\n오늘도 좋은 하루 보내세요. 문의는 위 연락처로 부탁드립니다."})
    payload = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
    (tmp_path / "in.jsonl").write_bytes(payload + b"\n".join(bad_lines) + b"\n")
    steps = [{"step": "normalize"}, {"step": "pii"}, {"step": "split_sentences"},
             {"step": "language_filter", "min_hangul_ratio": 0.3}, {"step": "dedup_exact", "sentences": True},
             {"step": "length_filter", "min_chars": 5}]
    recipe = write_recipe(tmp_path, ["in.jsonl"], steps, batch_size=100, workers=2)
    proc = subprocess.run([sys.executable, "-m", "curate.cli", "run", str(recipe)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "CURATE_PII_KEY": KEY})
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    report = json.loads((out / "report.json").read_text())
    assert report["records_quarantined"] == len(bad_lines) and report["records_dropped"] > 0
    written = _everything_written(out) + proc.stdout + proc.stderr
    leaked = sorted({v for v in values if v in written})
    assert not leaked, f"{len(leaked)} of {len(set(values))} values leaked, e.g. types of {leaked[:0]}"
    assert KEY not in written
    for path in out.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()
    pii_counts = next(s["counters"] for s in report["steps"] if s["step"] == "pii")
    assert sum(pii_counts.values()) >= len(values) - sum(1 for i in range(len(samples)) if i % 25 == 0) * 2


# ---------------------------------------------------------------- quarantined lines are scrubbed as a reader
# sees them: \u escapes decoded for the detector, replacements written back over the raw spans

ACCOUNT = "110-482-937561"
ESCAPED = rb'{"text":"\uc2e0\ud55c\uc740\ud589 \uacc4\uc88c 110-482-937561'  # 신한은행 계좌, cut short
PLAIN = '{"text":"신한은행 계좌 110-482-937561'.encode()
EMAIL = rb'{"id": 7, "text": "\uba54\uc77c hong.gildong\u0040naver.com \ub0a8\uae40 \xff'  # hong.gildong@naver.com


def _shipped_pii_steps(recipe: str) -> list[dict]:
    """The shipped recipe's steps up to its pii step, with the recipe's own pii settings."""
    steps = yaml.safe_load((REPO / "pipelines" / recipe).read_text(encoding="utf-8"))["steps"]
    return steps[: next(i for i, s in enumerate(steps) if s["step"] == "pii") + 1]


@pytest.mark.parametrize("recipe", ["pretrain.yaml", "benchmark.yaml"])
def test_quarantined_lines_scrubbed_through_escapes_under_shipped_recipes(tmp_path, monkeypatch, recipe):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    good = json.dumps({"text": "평범한 문장 하나입니다. 오늘은 날씨가 좋네요."}, ensure_ascii=False).encode()
    (tmp_path / "in.jsonl").write_bytes(b"\n".join([good, ESCAPED, PLAIN, EMAIL, good]) + b"\n")
    report = run(write_recipe(tmp_path, ["in.jsonl"], _shipped_pii_steps(recipe)))
    assert report["records_quarantined"] == 3
    _, _, quarantined = read_outputs(tmp_path / "out")
    raws = {q["line"]: base64.b64decode(q["raw_base64"]) for q in quarantined}
    for raw in raws.values():
        assert ACCOUNT.encode() not in raw and b"hong.gildong" not in raw and b"naver.com" not in raw
    # everything but the value stays byte-for-byte
    assert raws[2].startswith(ESCAPED[: -len(ACCOUNT)]) and raws[2] != ESCAPED
    assert raws[3].startswith(PLAIN[: -len(ACCOUNT)]) and raws[3] != PLAIN
    head, tail = EMAIL.split(b"hong")[0], EMAIL.split(b".com")[1]
    assert raws[4].startswith(head) and raws[4].endswith(tail) and raws[4] != EMAIL
    replaced = raws[4][len(head): len(raws[4]) - len(tail)]
    assert replaced.isascii()  # written back in the escaped style of its surroundings
    if recipe == "benchmark.yaml":  # remove_sentence becomes masking: raw bytes keep their shape
        assert json.loads(b'"' + replaced + b'"') == "[이메일]"
    else:
        assert "@" in json.loads(b'"' + replaced + b'"')


class RenamedPii(Pii):
    """The pii step under another name: the executor must find it by what it declares."""

    name: ClassVar[str] = "pii_renamed"


def test_executor_scrubs_with_any_step_that_declares_a_scrubber(tmp_path):
    steps = [RenamedPii(mode="mask")]
    work = ShardWork(Layout(tmp_path), split_stages(["pii_renamed"], steps), InputSpec(), RunContext(key=KEY.encode()))
    out = work.scrub([Quarantined("in.jsonl", 1, "broken JSON", PLAIN)])
    assert out[0].raw == PLAIN[: -len(ACCOUNT)] + "[계좌번호]".encode()
    assert get_step_class("normalize")().quarantine_scrubber(RunContext()) is None  # the default
    assert ShardWork(Layout(tmp_path), split_stages([], []), InputSpec(), RunContext()).scrub(
        [Quarantined("in.jsonl", 1, "broken JSON", PLAIN)])[0].raw == PLAIN  # no pii step: untouched


def test_decoded_view_maps_back_to_raw_offsets():
    raw = r'\uc804\ud654 \\u0041 \ud83d\ude00\n\ud800 \u12'  # 전화, escaped backslash, pair, lone, cut
    view = decode_escapes(raw)
    assert view.text == "전화 \\u0041 😀\n\ufffd \\u12"
    starts = [view.raw_offset(i) for i in range(len(view.text) + 1)]
    assert starts[:4] == [0, 6, 12, 13] and starts[-1] == len(raw)
    emoji = view.text.index("😀")
    assert raw[view.raw_offset(emoji):view.raw_offset(emoji + 1)] == r"\ud83d\ude00"
    assert decode_escapes("no escapes 010-1234-5678").raw_offset(5) == 5


def test_lone_surrogate_record_is_quarantined_and_the_ledger_adds_up(tmp_path, monkeypatch):
    """Arrow strings cannot hold a lone surrogate: the reader quarantines the record (raw bytes
    kept, and scrubbed), and a surrogate pair still reads as its character."""
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    lines = [rb'{"id": "a", "text": "\ud800 010-2345-6789 \ub85c \uc5f0\ub77d"}',
             rb'{"id": "b", "text": "\ud83d\ude00 \ubc18\uac11\uc2b5\ub2c8\ub2e4"}',
             b'{"id": "c", "text": "plain line"}']
    # a chunk Polars reads whole (it would silently read the lone surrogate as NUL), and one that
    # takes the reader's careful path (a surrogate in an id, a line cut short)
    for case, extra in enumerate([[], [rb'{"id": "d\udc00", "text": "surrogate in the id"}', b'{"text": "cut']]):
        folder = tmp_path / str(case)
        folder.mkdir()
        (folder / "in.jsonl").write_bytes(b"\n".join(lines + extra) + b"\n")
        report = run(write_recipe(folder, [str(folder / "in.jsonl")], [{"step": "pii"}]))
        assert report["records_in"] == len(lines + extra)
        assert report["records_in"] == report["records_kept"] + report["records_dropped"] + report[
            "records_quarantined"]
        kept, _, quarantined = read_outputs(folder / "out")
        assert sorted(kept["id"].to_list()) == ["b", "c"] and "😀 반갑습니다" in kept["text"].to_list()
        assert sorted(q["line"] for q in quarantined) == [1, 4, 5][: 1 + len(extra)]
        assert all(b"2345-6789" not in base64.b64decode(q["raw_base64"]) for q in quarantined)
