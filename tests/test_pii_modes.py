"""A treatment per PII type (issue 16): `modes` in the library, the step and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import polars as pl
import pytest

from curate.pii.pseudonymizer import Pseudonymizer
from curate.steps.pii import Pii

KEY = "a-test-key-of-sixteen-bytes-or-more"
TEXT = "문의 010-2345-6789, 메일 hong@example.com, 주민번호 850315-1234566 입니다."


def test_each_type_gets_its_own_treatment():
    p = Pseudonymizer(key=KEY, modes={"rrn": "mask", "email": "hash"})
    out = p.pseudonymize(TEXT)
    assert "010-2345-6789" not in out and "hong@example.com" not in out and "850315-1234566" not in out
    assert p.tags["rrn"] in out  # masked: [주민등록번호]
    assert p.replacement("email", "hong@example.com").startswith(p.tags["email"][:-1] + ":")
    fake_phone = p.replacement("phone", "010-2345-6789")
    assert fake_phone in out and fake_phone.startswith("010-")  # the phone is still a realistic fake
    # the same key and modes give the same text; the batch path agrees with the single-text path
    again = Pseudonymizer(key=KEY, modes={"rrn": "mask", "email": "hash"})
    assert again.pseudonymize_batch([TEXT]) == [out]


def test_a_type_can_remove_its_sentences_while_others_are_replaced():
    p = Pseudonymizer(key=KEY, modes={"rrn": "remove_sentence"}, mode="mask")
    text = "연락처는 010-2345-6789 입니다.\n주민번호는 850315-1234566 입니다.\n감사합니다."
    out, counts = p.pseudonymize_batch([text], return_counts=True)
    assert out == [f"연락처는 {p.tags['phone']} 입니다.\n감사합니다."]
    assert counts["sentences_removed"] == 1 and counts["phone"] == 1 and counts["rrn"] == 1


def test_unknown_types_and_modes_in_modes_are_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown PII type.*'rnn'.*rrn"):
        Pseudonymizer(key=KEY, modes={"rnn": "mask"})
    with pytest.raises(ValueError, match=r"unknown PII mode 'blur'.*pseudonymize, mask, hash"):
        Pseudonymizer(key=KEY, modes={"rrn": "blur"})
    with pytest.raises(ValueError, match="unknown PII mode"):
        Pii(modes={"rrn": "blur"})


def test_the_step_reads_modes_and_asks_for_a_key_only_when_a_mode_needs_one():
    step = Pii(mode="mask", modes={"phone": "pseudonymize"})
    assert step.key_sources() is not None
    assert Pii(mode="mask", modes={"rrn": "remove_sentence"}).key_sources() is None
    out = step.process(pl.DataFrame({"text": [TEXT]})).df["text"][0]
    assert "[" in out and "010-2345-6789" not in out and "850315-1234566" not in out


def test_the_cli_takes_a_mode_per_type():
    run = subprocess.run([sys.executable, "-m", "curate.cli", "pseudonymize", "--mode", "mask",
                          "--mode-for", "phone=hash", "--field", "text"],
                         input=json.dumps({"text": TEXT}, ensure_ascii=False) + "\n", capture_output=True,
                         text=True, env={**os.environ, "CURATE_PII_KEY": KEY}, check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)["text"]
    assert "010-2345-6789" not in out and ":" in out  # the phone hashed: [tag:digest]
    bad = subprocess.run([sys.executable, "-m", "curate.cli", "pseudonymize", "--mode-for", "phone"],
                         input="x\n", capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "TYPE=MODE" in bad.stderr
