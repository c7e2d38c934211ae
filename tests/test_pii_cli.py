"""`python -m curate.pii.cli` as a stdin -> stdout filter: plain text and JSONL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINES = [
    "배송 문의는 010-2345-6789 로 연락 주세요.",
    "개인정보가 없는 평범한 리뷰입니다 ㅎㅎ",
    "메일 hong.gildong@naver.com / 다시 010-2345-6789",
]


def _run(args: list[str], stdin: str, env_key: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CURATE_PII_KEY"}
    if env_key is not None:
        env["CURATE_PII_KEY"] = env_key
    return subprocess.run([sys.executable, "-m", "curate.pii.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=60, check=False)


@pytest.fixture(scope="module")
def key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "pii.key"
    path.write_text("cli-test-key-0123456789\n")
    return path


def test_plain_text_filter(key_file):
    done = _run(["--key-file", str(key_file), "--stats"], "\n".join(LINES) + "\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert len(out) == 3 and out[1] == LINES[1]
    assert "010-2345-6789" not in done.stdout and "hong.gildong@naver.com" not in done.stdout
    fakes = [line.split()[2] for line in out[:1]] + [out[2].split()[-1]]
    assert fakes[0] == fakes[1]  # same value, same fake, across lines
    assert "phone\t2" in done.stderr and "email\t1" in done.stderr
    assert "cli-test-key" not in done.stdout + done.stderr
    again = _run(["--key-file", str(key_file)], "\n".join(LINES) + "\n")
    assert again.stdout == done.stdout  # keyed: reproducible


def test_jsonl_field_and_env_key(key_file):
    records = [{"id": i, "text": line, "meta": "010-0000-0000 stays"} for i, line in enumerate(LINES)]
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    done = _run(["--field", "text", "--mode", "mask"], stdin, env_key="env-key-0123456789")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in out] == [0, 1, 2]
    assert out[0]["text"] == "배송 문의는 [전화번호] 로 연락 주세요."
    assert out[2]["meta"] == "010-0000-0000 stays"
    assert "개인정보가 없는" in done.stdout  # written as UTF-8, not \\u escapes


def test_missing_key_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nope.key"
    done = _run(["--key-file", str(missing)], "x\n")
    assert done.returncode == 2 and "nope.key" in done.stderr and done.stdout == ""


def test_types_option_limits_replacement(key_file):
    done = _run(["--key-file", str(key_file), "--types", "email", "--mode", "mask"], LINES[2] + "\n")
    assert done.stdout == "메일 [이메일] / 다시 010-2345-6789\n"


def _run_bytes(args: list[str], stdin: bytes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CURATE_PII_KEY"}
    return subprocess.run([sys.executable, "-m", "curate.pii.cli", *args], input=stdin, capture_output=True,
                          cwd=REPO, env=env, timeout=60, check=False)


def test_lone_surrogate_in_jsonl_is_repaired_and_other_fields_kept(key_file):
    stdin = (rb'{"text": "a\ud800 010-2345-6789", "meta": "x\udc00"}' + b"\n"
             + json.dumps({"text": "평범한 문장"}).encode() + b"\n")
    done = _run_bytes(["--key-file", str(key_file), "--field", "text", "--mode", "mask", "--stats"], stdin)
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode("utf-8").splitlines()  # valid UTF-8
    assert len(out) == 2 and json.loads(out[0]) == {"text": "a\ufffd [전화번호]", "meta": "x\udc00"}
    assert json.loads(out[1]) == {"text": "평범한 문장"} and b"surrogates_replaced\t1" in done.stderr


def test_invalid_utf8_on_stdin_is_repaired_line_by_line(key_file):
    stdin = b"caf\xe9 010-2345-6789\n\xff\xfe\n\xed\xa0\x80 end"
    done = _run_bytes(["--key-file", str(key_file), "--mode", "mask", "--stats"], stdin)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8") == "caf\ufffd [전화번호]\n\ufffd\ufffd\n\ufffd\ufffd\ufffd end"
    assert b"invalid_utf8_lines\t3" in done.stderr
    jsonl = b'{"text": "caf\xe9 010-2345-6789"}\n'
    done = _run_bytes(["--key-file", str(key_file), "--mode", "mask", "--field", "text"], jsonl)
    assert done.returncode == 0 and json.loads(done.stdout) == {"text": "caf\ufffd [전화번호]"}


@pytest.mark.parametrize("line", [b"[" * 100_000, b'{"text": 1' + b"0" * 5000 + b"}", b'{"text": "cut 010-2345-6789',
                                  b"not json: 010-2345-6789"])
def test_a_line_that_is_not_json_is_warned_about_and_the_stream_goes_on(key_file, line):
    """Issue 16: `--field` on a stream with a non-JSON line stopped with exit 2 and wrote nothing.
    Now: a warning naming the line (never its text), the line rewritten as plain text (its PII
    treated), and every later line written."""
    stdin = b'{"text": "ok"}\n' + line + b'\n{"text": "\xec\x97\xb0\xeb\x9d\xbd 010-9876-5432"}\n'
    done = _run_bytes(["--key-file", str(key_file), "--field", "text", "--mode", "mask", "--stats"], stdin)
    assert done.returncode == 0, done.stderr
    assert b"warning: line 2: not JSON" in done.stderr and b"Traceback" not in done.stderr
    assert b"not_json_lines\t1" in done.stderr and b"010-" not in done.stderr
    out = done.stdout.decode("utf-8").split("\n")
    assert len(out) == 4 and out[0] == '{"text": "ok"}' and json.loads(out[2]) == {"text": "연락 [전화번호]"}
    assert "010-" not in out[1] and (b"010-" not in line or "[전화번호]" in out[1])


def test_pii_inside_a_non_string_field_is_treated(key_file):
    """Issue 16: PII inside a non-string JSON field passed through unchanged."""
    record = {"text": ["연락처 010-2345-6789", {"memo": "메일 hong@naver.com", "n": 7}, 3], "id": 1}
    done = _run(["--key-file", str(key_file), "--field", "text", "--mode", "mask"], json.dumps(record) + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"text": ["연락처 [전화번호]", {"memo": "메일 [이메일]", "n": 7}, 3], "id": 1}


def test_short_key_file_or_env_key_is_a_clear_error(tmp_path):
    short = tmp_path / "short.key"
    short.write_text("tiny-key\n")
    for done in (_run(["--key-file", str(short)], "x\n"), _run([], "x\n", env_key="tiny-key")):
        assert done.returncode == 2 and "8 bytes" in done.stderr and "16" in done.stderr and done.stdout == ""
        assert "tiny" not in done.stderr and "Traceback" not in done.stderr


def test_lines_without_the_field_are_warned_about_with_a_count():
    """A mistyped --field passes every line through untreated: that must not go unnoticed."""
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in
                    [{"txt": LINES[0]}, {"text": LINES[0]}, [1, 2], {"txt": LINES[2]}])
    done = _run(["--field", "text", "--mode", "mask"], stdin)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert json.loads(out[1])["text"] == "배송 문의는 [전화번호] 로 연락 주세요."
    assert json.loads(out[0]) == {"txt": LINES[0]} and out[2] == "[1, 2]"  # through, unchanged
    assert "warning: line 1: no field 'text'" in done.stderr
    assert "warning: 3 line(s) had no field 'text' and passed through unchanged" in done.stderr
    assert "010-2345-6789" not in done.stderr  # the warning names lines, never values
