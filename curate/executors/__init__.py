"""Executors run a recipe's steps over shards: in-process (``local``) or on Ray (``ray``)."""

from __future__ import annotations

from curate.executors.driver import Executor


def get_executor(name: str, workers: int = 2, ray_address: str | None = None) -> Executor:
    if name == "local":
        from curate.executors.local import LocalExecutor

        return LocalExecutor(workers)
    if name == "ray":
        from curate.executors.ray_exec import RayExecutor

        return RayExecutor(workers, ray_address)
    raise ValueError(f"unknown executor {name!r} (local, ray)")


__all__ = ["Executor", "get_executor"]
