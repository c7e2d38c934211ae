"""Executor registry: a recipe's ``executor`` names one; this maps names to classes.

Like steps, an executor class registers itself with ``@register_executor``. The
built-in ones are also listed by module here, because that module is imported only
when its executor is asked for: importing Ray takes seconds, and a local run (or
validating a recipe) must not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curate.executors.driver import Executor

_REGISTRY: dict[str, type[Executor]] = {}
_LAZY = {  # name -> the module whose import registers it
    "local": "curate.executors.local",
    "ray": "curate.executors.ray_exec",
}


def register_executor(cls: type[Executor]) -> type[Executor]:
    name = vars(cls).get("name")  # its own, not one inherited from the class it extends
    if not name:
        raise ValueError(f"{cls.__qualname__} has no name")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"executor name {name!r} registered twice")
    _REGISTRY[name] = cls
    return cls


def executor_names() -> list[str]:
    """Every executor a recipe may name, without importing the lazy ones."""
    return sorted({*_REGISTRY, *_LAZY})


def get_executor_class(name: str) -> type[Executor]:
    if name not in _REGISTRY and name in _LAZY:
        importlib.import_module(_LAZY[name])
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown executor {name!r}; known executors: {', '.join(executor_names())}") from None
