"""Every input line (or parquet row) becomes exactly one record or one quarantine entry, whatever the
compression, the name, the neighbours or the column types; found by an adversarial pass."""

from __future__ import annotations

import gzip
import json
import os

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.executors.shard import _bytes_to_text, _text_to_bytes
from curate.io.formats import expand
from curate.io.plan import plan_inputs
from curate.io.read import InputSpec, iter_raw_shards, parse_raw_shard

LINES = [json.dumps({"id": f"r{i}", "text": f"{i}번째 문서"}, ensure_ascii=False).encode() for i in range(50)]
PAYLOAD = b"\n".join(LINES) + b"\n"


def read(paths, batch_size=7, spec=None):
    plan = plan_inputs([str(p) for p in paths], None, batch_size)
    parsed = [parse_raw_shard(raw, spec or InputSpec()) for raw in iter_raw_shards(plan.files, plan.shards, batch_size)]
    frames = [p.frame for p in parsed]
    frame = pl.concat(frames) if frames else pl.DataFrame()
    return plan, frame, [q for p in parsed for q in p.quarantined]


# -- 1: compression by content ----------------------------------------------------------------------
@pytest.mark.parametrize("name, data", [("a.jsonl.gz", PAYLOAD), ("a.jsonl.zst", PAYLOAD),
                                        ("a.jsonl", gzip.compress(PAYLOAD)),
                                        ("a.jsonl.gz", zstandard.ZstdCompressor().compress(PAYLOAD))])
def test_compression_is_read_from_the_content_when_the_name_disagrees(tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    plan, frame, quarantined = read([tmp_path / name])
    assert frame["id"].to_list() == [f"r{i}" for i in range(50)] and not quarantined
    assert any(name in w and "content" in w for w in plan.warnings)


def test_plain_file_starting_with_gzip_magic_is_read_line_by_line(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b"\x1f\x8b not gzip at all\n" + PAYLOAD)
    _plan, frame, quarantined = read([tmp_path / "a.jsonl"])
    assert frame.height == 50 and [(q.line, q.raw) for q in quarantined] == [(1, b"\x1f\x8b not gzip at all")]


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_zero_padding_after_a_complete_stream_is_not_a_record(tmp_path, kind):
    packed = gzip.compress(PAYLOAD) if kind == "gzip" else zstandard.ZstdCompressor().compress(PAYLOAD)
    (tmp_path / "a.jsonl.gz").write_bytes(packed + b"\0" * 10_000)
    (tmp_path / "a.jsonl.gz").rename(tmp_path / ("a.jsonl.gz" if kind == "gzip" else "a.jsonl.zst"))
    plan, frame, quarantined = read(list(tmp_path.iterdir()))
    assert frame.height == 50 and not quarantined
    assert any("padding" in w for w in plan.warnings)


def test_garbage_after_padding_is_still_damage(tmp_path):
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(PAYLOAD) + b"\0" * 10 + b"junk")
    _plan, frame, quarantined = read([tmp_path / "a.jsonl.gz"])
    assert frame.height == 50 and len(quarantined) == 1 and "gzip" in quarantined[0].error


# -- 2: a record does not depend on its neighbours ---------------------------------------------------
DEEP = b'{"text": "a", "x": ' + b"[" * 990 + b"]" * 990 + b"}"  # Polars takes it; json.loads recursed out


@pytest.mark.parametrize("line, expected", [
    (b'{"id": 1.5e3, "text": "a"}', ("1.5e3", "a")),
    (b'{"id": 1.0, "text": "a"}', ("1.0", "a")),
    (b'{"id": -0, "text": "a"}', ("-0", "a")),
    (b'{"id": 12, "text": "a"}', ("12", "a")),
    (b'{"id": 123456789012345678901234567890, "text": "a"}', ("123456789012345678901234567890", "a")),
    (b'{"id": true, "text": "a"}', ("true", "a")),
    (b'{"id": null, "text": "a"}', ("in.jsonl:2", "a")),
    (b'{"i\\u0064": 2.50, "text": "a"}', ("2.50", "a")),
    (b'{"text": "a", "text": "b"}', "duplicate key 'text'"),
    (b'{"id": "x", "text": "a", "te\\u0078t": "b"}', "duplicate key 'text'"),
    (b'{"id": 1, "id": 2, "text": "a"}', "duplicate key 'id'"),
    (b'{"id": [1], "text": "a"}', "id field 'id' is array"),
    (b'{"id": "x", "text": 5}', "text field 'text' is number"),
    (b'{"id": "x", "text": "\\ud800"}', "lone surrogate"),
    (b'{"id": "\\udc00", "text": "a"}', "lone surrogate"),
    (b'{"text": "a", "x": NaN}', "broken JSON"),
    (DEEP, "nested deeper than"),
    (b'{"id": "x", "meta": {"text": 1, "text": 2}, "text": "\\ud83d\\ude00"}', ("x", "\U0001f600")),
])
def test_a_line_reads_the_same_whatever_its_neighbours(tmp_path, line, expected):
    good = b'{"id": "g", "text": "\xeb\x82\x98"}'
    outcomes = []
    for neighbours in ([good, line, good], [good, line, b'{"broken', good]):
        (tmp_path / "in.jsonl").write_bytes(b"\n".join(neighbours) + b"\n")
        _plan, frame, quarantined = read([tmp_path / "in.jsonl"], batch_size=10)
        row = frame.filter(pl.col("_line") == 2)
        bad = [q.error for q in quarantined if q.line == 2]
        outcomes.append(row.select("id", "text").row(0) if row.height else bad[0])
    assert outcomes[0] == outcomes[1]
    if isinstance(expected, tuple):
        assert outcomes[0] == expected
    else:
        assert expected in outcomes[0]


# -- 3: byte order mark ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["a.jsonl", "a.txt", "a.jsonl.gz"])
def test_a_leading_bom_is_not_part_of_the_first_record(tmp_path, name):
    data = b"\xef\xbb\xbf" + PAYLOAD
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    _plan, frame, quarantined = read([tmp_path / name])
    assert frame.height == 50 and not quarantined
    assert frame["text"][0] == (LINES[0].decode() if name == "a.txt" else "0번째 문서")


# -- 4, 5: paths -------------------------------------------------------------------------------------
def test_an_existing_path_with_glob_characters_is_taken_literally(tmp_path):
    (tmp_path / "d[1].jsonl").write_bytes(PAYLOAD)
    (tmp_path / "d1.jsonl").write_bytes(b'{"text": "wrong file"}\n')
    assert expand([str(tmp_path / "d[1].jsonl")]) == [str(tmp_path / "d[1].jsonl")]
    assert expand(["d?.jsonl"], base=tmp_path) == [str(tmp_path / "d1.jsonl")]


def test_a_symlink_to_a_file_already_read_is_read_once(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(PAYLOAD)
    os.symlink(tmp_path / "a.jsonl", tmp_path / "b.jsonl")
    plan, frame, _ = read(expand(["*.jsonl"], base=tmp_path))
    assert frame.height == 50 and [f.path for f in plan.files] == [str(tmp_path / "a.jsonl")]
    assert any("b.jsonl" in w and "a.jsonl" in w for w in plan.warnings)


# -- 6: quarantined raw bytes are exact --------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    "\U000f0000\U000f00ff \U000f0041".encode(),
    b"\xff\xfe" + "\U000f00ff".encode() + b"\xf3\xb0\x83",
    b"\xf3\xb0\x80\x80\x80" + "\U000f0080".encode(),
    b"\xed\xa0\x80 lone surrogate bytes " + bytes(range(256)),
])
def test_quarantine_text_round_trip_is_byte_exact(raw):
    text = _bytes_to_text(raw)
    pl.Series([text])  # must be representable in Polars (no lone surrogates)
    assert _text_to_bytes(text) == raw


def test_scrubbed_quarantine_keeps_every_byte_outside_the_pii(tmp_path):
    from curate.pii import Pseudonymizer

    raw = b'{"text": "\xff ' + "\U000f00ff 연락처 010-1234-5678".encode() + b' \xf3\xb0\x83"'
    [clean] = Pseudonymizer(key=b"sixteen-byte-key", mode="mask").pseudonymize_batch([_bytes_to_text(raw)])
    out = _text_to_bytes(clean)
    assert b"010-1234-5678" not in out
    assert out.startswith(raw[: raw.index(b" 010")]) and out.endswith(b' \xf3\xb0\x83"')


# -- 7: parquet column types -------------------------------------------------------------------------
def test_parquet_with_unusable_column_types_quarantines_rows_not_the_run(tmp_path):
    texts = pa.array([b"\xea\xb0\x80", b"\xff\xfe", None, b"ok"], type=pa.binary())
    pq.write_table(pa.table({"text": texts, "id": pa.array([1, 2, 3, 4])}), tmp_path / "a.parquet")
    structs = pa.array([{"s": "x"}, {"s": "y"}])
    pq.write_table(pa.table({"text": structs, "id": ["p", "q"]}), tmp_path / "b.parquet")
    lists = pa.array([[1], None], type=pa.list_(pa.int64()))
    pq.write_table(pa.table({"text": ["가", "나"], "id": lists}), tmp_path / "c.parquet")
    _plan, frame, quarantined = read(sorted(tmp_path.iterdir()), batch_size=3)
    assert frame.select("id", "text", "_src").rows() == [("1", "가", "a.parquet"), ("4", "ok", "a.parquet"),
                                                         ("c.parquet:2", "나", "c.parquet")]
    got = [(q.file, q.line, q.error, q.raw) for q in quarantined]
    assert got[:2] == [("a.parquet", 2, "invalid UTF-8 at byte 0", b"\xff\xfe"),
                       ("a.parquet", 3, "missing text field 'text'", b"")]
    assert [g[:2] for g in got[2:]] == [("b.parquet", 1), ("b.parquet", 2), ("c.parquet", 1)]
    assert got[2][2].startswith("text field 'text' is struct") and got[2][2].endswith("not a string")
    assert got[4][2].startswith("id field 'id' is list")


def test_unreadable_parquet_data_is_one_clear_error_per_row(tmp_path):
    pq.write_table(pa.table({"text": ["가"] * 5}), tmp_path / "a.parquet", compression="none")
    data = bytearray((tmp_path / "a.parquet").read_bytes())
    data[4:40] = b"\x07" * 36  # the first data page, not the footer
    (tmp_path / "a.parquet").write_bytes(bytes(data))
    _plan, frame, quarantined = read([tmp_path / "a.parquet"])
    assert frame.height + len(quarantined) == 5
    assert all(q.file == "a.parquet" and "parquet" in q.error for q in quarantined)


_VALUES = st.one_of(st.text(max_size=4), st.integers(-(10**20), 10**20), st.booleans(), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False), st.lists(st.integers(), max_size=2))
_KEYS = st.sampled_from(["text", "id", "te\\u0078t", "i\\u0064", "x", "meta"])


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(_KEYS, _VALUES), max_size=5), ascii_only=st.booleans())
def test_any_object_reads_the_same_alone_or_beside_a_broken_line(pairs, ascii_only):
    from curate.io.jsonl import parse_jsonl
    from curate.io.plan import FilePlan

    # keys are written raw (so escaped spellings stay escaped); values as JSON writes them
    line = ("{" + ", ".join(f'"{k}": {json.dumps(v, ensure_ascii=ascii_only)}' for k, v in pairs) + "}").encode()
    file = FilePlan("in.jsonl", "in.jsonl", "jsonl", "none", 3)
    outcomes = []
    for broken in (False, True):
        numbered = [(1, b'{"text": "ok"}'), (2, line)] + ([(3, b"{broken")] if broken else [])
        frame, bad = parse_jsonl(numbered, file, InputSpec())
        row = frame.filter(pl.col("_line") == 2).select("id", "text").rows()
        outcomes.append(row or [q.error for q in bad if q.line == 2])
    assert outcomes[0] == outcomes[1]
