"""Shared state (a decontamination index) on an object store reaches each node as a local copy.
Issue 19 left two faults: a copy was named by its file names, so a state rebuilt with other
content under the same names (a benchmark edited between runs) was taken from the earlier copy;
and every run's copy stayed in the node's temporary directory."""

from __future__ import annotations

import uuid
from pathlib import Path

from curate.executors.shared import build_shared, local_shared_dir
from curate.executors.store import Store


class _Writes:
    """A step sharing one file whose content the test chooses."""

    def __init__(self, content: bytes):
        self.content = content

    def shares_state(self) -> bool:
        return True

    def write_shared(self, directory: Path) -> dict:
        (directory / "index.bin").write_bytes(self.content)
        return {"bytes": len(self.content)}


def test_a_rebuilt_state_is_copied_again_and_the_earlier_copy_removed():
    store = Store.for_url(f"memory://curate-test-{uuid.uuid4().hex}/out")
    build_shared(store, [("decontaminate", _Writes(b"benchmark as it was"))], log=lambda _: None)
    first = local_shared_dir(store, "decontaminate")
    assert (first / "index.bin").read_bytes() == b"benchmark as it was"
    assert local_shared_dir(store, "decontaminate") == first  # a second worker of the node: the same copy

    build_shared(store, [("decontaminate", _Writes(b"benchmark as edited"))], log=lambda _: None)
    second = local_shared_dir(store, "decontaminate")
    assert (second / "index.bin").read_bytes() == b"benchmark as edited"
    assert not first.exists()  # one copy per output stays on the node
    other = Store.for_url(f"memory://curate-test-{uuid.uuid4().hex}/out")  # another output's copy is its own
    build_shared(other, [("decontaminate", _Writes(b"benchmark as it was"))], log=lambda _: None)
    assert local_shared_dir(other, "decontaminate") != second and second.exists()
