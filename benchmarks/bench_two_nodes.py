"""Two Ray nodes, no shared disk, object storage in and out: MB/s and what each node did.

Starts an S3-compatible server (moto, on 127.0.0.1), uploads the first N MB of a corpus there,
starts a Ray cluster of a head and a worker node on this machine (``ray.cluster_utils.Cluster``,
one CPU each, each with its own temp dir), runs the pretrain recipe without the tokenizer from
``s3://`` to ``s3://`` with 2 workers, then the same recipe with the local executor and 2 workers
on local files, in the same run. Prints MB/s, the per-node table of the report (shard stages,
MB parsed, shuffle tasks, largest worker peak RSS), and whether the outputs are byte-identical
(the dropped tables compared without their ``source`` column: an s3:// URL there, a path here).

    python benchmarks/bench_two_nodes.py --input benchmarks/data/corpus_256m.jsonl --limit-mb 100
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_executor import _pretrain_steps

REPO = Path(__file__).resolve().parents[1]
KEY = "bench-two-nodes-key-0001"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _head(path: Path, limit_mb: float) -> bytes:
    """The first ``limit_mb`` MB of a JSONL file, cut at a line end."""
    with path.open("rb") as fh:
        data = fh.read(int(limit_mb * 1e6)) if limit_mb else fh.read()
    return data[: data.rfind(b"\n") + 1]


def _run(recipe: dict, folder: Path, executor: str, address: str | None = None) -> tuple[dict, float]:
    from curate.config import load_recipe
    from curate.executors import get_executor

    path = folder / f"{executor}.yaml"
    path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
    loaded = load_recipe(path, {"executor": executor, "workers": 2})
    start = time.perf_counter()
    report = get_executor(executor, 2, address).run(loaded, log=lambda _: None)
    return report, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=Path("benchmarks/data/corpus_256m.jsonl"))
    parser.add_argument("--limit-mb", type=float, default=100, help="use the first N MB of the input (0: all)")
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # The Ray nodes inherit this environment: it is how their workers find the store.
    os.environ.update({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "bench",
                       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_EC2_METADATA_DISABLED": "true", "CURATE_PII_KEY": KEY})
    import boto3

    data = _head(args.input, args.limit_mb)
    client = boto3.client("s3")
    client.create_bucket(Bucket="corpus")
    client.put_object(Bucket="corpus", Key="in/part-0.jsonl", Body=data)
    folder = Path(tempfile.mkdtemp(prefix="curate-2n-"))
    (folder / "in.jsonl").write_bytes(data)
    recipe = yaml.safe_load((REPO / "pipelines" / "pretrain.yaml").read_text())
    recipe["steps"] = _pretrain_steps()
    rows = []

    import ray._private.ray_constants as ray_constants
    from ray.cluster_utils import Cluster

    ray_constants.ENABLE_RAY_CLUSTER = False  # keep 127.0.0.1 (see tests/test_object_store_output.py)
    node = {"num_cpus": 1, "node_ip_address": "127.0.0.1", "object_store_memory": 200 * 2**20}
    temp = Path(tempfile.mkdtemp(prefix="cr-"))
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False,
                                                             "temp_dir": str(temp / "head")})
    try:
        cluster.add_node(**node, temp_dir=str(temp / "w1"))
        cluster.wait_for_nodes()
        ray_recipe = {**recipe, "input": "s3://corpus/in/part-0.jsonl", "output": "s3://corpus/out/ray"}
        report, seconds = _run(ray_recipe, folder, "ray", cluster.address)
        rows.append(("ray, 2 nodes x 1 CPU, s3 -> s3", report, seconds))
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)
    local_recipe = {**recipe, "input": str(folder / "in.jsonl"), "output": str(folder / "out-local")}
    report, seconds = _run(local_recipe, folder, "local")
    rows.append(("local, 2 workers, local disk", report, seconds))

    import s3fs

    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": os.environ["AWS_ENDPOINT_URL"]})
    remote = {p.split("/out/ray/", 1)[1]: fs.cat_file(p) for p in fs.find("corpus/out/ray")
              if p.split("/out/ray/", 1)[1].split("/")[0] in ("data", "dropped", "quarantine")}
    local_out = folder / "out-local"
    local = {str(p.relative_to(local_out)): p.read_bytes() for sub in ("data", "dropped", "quarantine")
             for p in sorted((local_out / sub).glob("*"))}
    server.stop()

    mb = len(data) / 1e6
    print(f"input: {args.input} first {mb:.1f} MB; load average {os.getloadavg()[0]:.2f}")
    print("\nrun                               wall s    MB/s   records kept")
    for name, report, seconds in rows:
        print(f"{name:32} {seconds:7.1f} {mb / seconds:7.2f}   {report['records_kept']:,}")
    print(f"ratio ray(2 nodes, s3) / local(2 workers): {rows[1][2] / rows[0][2]:.2f}x")
    def same(name: str) -> bool:
        if remote.get(name) == local.get(name):
            return True
        if not name.startswith("dropped/") or name not in remote or name not in local:
            return False
        # the dropped table names each record's input, which differs by design (an s3:// URL, a path)
        import io

        import polars as pl

        frames = [pl.read_parquet(io.BytesIO(d[name])).drop("source") for d in (remote, local)]
        return frames[0].equals(frames[1])

    differ = sorted(k for k in set(remote) | set(local) if not same(k))
    shown = f"; differ: {', '.join(differ)}" if differ else ""
    print(f"outputs byte-identical: {not differ} ({len(local)} files{shown})")
    print("\nwhat each node did (ray run):")
    print(json.dumps(rows[0][1]["nodes"], indent=1))
    print("global phases (ray run):")
    print(json.dumps({k: {p: v.get(p) for p in ("partitions", "map", "reduce", "route", "finish", "tasks_by_node")}
                      for k, v in rows[0][1]["global_phases"].items()}, indent=1))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
