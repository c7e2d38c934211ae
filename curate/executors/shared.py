"""State a step builds once per run and every worker maps: an index of benchmark items, say.

The driver calls each sharing step's ``write_shared`` once, before any shard, into a local
temporary directory, and copies the files to ``_state/shared/<label>/`` in the run's store.
A worker hands the step a local directory holding them: on a local disk the store's own (so
every process on the machine maps the same pages); from an object store a copy in the node's
temporary directory, downloaded once per node (a finished copy is renamed into place, so
workers of one node that race both end up using one whole copy). Nothing is pickled per
worker, and the state is rebuilt on every invocation from the files the recipe names.

A node's copy is named by the output and by the content's digest (``MANIFEST``, written last by
the driver): a rebuilt state with other content but the same file names (a benchmark edited
between runs) is downloaded again, never taken from the earlier copy, and the node's copies of
earlier states of the same output are removed then. What stays on a node after a run is one
copy per output; the output's lock keeps a second run of it from using them meanwhile.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from curate.executors.store import Store

MANIFEST = "MANIFEST"  # the digest of the state's files, written after them


def shared_prefix(label: str) -> str:
    return f"_state/shared/{label}"


def build_shared(store: Store, steps: list[tuple[str, Any]], log: Callable[[str], None]) -> dict[str, dict[str, Any]]:
    """Build the shared state of every (label, step) that shares one; returns label -> summary."""
    summaries = {}
    for label, step in steps:
        if not step.shares_state():
            continue
        prefix = shared_prefix(label)
        store.remove_tree(prefix)
        with tempfile.TemporaryDirectory(prefix="curate-shared-") as tmp:
            summaries[label] = step.write_shared(Path(tmp))
            files = sorted(p for p in Path(tmp).iterdir() if p.is_file())
            digest = hashlib.sha256()
            for path in files:
                content = path.read_bytes()
                store.write_bytes(f"{prefix}/{path.name}", content)
                digest.update(f"{path.name}\0{len(content)}\0".encode() + hashlib.sha256(content).digest())
            store.write_bytes(f"{prefix}/{MANIFEST}", digest.hexdigest().encode("ascii"))
            size = sum(p.stat().st_size for p in files)
        log(f"{label}: shared state built once for every worker ({len(files)} files, {size / 1e6:,.1f} MB)")
    return summaries


def local_shared_dir(store: Store, label: str) -> Path:
    """A local directory holding the label's shared files (the store's own when it is local)."""
    prefix = shared_prefix(label)
    local = store.local_path(prefix)
    if local is not None:
        return local
    output = hashlib.sha256(store.locate(prefix).encode("utf-8")).hexdigest()[:20]
    content = store.read_bytes(f"{prefix}/{MANIFEST}").decode("ascii")[:16]
    root = Path(tempfile.gettempdir()) / "curate-shared"
    target = root / f"{output}-{content}"
    if target.exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    for name in sorted(store.list(prefix, "*")):
        (partial / name).write_bytes(store.read_bytes(f"{prefix}/{name}"))
    try:
        os.rename(partial, target)
    except OSError:  # another worker of this node finished first: use its copy
        shutil.rmtree(partial, ignore_errors=True)
    for earlier in root.glob(f"{output}-*"):  # this output's earlier states: no run uses them now
        if earlier != target:
            shutil.rmtree(earlier, ignore_errors=True)
    return target
