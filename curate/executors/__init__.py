"""Executors run a recipe's steps over shards: in-process (``local``) or on Ray (``ray``), or any other
registered with ``@register_executor``."""

from __future__ import annotations

from curate.executors.driver import Executor
from curate.executors.registry import executor_names, get_executor_class, register_executor


def get_executor(name: str, workers: int = 2, ray_address: str | None = None) -> Executor:
    """The executor registered as ``name``; ``ray_address`` is for those that connect to a cluster."""
    return get_executor_class(name).create(workers, ray_address)


__all__ = ["Executor", "executor_names", "get_executor", "get_executor_class", "register_executor"]
