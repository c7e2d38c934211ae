"""Outputs in object stores: a run whose --output is an fsspec URL keeps all of its state there
(stage rows, shuffle files, markers, reports), writes the bytes a local run writes, resumes from
the markers it lists there, and on a Ray cluster of two nodes without a shared disk survives
losing one of them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import polars as pl
import pytest
from s3_util import fresh_bucket, without_credentials
from spine_util import jsonl, output_bytes, run, write_recipe

from curate.config import RecipeError
from curate.executors import get_executor
from curate.executors.store import ObjectStore, Store

boto3 = pytest.importorskip("boto3")
s3fs = pytest.importorskip("s3fs")
fsspec = pytest.importorskip("fsspec")

# Exact and near copies for the global steps, broken lines for quarantine, short texts for a drop.
STEPS = [{"step": "normalize"}, {"step": "length_filter", "min_chars": 8},
         {"step": "dedup_exact"}, {"step": "dedup_fuzzy", "threshold": 0.6}]
STORY = "오래된 골목의 작은 서점은 주말마다 동네 아이들에게 그림책을 읽어 주는 모임을 열었다 "


def _records(offset: int, n: int) -> list[dict]:
    records = []
    for i in range(offset, offset + n):
        text = f"{i % 13}번 문서입니다. 같은 문장이 반복됩니다.\n고유한 문장 {i}번."
        if i % 10 == 3:
            text = f"{STORY * 2}{i // 10}번째"
        elif i % 10 == 4:
            text = f"{STORY * 2}{i // 10}번째".replace("작은", "조그만", 1)  # a near copy of the one before
        elif i % 17 == 0:
            text = "짧다"
        records.append({"id": f"d{i}", "text": text})
    return records


FILES = {"a.jsonl": jsonl(_records(0, 70)) + b"{broken\n", "b.jsonl": jsonl(_records(70, 50) + _records(0, 10))}


def store_bytes(url: str) -> dict[str, bytes]:
    """``output_bytes`` of an output in a store, read back with the store's own fsspec driver."""
    fs, root = fsspec.core.url_to_fs(url)
    fs.invalidate_cache()
    found = {}
    for sub in ("data", "dropped", "quarantine"):
        for path in sorted(fs.find(f"{root}/{sub}")):
            found[path[len(root) + 1:]] = fs.cat_file(path)
    return found


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory) -> dict[str, bytes]:
    """A clean local run of STEPS over FILES (the bytes every store run must give)."""
    folder = tmp_path_factory.mktemp("local")
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    run(write_recipe(folder, ["*.jsonl"], STEPS, batch_size=10), "local", 2)
    found = output_bytes(folder / "out")
    assert any(k.startswith("dropped/") for k in found) and any(k.startswith("quarantine/") for k in found)
    return found


@pytest.fixture
def bucket(s3_endpoint, monkeypatch):
    """A fresh bucket holding FILES under in/; spawned workers inherit the settings pointing at moto."""
    yield from fresh_bucket(s3_endpoint, monkeypatch, FILES, prefix="in/")


def _s3_recipe(tmp_path, bucket: str):
    return write_recipe(tmp_path, [f"s3://{bucket}/in/*.jsonl"], STEPS, batch_size=10)


def test_memory_output_gives_the_bytes_of_a_local_run(tmp_path, local_reference):
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    url = f"memory://curate-{uuid.uuid4().hex[:12]}/out"
    try:
        report = run(write_recipe(tmp_path, ["*.jsonl"], STEPS, batch_size=10), "local", 1, output=url)
        assert store_bytes(url) == local_reference
        assert report["records_in"] == report["records_kept"] + report["records_dropped"] + \
            report["records_quarantined"]
        fs, root = fsspec.core.url_to_fs(url)
        assert json.loads(fs.cat_file(f"{root}/report.json"))["records_in"] == report["records_in"]
        assert fs.exists(f"{root}/report.html") and fs.exists(f"{root}/_state/run.json")
        assert not fs.exists(f"{root}/.curate.lock")  # released
        assert not list(tmp_path.glob("memory*")) and not (tmp_path / "out").exists()  # nothing on disk
        with pytest.raises(RecipeError, match="memory:// lives in one process"):
            run(write_recipe(tmp_path, ["*.jsonl"], STEPS, batch_size=10), "local", 2, output=url)
    finally:
        fsspec.filesystem("memory").rm(url.split("://")[1].split("/")[0], recursive=True)


def test_s3_to_s3_with_two_workers_resumes_to_the_same_bytes(tmp_path, bucket, local_reference):
    recipe = _s3_recipe(tmp_path, bucket)
    url = f"s3://{bucket}/runs/one"
    run(recipe, "local", 2, output=url)
    assert store_bytes(url) == local_reference
    fs = s3fs.S3FileSystem()
    keys = {k.split("/runs/one/", 1)[1] for k in fs.find(f"{bucket}/runs/one")}
    assert "_state/run.json" in keys and "report.json" in keys
    assert not any("/shuffle/" in k for k in keys)  # intermediate shuffle files removed from the store
    assert not (tmp_path / "out").exists() and not (tmp_path / "s3:").exists() and not Path("s3:").exists()
    # Resume: lose some markers of the first and the last stage (and a part), rerun the same command.
    for key in ("_state/done/stage-0/part-00001.json", "_state/done/stage-2/part-00003.json",
                "_state/done/stage-2/part-00010.json", "data/part-00010.parquet"):
        fs.rm(f"{bucket}/runs/one/{key}")
    run(recipe, "local", 2, output=url)
    assert store_bytes(url) == local_reference


def test_a_failed_put_leaves_no_marker_without_its_parts(tmp_path, bucket, local_reference, monkeypatch):
    recipe = _s3_recipe(tmp_path, bucket)
    url = f"s3://{bucket}/runs/broken"
    original = ObjectStore.write_bytes
    puts = {"data": 0}

    def failing(self, rel, data):
        if rel.startswith("data/"):
            puts["data"] += 1
            if puts["data"] == 5:
                raise RecipeError(f"cannot write {self.shown(rel)} (ConnectionError: simulated)")
        original(self, rel, data)

    monkeypatch.setattr(ObjectStore, "write_bytes", failing)
    with pytest.raises(RecipeError, match="simulated"):
        run(recipe, "local", 1, output=url)
    store = Store.for_url(url)
    last = "_state/done/stage-2"
    for name in store.list(last, "part-*.json"):
        assert store.exists(f"data/{name[:-len('.json')]}.parquet"), name
    assert len(store.list(last)) == 4  # the fifth shard's part failed, so no marker
    monkeypatch.setattr(ObjectStore, "write_bytes", original)
    run(recipe, "local", 1, output=url)
    assert store_bytes(url) == local_reference


def test_overwrite_on_a_prefix_removes_only_curates_own(tmp_path, bucket):
    recipe = _s3_recipe(tmp_path, bucket)
    url = f"s3://{bucket}/runs/ow"
    run(recipe, "local", 1, output=url)
    client = boto3.client("s3")
    client.put_object(Bucket=bucket, Key="runs/ow/notes.txt", Body=b"mine")
    client.put_object(Bucket=bucket, Key="runs/ow/data-old/x", Body=b"mine too")  # not data/
    client.put_object(Bucket=bucket, Key="runs/ow/data/part-99999.parquet", Body=b"stale")
    other = write_recipe(tmp_path, [f"s3://{bucket}/in/a.jsonl"], [{"step": "noop"}], batch_size=100)
    with pytest.raises(RecipeError, match="different recipe or input"):
        run(other, "local", 1, output=url)
    report = get_executor("local", 1).run(_load(other, url), overwrite=True, log=lambda _: None)
    assert report["records_in"] == 71
    keys = {k.split("/runs/ow/", 1)[1] for k in s3fs.S3FileSystem().find(f"{bucket}/runs/ow")}
    assert {"notes.txt", "data-old/x", "data/part-00000.parquet"} <= keys
    assert "data/part-99999.parquet" not in keys and "_state/done/stage-2/part-00000.json" not in keys
    # A prefix that holds no curate run is never cleared.
    client.put_object(Bucket=bucket, Key="theirs/thesis.tex", Body=b"years of work")
    with pytest.raises(RecipeError, match="holds no curate run"):
        get_executor("local", 1).run(_load(other, f"s3://{bucket}/theirs"), overwrite=True, log=lambda _: None)
    assert client.get_object(Bucket=bucket, Key="theirs/thesis.tex")["Body"].read() == b"years of work"
    with pytest.raises(RecipeError, match="lies inside the output"):
        run(other, "local", 1, output=f"s3://{bucket}/in")


def _load(recipe, output: str):
    from curate.config import load_recipe

    return load_recipe(recipe, {"workers": 1, "output": output})


def test_the_lock_object_keeps_a_second_run_out(tmp_path, bucket):
    recipe = write_recipe(tmp_path, [f"s3://{bucket}/in/a.jsonl"], [{"step": "noop"}], batch_size=100)
    client = boto3.client("s3")
    holder = {"pid": 4242, "host": "another-host", "since": "2026-01-01 00:00:00", "token": "x"}
    client.put_object(Bucket=bucket, Key="runs/locked/.curate.lock", Body=json.dumps(holder).encode())
    with pytest.raises(RecipeError, match="in use by another curate run \\(pid 4242 on another-host") as caught:
        run(recipe, "local", 1, output=f"s3://{bucket}/runs/locked")
    assert f"delete s3://{bucket}/runs/locked/.curate.lock" in str(caught.value)
    # The lock of a run killed on this host (its pid is gone) is taken over.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    holder.update(pid=int(dead.stdout), host=socket.gethostname())
    client.put_object(Bucket=bucket, Key="runs/locked/.curate.lock", Body=json.dumps(holder).encode())
    assert run(recipe, "local", 1, output=f"s3://{bucket}/runs/locked")["records_in"] == 71
    assert "Contents" not in client.list_objects_v2(Bucket=bucket, Prefix="runs/locked/.curate.lock")


def test_a_missing_bucket_is_a_clear_error_naming_the_url(tmp_path, bucket):
    recipe = _s3_recipe(tmp_path, bucket)
    with pytest.raises(RecipeError, match=r"s3://no-such-bucket-x1/out.*bucket .*does not exist"):
        run(recipe, "local", 1, output="s3://no-such-bucket-x1/out")
    done = subprocess.run([sys.executable, "-m", "curate.cli", "run", str(recipe), "--quiet", "--output",
                           "s3://no-such-bucket-x1/out"], capture_output=True, text=True, timeout=120,
                          env=os.environ.copy())
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "s3://no-such-bucket-x1/out" in message and "does not exist" in message and "Traceback" not in message


def test_missing_credentials_for_the_output_name_the_url(tmp_path, bucket, monkeypatch):
    (tmp_path / "a.jsonl").write_bytes(FILES["a.jsonl"])
    recipe = write_recipe(tmp_path, ["a.jsonl"], [{"step": "noop"}])
    without_credentials(monkeypatch, tmp_path)
    with pytest.raises(RecipeError, match="no usable credentials") as caught:
        run(recipe, "local", 1, output=f"s3://{bucket}/runs/x")
    assert f"s3://{bucket}/runs/x" in str(caught.value)


def test_a_pickled_store_carries_its_url_only():
    import pickle

    store = Store.for_url("s3://user:secret@bucket/prefix")
    assert store.shown("data/x") == "s3://bucket/prefix/data/x"
    copy = pickle.loads(pickle.dumps(store))
    assert copy.locate() == "s3://user:secret@bucket/prefix" and copy._fs is None


@pytest.mark.ray
@pytest.mark.slow
def test_two_ray_nodes_without_a_shared_disk_survive_losing_one(tmp_path, bucket, local_reference, monkeypatch):
    """Two Ray nodes on this machine, each with its own temp dir, and the run's input, output and
    state only in S3 (moto): map tasks on one node write shuffle files that reduce tasks on the
    other read. The worker node is killed mid-run, with no CPU left to restart its actor on: the run
    goes on with the head node's actor alone and gives a local run's bytes."""
    pytest.importorskip("ray")
    import ray._private.ray_constants as ray_constants
    from ray.cluster_utils import Cluster

    # The nodes listen on loopback only (all this sandbox can reach); without this Ray swaps the
    # address 127.0.0.1 for the machine's own when the driver connects.
    monkeypatch.setattr(ray_constants, "ENABLE_RAY_CLUSTER", False)
    node = {"num_cpus": 1, "node_ip_address": "127.0.0.1", "object_store_memory": 100 * 2**20}
    # Each node its own temp dir (short: Ray's socket paths must fit in 107 bytes). The nodes
    # inherit this process's environment, AWS_* (pointing at moto) included: nothing else tells a
    # worker where the store is.
    temp = Path(tempfile.mkdtemp(prefix="cr-"))
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False,
                                                             "temp_dir": str(temp / "head")})
    try:
        worker = cluster.add_node(**node, temp_dir=str(temp / "w1"))
        cluster.wait_for_nodes()
        recipe = _s3_recipe(tmp_path, bucket)
        url = f"s3://{bucket}/runs/ray"
        lost: list[tuple[int, int]] = []

        def progress(name: str, done: int, total: int) -> None:
            if not lost and name.startswith("stage 1") and done >= 4:
                cluster.remove_node(worker)  # its raylet and workers killed, as when a machine is lost
                lost.append((done, total))

        loaded = _load(recipe, url)
        report = get_executor("ray", 2, cluster.address).run(loaded, progress=progress, log=lambda _: None)
        assert lost and lost[0][0] < lost[0][1], "the worker node was not killed mid-run"
        assert store_bytes(url) == local_reference
        assert report["executor"] == "ray" and report["records_in"] == 131
        # Both nodes did work, and the report says how much: every marker belongs to one of them.
        nodes = report["nodes"]
        assert len(nodes) == 2 and all(n["shard_stages"] > 0 for n in nodes.values()), nodes
        assert sum(n["bytes_in"] for n in nodes.values()) == report["bytes_in"]
        assert not (tmp_path / "out").exists() and not Path("s3:").exists()  # nothing on a local disk
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def test_tokenizer_files_are_written_to_the_store():
    from curate.steps.base import RunContext
    from curate.steps.train_tokenizer import TrainTokenizer

    url = f"memory://curate-{uuid.uuid4().hex[:12]}/out"
    files = {"tokenizer.json": '{"model": "바이트"}\n', "special_tokens.yaml": "pad: <pad>\n"}
    step = TrainTokenizer(vocab_size=300)
    step.setup(RunContext(output_dir=url))
    try:
        step.apply(pl.DataFrame({"text": ["가"]}), {"files": files})
        fs, root = fsspec.core.url_to_fs(url)
        assert {name: fs.cat_file(f"{root}/tokenizer/{name}") for name in files} == \
            {name: text.encode("utf-8") for name, text in files.items()}
    finally:
        fsspec.filesystem("memory").rm(url.split("://")[1].split("/")[0], recursive=True)


def test_decontaminate_shares_its_index_through_the_store(tmp_path, bucket):
    """The driver writes the benchmark index into the output store once; workers on S3 output
    download it (once per node) instead of reading the driver's disk: the same bytes and the same
    contamination report as a local run."""
    bench = tmp_path / "bench" / "test.jsonl"
    bench.parent.mkdir()
    bench.write_text(json.dumps({"id": "b1", "question": STORY.strip()}, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    steps = [{"step": "normalize"}, {"step": "decontaminate", "unit": "document", "benchmarks": [
        {"name": "story", "path": str(bench), "split": "test", "texts": ["question"], "id": "id"}]}]
    local = tmp_path / "local"
    local.mkdir()
    for name, data in FILES.items():
        (local / name).write_bytes(data)
    run(write_recipe(local, ["*.jsonl"], steps, batch_size=10), "local", 2)
    url = f"s3://{bucket}/runs/decontaminated"
    copies = Path(tempfile.gettempdir()) / "curate-shared"
    before = set(copies.iterdir()) if copies.exists() else set()
    run(write_recipe(tmp_path, [f"s3://{bucket}/in/*.jsonl"], steps, batch_size=10), "local", 2, output=url)
    assert set(copies.iterdir()) - before  # the workers' copy of the index, downloaded from the store
    assert store_bytes(url) == output_bytes(local / "out")
    fs, root = fsspec.core.url_to_fs(url)
    found = pl.read_parquet(fs.cat_file(f"{root}/reports/decontamination.parquet"))
    assert found.equals(pl.read_parquet(local / "out" / "reports" / "decontamination.parquet"))
    assert found.height > 0 and set(found["benchmark"]) == {"story"}
