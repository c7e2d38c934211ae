"""Property: every non-blank input line ends kept, dropped (step, reason) or quarantined, exactly once."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spine_util import read_outputs, run, write_recipe

texts = st.text(alphabet=st.sampled_from(list("가나다 라<b>x\t\u200b한국어 ")), max_size=12)
good = texts.map(lambda t: json.dumps({"text": t}, ensure_ascii=False).encode("utf-8"))
broken = st.sampled_from([b'{"text": "unterminated', b"[1, 2]", b'{"text": 3}', b'{"other": "x"}',
                          b'{"text": "bad \xff utf8"}', b"\xf0\x9f", b"null"])
blank = st.sampled_from([b"", b"   ", b"\t"])
lines = st.lists(st.one_of(good, good, good, broken, blank), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines, batch_size=st.integers(1, 9), final_newline=st.booleans())
def test_every_record_is_accounted_for(lines, batch_size, final_newline):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        payload = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
        (folder / "in.jsonl").write_bytes(payload)
        # The regex empties texts made only of the characters it removes, so "read" and
        # "regex_replace" both drop records, for different reasons.
        steps = [{"step": "regex_replace", "pattern": "[<>b가]"}, {"step": "noop"}]
        report = run(write_recipe(folder, ["in.jsonl"], steps, batch_size=batch_size))
        kept, dropped, quarantined = read_outputs(folder / "out")

        records = [n for n, line in enumerate(lines, 1) if line.strip()]
        assert report["records_in"] == len(records)
        assert report["records_in"] == (report["records_kept"] + report["records_dropped"]
                                        + report["records_quarantined"])
        seen = ([int(i.split(":")[1]) for i in kept["id"].to_list()] if kept.height else []) + \
            dropped["line"].to_list() + [q["line"] for q in quarantined]
        assert sorted(seen) == records
        assert set(dropped["reason"].to_list()) <= {"empty_text"}
        assert set(dropped["step"].to_list()) <= {"read", "regex_replace"}
        step_drops = sum(sum(s["drops"].values()) for s in report["steps"])
        assert step_drops == report["records_dropped"]
