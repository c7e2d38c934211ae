"""Inputs named by URL: an S3 bucket (moto's server on localhost) and fsspec's memory:// give the
same output bytes as the same files on disk, and a store's problems are InputErrors naming the URL."""

from __future__ import annotations

import gzip
import io
import json
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from s3_util import fresh_bucket, without_credentials
from spine_util import output_bytes, read_outputs, run, write_recipe

from curate.config import RecipeError
from curate.io import InputError, expand, load_texts
from curate.io.remote import redact, url_sources

boto3 = pytest.importorskip("boto3")
s3fs = pytest.importorskip("s3fs")

STEPS = [{"step": "normalize"}, {"step": "length_filter", "min_chars": 12}]
RECORDS = [{"id": f"a{i}", "text": f"{i}번째 문서입니다 " + "가나다" * (i % 4)} for i in range(9)]


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _parquet(records: list[dict]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records), sink, row_group_size=2)  # shards cut across row groups
    return sink.getvalue()


# ids absent in b (generated from the source), a broken line and a truncated gzip to quarantine
FILES = {
    "a.jsonl": _jsonl(RECORDS) + b'{"text": broken\n',
    "b.jsonl.gz": gzip.compress(_jsonl([{"text": r["text"] + " 둘"} for r in RECORDS])),
    "c.jsonl.gz": gzip.compress(_jsonl(RECORDS[:5]))[:-12],
    "d.parquet": _parquet([{"id": i, "text": r["text"] + " 셋"} for i, r in enumerate(RECORDS)]),
}


@pytest.fixture
def bucket(s3_endpoint, monkeypatch):
    """A fresh bucket holding FILES (and sub/e.jsonl); the AWS settings point at moto."""
    yield from fresh_bucket(s3_endpoint, monkeypatch, {**FILES, "sub/e.jsonl": _jsonl(RECORDS[:2])}, stem="corpus")


def _local_run(tmp_path, names) -> dict[str, bytes]:
    folder = tmp_path / "local"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(FILES[name])
    run(write_recipe(folder, ["*.jsonl*", "*.parquet"], STEPS, batch_size=3))
    return output_bytes(folder / "out")


def test_s3_input_gives_the_bytes_of_the_same_files_on_disk(tmp_path, bucket):
    remote = tmp_path / "remote"
    remote.mkdir()
    report = run(write_recipe(remote, [f"s3://{bucket}/*.jsonl*", f"s3://{bucket}/*.parquet"], STEPS,
                              batch_size=3))
    # sources are relative to the common prefix, as local ones are to the common directory: ids match too
    assert output_bytes(remote / "out") == _local_run(tmp_path, FILES)
    _kept, dropped, quarantined = read_outputs(remote / "out")
    assert set(dropped["source"]) <= set(FILES) and dropped.height
    assert {q["file"] for q in quarantined} == {"a.jsonl", "c.jsonl.gz"}
    assert report["records_in"] == (report["records_kept"] + report["records_dropped"]
                                    + report["records_quarantined"])


def test_s3_run_resumes_and_refuses_a_changed_object(tmp_path, bucket):
    recipe = write_recipe(tmp_path, [f"s3://{bucket}/a.jsonl"], STEPS, batch_size=3)
    run(recipe)
    first = output_bytes(tmp_path / "out")
    run(recipe)  # same etag and size: the same fingerprint, so a resume
    assert output_bytes(tmp_path / "out") == first
    boto3.client("s3").put_object(Bucket=bucket, Key="a.jsonl", Body=_jsonl(RECORDS[:3]))
    with pytest.raises(RecipeError, match="different recipe or input"):
        run(recipe)


def test_load_texts_reads_a_url(bucket):
    texts = load_texts(f"s3://{bucket}/d.parquet", batch_size=4)
    assert texts.to_list() == [r["text"] + " 셋" for r in RECORDS]


def test_memory_urls_need_no_server(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    root = f"/curate-{uuid.uuid4().hex[:12]}"
    try:
        for name, data in FILES.items():
            memory.pipe(f"{root}/{name}", data)
        remote = tmp_path / "remote"
        remote.mkdir()
        # workers=1: memory:// lives in this process only
        run(write_recipe(remote, [f"memory://{root}/*.jsonl*", f"memory://{root}/*.parquet"], STEPS,
                         batch_size=3))
        assert output_bytes(remote / "out") == _local_run(tmp_path, FILES)
    finally:
        memory.rm(root, recursive=True)


@pytest.mark.parametrize("pattern, message", [
    ("s3://no-such-bucket-x1/a.jsonl", "not found"),
    ("s3://no-such-bucket-x1/*.jsonl", "s3://no-such-bucket-x1 does not exist"),
    ("s3://{bucket}/sub", "is a directory"),
    ("s3://{bucket}/*.txt", "matches no file"),
    ("s3://{bucket}/nothing.jsonl", "not found"),
])
def test_store_problems_name_the_url(bucket, pattern, message):
    url = pattern.format(bucket=bucket)
    with pytest.raises(InputError, match=message) as caught:
        expand([url])
    assert url.split("*")[0].rstrip("/") in str(caught.value)


def test_missing_credentials_are_an_input_error(bucket, monkeypatch, tmp_path):
    without_credentials(monkeypatch, tmp_path)
    for url in (f"s3://{bucket}/a.jsonl", f"s3://{bucket}/*.jsonl"):
        with pytest.raises(InputError, match="no usable credentials") as caught:
            expand([url])
        assert url in str(caught.value)


def test_a_run_reports_an_unreachable_input(tmp_path, bucket):
    with pytest.raises(InputError, match=f"s3://{bucket}/sub is a directory"):
        run(write_recipe(tmp_path, [f"s3://{bucket}/sub"], STEPS))


def test_unknown_or_uninstalled_protocols_say_what_to_do(monkeypatch):
    with pytest.raises(InputError, match="no fsspec driver knows") as caught:
        expand(["nosuchproto://user:secret@host/a.jsonl"])
    assert "secret" not in str(caught.value)
    monkeypatch.setitem(__import__("sys").modules, "gcsfs", None)  # as if gcsfs were not installed
    with pytest.raises(InputError, match="gcsfs"):
        expand(["gs://bucket/a.jsonl"])


def test_sources_and_redaction():
    urls = ["s3://b/x/a.jsonl", "s3://b/x/y/c.jsonl", "s3://b/z.jsonl"]
    assert url_sources(urls, whole=False) == {"s3://b/x/a.jsonl": "x/a.jsonl", "s3://b/x/y/c.jsonl": "x/y/c.jsonl",
                                              "s3://b/z.jsonl": "z.jsonl"}
    assert url_sources(["s3://b/a.jsonl", "gs://b/a.jsonl"], whole=False)["gs://b/a.jsonl"] == "gs://b/a.jsonl"
    assert url_sources(["s3://b/a.jsonl"], whole=True) == {"s3://b/a.jsonl": "s3://b/a.jsonl"}
    assert redact("ftp://me:pw@host/a.jsonl") == "ftp://host/a.jsonl"


def test_local_and_remote_inputs_together_keep_remote_urls_whole(tmp_path, bucket):
    (tmp_path / "a.jsonl").write_bytes(FILES["a.jsonl"])
    run(write_recipe(tmp_path, ["a.jsonl", f"s3://{bucket}/a.jsonl"], STEPS, batch_size=50))
    _kept, _dropped, quarantined = read_outputs(tmp_path / "out")
    assert sorted(q["file"] for q in quarantined) == ["a.jsonl", f"s3://{bucket}/a.jsonl"]
