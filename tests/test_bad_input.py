"""Bad input gets a clear message naming file and line, and the rest of the run goes on."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest
import zstandard
from spine_util import jsonl, read_outputs, run, write_recipe

GOOD = [{"id": f"g{i}", "text": f"{i}번째 문서입니다. 오늘 날씨가 좋네요."} for i in range(30)]
STEPS = [{"step": "regex_replace", "pattern": "<[^>]+>"}, {"step": "noop"}]


def _run(tmp_path, name: str, payload: bytes, batch_size: int = 7, **extra):
    (tmp_path / name).write_bytes(payload)
    report = run(write_recipe(tmp_path, [name], STEPS, batch_size=batch_size, **extra))
    kept, dropped, quarantined = read_outputs(tmp_path / "out")
    assert report["records_in"] == report["records_kept"] + report["records_dropped"] + report["records_quarantined"]
    assert (kept.height, dropped.height, len(quarantined)) == (
        report["records_kept"], report["records_dropped"], report["records_quarantined"])
    return report, kept, quarantined


def test_broken_json_line_is_quarantined_with_file_and_line(tmp_path):
    lines = jsonl(GOOD).splitlines(keepends=True)
    lines.insert(11, b'{"id": "x", "text": "\xeb\x81\x9d\n')  # line 12: unterminated string
    report, _kept, quarantined = _run(tmp_path, "a.jsonl", b"".join(lines))
    assert report["records_in"] == 31 and report["records_kept"] == 30
    [entry] = quarantined
    assert entry["file"] == "a.jsonl" and entry["line"] == 12 and entry["error"].startswith("broken JSON")


def test_invalid_utf8_is_quarantined_and_raw_bytes_kept(tmp_path):
    import base64

    bad = b'{"id": "u", "text": "caf\xe9 \xff"}\n'
    payload = jsonl(GOOD[:5]) + bad + jsonl(GOOD[5:])
    _report, kept, quarantined = _run(tmp_path, "a.jsonl", payload)
    [entry] = quarantined
    assert entry["line"] == 6 and entry["error"].startswith("invalid UTF-8")
    assert base64.b64decode(entry["raw_base64"]) == bad.rstrip(b"\n")
    assert kept.height == 30


def test_missing_and_non_string_text_fields(tmp_path):
    payload = jsonl([*GOOD[:3], {"id": "m"}, {"id": "n", "text": ["a"]}, {"id": "o", "text": None}, *GOOD[3:]])
    _report, kept, quarantined = _run(tmp_path, "a.jsonl", payload)
    assert [q["line"] for q in quarantined] == [4, 5, 6]
    assert quarantined[0]["error"] == "missing text field 'text'"
    assert "not a string" in quarantined[1]["error"]
    assert kept.height == 30


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_truncated_compressed_file_keeps_what_precedes_the_damage(tmp_path, kind):
    # 6,000 distinct records (~0.4 MB): several zstd blocks of 128 KB, since a cut block cannot be decoded
    records = [{"text": f"{i}번째 문서입니다. 오늘 날씨가 좋네요."} for i in range(6000)]
    raw = jsonl(records)
    packed = gzip.compress(raw) if kind == "gzip" else zstandard.ZstdCompressor().compress(raw)
    name = "a.jsonl.gz" if kind == "gzip" else "a.jsonl.zst"
    report, kept, quarantined = _run(tmp_path, name, packed[: len(packed) * 2 // 3], batch_size=1000)
    assert 0 < report["records_kept"] < 6000
    [entry] = quarantined
    assert entry["file"] == name and entry["error"].startswith(f"truncated {kind}")
    assert entry["line"] == report["records_kept"] + 1
    assert kept["text"].to_list() == [r["text"] for r in records[: report["records_kept"]]]


def test_empty_file_is_a_warning_and_the_run_goes_on(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "b.jsonl").write_bytes(jsonl(GOOD))
    report = run(write_recipe(tmp_path, ["empty.jsonl", "b.jsonl"], STEPS))
    assert report["records_in"] == 30 and report["records_kept"] == 30
    assert "empty.jsonl: empty file, no records" in report["warnings"]


def test_only_empty_inputs_give_an_empty_run_even_with_global_steps(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    steps = [{"step": "noop"}, {"step": "dedup_exact", "sentences": True}, {"step": "dedup_fuzzy"}]
    report = run(write_recipe(tmp_path, ["empty.jsonl"], steps))
    assert (report["records_in"], report["records_kept"], report["shards"]) == (0, 0, 0)
    assert report["warnings"] == ["empty.jsonl: empty file, no records"]


def test_fifty_megabyte_single_document_goes_through(tmp_path):
    big = "가나다라마바사 " * (50 * 1024 * 1024 // 22)  # ~50 MB of UTF-8
    payload = jsonl([*GOOD[:2], {"id": "big", "text": big}, *GOOD[2:]])
    report, kept, quarantined = _run(tmp_path, "a.jsonl", payload)
    assert report["records_kept"] == 31 and not quarantined
    assert kept.filter(kept["id"] == "big")["text"].str.len_bytes().item() == len(big.encode())


def test_record_over_the_size_limit_is_quarantined(tmp_path):
    payload = jsonl([*GOOD[:2], {"id": "big", "text": "가" * 5000}, *GOOD[2:]])
    _report, _kept, quarantined = _run(tmp_path, "a.jsonl", payload, input={"paths": ["a.jsonl"],
                                                                             "max_record_bytes": 10_000})
    [entry] = quarantined
    assert entry["line"] == 3 and "exceeds max_record_bytes" in entry["error"]


def test_plain_text_and_parquet_inputs(tmp_path):
    import polars as pl

    (tmp_path / "a.txt").write_text("첫 줄입니다\n\n둘째 줄\n", encoding="utf-8")
    pl.DataFrame({"doc": ["파케이 하나", None, "파케이 셋"], "key": [1, 2, 3]}).write_parquet(tmp_path / "b.parquet")
    recipe = write_recipe(tmp_path, [], STEPS, input={"paths": ["a.txt"]})
    report = run(recipe)
    kept, _, _ = read_outputs(tmp_path / "out")
    assert kept["id"].to_list() == ["a.txt:1", "a.txt:3"] and report["records_in"] == 2
    recipe = write_recipe(tmp_path, [], STEPS, input={"paths": ["b.parquet"], "text_field": "doc", "id_field": "key"})
    report = run(recipe, output=str(tmp_path / "out2"))
    kept, _, quarantined = read_outputs(tmp_path / "out2")
    # the id and text columns keep the input's names (the id spelled as text)
    assert kept.columns == ["key", "doc"] and kept["key"].to_list() == ["1", "3"] and quarantined[0]["line"] == 2


def test_cli_reports_a_missing_input_clearly(tmp_path):
    recipe = write_recipe(tmp_path, ["nothing-here/*.jsonl"], STEPS)
    proc = subprocess.run([sys.executable, "-m", "curate.cli", "run", str(recipe), "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "matches no file" in proc.stderr and "nothing-here/*.jsonl" in proc.stderr


def test_a_run_that_keeps_nothing_says_so(tmp_path):
    """Issue 21: `min_hangul_ratio: 30`-like bounds that keep nothing exited quietly; the summary
    now warns and names the step that dropped the most."""
    (tmp_path / "in.jsonl").write_bytes(jsonl([{"id": str(i), "text": f"English only text {i}"} for i in range(5)]))
    recipe = write_recipe(tmp_path, [str(tmp_path / "in.jsonl")], [{"step": "language_filter", "min_hangul_ratio": 1}])
    proc = subprocess.run([sys.executable, "-m", "curate.cli", "run", str(recipe), "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "no record was kept" in proc.stderr and "language_filter (not_korean): 5" in proc.stderr
