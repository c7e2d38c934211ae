"""Step registry: a recipe names steps; this maps names to classes.

Every module in this package is imported on first lookup, so adding a step is
adding one file with a ``@register``-decorated class; nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

from curate.steps.base import DROP, GlobalStep, RunContext, Step, StepOutput
from curate.steps.filter import Filter, Reasons, drop_reason

_REGISTRY: dict[str, type[Step]] = {}
_discovered = False


def register(cls: type[Step]) -> type[Step]:
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} has no name")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"step name {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    _discovered = True


def get_step_class(name: str) -> type[Step]:
    _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(name) from None


def step_names() -> list[str]:
    _discover()
    return sorted(_REGISTRY)


__all__ = [
    "DROP",
    "Filter",
    "GlobalStep",
    "Reasons",
    "RunContext",
    "Step",
    "StepOutput",
    "drop_reason",
    "get_step_class",
    "register",
    "step_names",
]
