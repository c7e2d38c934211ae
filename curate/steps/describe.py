"""What `curate steps` prints: a step's documentation and its parameters (type, default, range,
meaning), read from the step class itself so the listing never drifts from the code."""

from __future__ import annotations

import inspect
import re
import sys
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from curate.steps.base import Step

BASE_FIELDS = tuple(Step.model_fields)  # parameters every step has
_BOUNDS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None  # None: required
    range: str
    meaning: str


def _plain(text: str) -> str:
    """Docstring markup as a terminal shows it: ``code`` -> `code`."""
    return re.sub(r"``([^`]*)``", r"`\1`", text)


def step_doc(cls: type[Step]) -> str:
    doc = cls.__doc__ or sys.modules[cls.__module__].__doc__ or ""
    return _plain(inspect.cleandoc(doc))


def first_paragraph(cls: type[Step]) -> str:
    """The documentation's first paragraph, whole, as one line."""
    return " ".join(step_doc(cls).split("\n\n")[0].split())


def _type_name(annotation: Any) -> str:
    """``int``, ``float | None``, ``list[EvalSet]``, ``Literal['line', 'document']``: no module paths."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type_name(args[0])
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is Literal:
        return f"Literal[{', '.join(map(repr, args))}]"
    if origin is not None:
        return f"{getattr(origin, '__name__', str(origin))}[{', '.join(_type_name(a) for a in args)}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", repr(annotation))


def _constraints(annotation: Any) -> list[Any]:
    """The constraint objects inside an annotation (``Optional[Annotated[float, Ge(0)]]``)."""
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        found = [m for item in metadata for m in (getattr(item, "metadata", None) or [item])]
        return found + _constraints(base)
    return [c for a in get_args(annotation) for c in _constraints(a)]


def _range(field: FieldInfo) -> str:
    bounds = []
    for item in [*field.metadata, *_constraints(field.annotation)]:
        for attr, sign in _BOUNDS:
            value = getattr(item, attr, None)
            if value is not None:
                bounds.append(f"{sign} {value}")
        if getattr(item, "min_length", None) is not None:
            bounds.append(f"at least {item.min_length} item(s)")
    return ", ".join(dict.fromkeys(bounds))


def _comments(cls: type[Step]) -> dict[str, str]:
    """Each field's comment in the class source (on its line, or the lines just above it): most
    parameters are explained there rather than in a ``description``."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, Step)):
            continue
        try:
            lines = inspect.getsource(klass).splitlines()
        except (OSError, TypeError):
            continue
        above: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#"):
                above.append(stripped.lstrip("# "))
                continue
            field = re.match(r"\s+([a-z_]\w*): [^=]+?(?:=.*?)?(?:#\s*(.*))?$", line)
            if field and field.group(1) in klass.model_fields:
                comment = " ".join([*above, field.group(2) or ""]).strip()
                if comment:
                    found[field.group(1)] = comment
            above = []
    return found


def parameters(cls: type[Step]) -> list[Parameter]:
    """The step's own parameters first, then those every step has."""
    own = [n for n in cls.model_fields if n not in BASE_FIELDS]
    comments = _comments(cls)
    out = []
    for name in [*own, *BASE_FIELDS]:
        field = cls.model_fields[name]
        default = None if field.is_required() else repr(field.get_default(call_default_factory=True))
        meaning = field.description or comments.get(name, "")
        out.append(Parameter(name, _type_name(field.annotation), default, _range(field), _plain(meaning)))
    return out


def describe_step(cls: type[Step]) -> str:
    lines = [f"{cls.name}", "", step_doc(cls), "", "Parameters:"]
    for p in parameters(cls):
        head = f"  {p.name}: {p.type}" + (" (required)" if p.default is None else f" = {p.default}")
        lines.append(head + (f"  [{p.range}]" if p.range else ""))
        if p.meaning:
            lines.append(f"      {p.meaning}")
    return "\n".join(lines)
