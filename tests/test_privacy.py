"""After a run over text full of PII, no original value appears anywhere the run wrote:
kept data, dropped/, quarantine/ (raw bytes included), _state/, reports, or the terminal;
and the key appears nowhere on disk."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import polars as pl
from spine_util import REPO, write_recipe

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
