"""Coverage-guided fuzzing of `curate pseudonymize` as a stdin filter, in process: any bytes on
stdin, in plain-text and ``--field text`` JSONL mode, every PII mode, small batches.

The contract checked is ``curate.pii.cli.filter_stream``'s: nothing escapes (a JSONL line that is
not JSON is rewritten as plain text, with a warning); the output is UTF-8 with one line per input
line (as many newlines), each keeping its
"\\r\\n" or "\\n"; only remove_sentence may empty a line.

    python tests/fuzz/fuzz_pii_cli.py -max_total_time=60
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports(include=["curate"]):
    from curate.pii import Pseudonymizer
    from curate.pii.cli import filter_stream

KEY = b"fuzz-pii-cli-key-0123456789"
PSEUDONYMIZERS = [Pseudonymizer(key=KEY, mode=mode) for mode in ("pseudonymize", "mask", "hash", "remove_sentence")]
# Seeds of structure the filter cares about: JSON around the field, escapes (lone and paired
# surrogates), line endings, invalid UTF-8, and PII with its context words.
PIECES = [b'{"text": "', b'"}', b'", "id": 1}', b"\n", b"\r\n", b"\r", b"\\u", b"\\ud800", b"\\ud83d\\ude00",
          b"\\uacc4\\uc88c ", b"\\n", b'\\"', b"\xff", b"\xed\xa0\x80", b"\xe2\x80\xa8", "계좌 ".encode(),
          b"110-482-937561", b"010-2345-6789", b"hong@naver.com", b". ", b"[", b"null", b"1e999", b" "]


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    pseudonymizer = PSEUDONYMIZERS[fdp.ConsumeIntInRange(0, len(PSEUDONYMIZERS) - 1)]
    field = "text" if fdp.ConsumeBool() else None
    batch_size = fdp.ConsumeIntInRange(1, 4)
    parts = []
    while fdp.remaining_bytes() > 0 and len(parts) < 40:
        if fdp.ConsumeBool():
            parts.append(PIECES[fdp.ConsumeIntInRange(0, len(PIECES) - 1)])
        else:
            parts.append(fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 12)))
    stdin = b"".join(parts)
    out = io.BytesIO()
    filter_stream(io.BytesIO(stdin), out, pseudonymizer, field, batch_size, warn=lambda _: None)
    written = out.getvalue()
    written.decode("utf-8")  # raises if the output is not UTF-8
    lines_in, lines_out = stdin.split(b"\n"), written.split(b"\n")
    assert len(lines_out) == len(lines_in)
    for before, after in zip(lines_in[:-1], lines_out, strict=False):
        assert after.endswith(b"\r") == before.endswith(b"\r")
    # an unterminated last line stays one, unless remove_sentence emptied it (lines may become empty)
    assert (lines_out[-1] != b"") <= (lines_in[-1] != b"")
    assert lines_out[-1] or not lines_in[-1] or pseudonymizer.mode == "remove_sentence"


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
