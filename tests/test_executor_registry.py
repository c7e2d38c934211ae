"""Executors are looked up by name, like steps; Ray is imported only when asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from curate.executors import Executor, executor_names, get_executor, get_executor_class, register_executor
from curate.executors.local import LocalExecutor
from curate.executors.registry import _REGISTRY


def test_the_built_in_executors_are_listed_and_found_by_name():
    assert {"local", "ray"} <= set(executor_names())
    assert get_executor_class("local") is LocalExecutor
    engine = get_executor("local", 3, "ignored:6379")  # an address means nothing to the local executor
    assert isinstance(engine, LocalExecutor) and engine.workers == 3


def test_an_unknown_executor_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown executor 'spark'; known executors: local, ray"):
        get_executor("spark")


def test_listing_and_local_lookup_do_not_import_ray():
    code = ("import sys; from curate.executors import executor_names, get_executor; "
            "assert 'ray' in executor_names(); get_executor('local', 1); "
            "assert 'ray' not in sys.modules and 'curate.executors.ray_exec' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_registered_executor_is_found_and_a_clash_is_refused():
    @register_executor
    class Inline(LocalExecutor):
        name = "inline_test"

    try:
        assert "inline_test" in executor_names() and isinstance(get_executor("inline_test", 1), Inline)
        clash = type("Clash", (LocalExecutor,), {"name": "inline_test"})
        with pytest.raises(ValueError, match="registered twice"):
            register_executor(clash)
        with pytest.raises(ValueError, match="has no name"):
            register_executor(type("Nameless", (Executor,), {}))
    finally:
        _REGISTRY.pop("inline_test", None)
