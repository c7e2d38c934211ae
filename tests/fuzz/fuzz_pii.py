"""Coverage-guided fuzzing of the PII detector and pseudonymizer: any text, no crash, spans
inside the text and non-overlapping, and no detected value is found again, as PII, in the
pseudonymized text.

    python tests/fuzz/fuzz_pii.py -max_total_time=60
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["curate"]):
    from curate.pii import Pseudonymizer

PSEUDONYMIZER = Pseudonymizer(key=b"fuzz-pii-key-0123456789")
# Seeds of structure the detector cares about, mixed into the fuzzed text.
PIECES = ["010-", "1234", "-5678", "@", "naver.com", "으로", "입니다", " ", ".", "서울특별시 ", "로 ", "12가",
          "3456", "900101-", "1234567", "http://", "::", "192.168.", "계좌", "번지", "동 ", "호"]


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    parts = []
    while fdp.remaining_bytes() > 0 and len(parts) < 60:
        if fdp.ConsumeBool():
            parts.append(PIECES[fdp.ConsumeIntInRange(0, len(PIECES) - 1)])
        else:
            parts.append(fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 12)))
    text = "".join(parts)
    spans = PSEUDONYMIZER.detect(text)
    last_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text) and span.start >= last_end
        last_end = span.end
    out = PSEUDONYMIZER.pseudonymize(text)
    before = {text[s.start:s.end] for s in spans}
    after = {out[s.start:s.end] for s in PSEUDONYMIZER.detect(out)}
    assert not before & after


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
