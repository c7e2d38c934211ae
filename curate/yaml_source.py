"""Where a key sits in a YAML file: every error names the file, the line and the key.

The YAML is composed node by node so that each key keeps the line it came from
(``recipe.yaml:12: steps[2].min_chars: ...``); recipes and instruct task files share this.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


class RecipeError(ValueError):
    """A recipe that cannot run, with the place in the file that says why."""


def compose_with_lines(text: str, source: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML, returning the data and a map from key path to 1-based line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise RecipeError(f"{source}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    lines: dict[tuple, int] = {}
    constructor = yaml.SafeLoader("")  # turns scalar nodes into Python values (ints, bools, ...)

    def walk(node: yaml.Node, path: tuple) -> Any:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if key in out:  # YAML says keys are unique; PyYAML would silently keep the last
                    raise RecipeError(f"{source}:{key_node.start_mark.line + 1}: {dotted((*path, key))}: "
                                      f"duplicate key (first on line {lines[(*path, key)]})")
                out[key] = walk(value_node, (*path, key))
                lines[(*path, key)] = key_node.start_mark.line + 1  # the key's line, not its value's
            return out
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return constructor.construct_object(node, deep=True)

    return (walk(root, ()) if root is not None else None), lines


def line_of(lines: dict[tuple, int], loc: tuple) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 0


def dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def raise_validation(exc: ValidationError, source: str, lines: dict[tuple, int], prefix: tuple = ()) -> None:
    messages = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        messages.append(f"{source}:{line_of(lines, loc)}: {dotted(loc)}: {msg}")
    raise RecipeError("\n".join(messages)) from None


def resolve_paths(value: Any, base: Path, where: Where, loc: tuple, path_keys: tuple[str, ...],
                   key: str = "") -> Any:
    """Make relative file paths in step parameters absolute (keys named path, *_path, *_file,
    *_dir, or one of the step's ``path_keys``) and check that each names something that
    exists, so a missing evaluation set fails here, with its line, before any worker starts."""
    if isinstance(value, dict):
        return {k: resolve_paths(v, base, where, (*loc, k), path_keys, k) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_paths(v, base, where, (*loc, i), path_keys, key) for i, v in enumerate(value)]
    if isinstance(value, str) and (key == "path" or key.endswith(("_path", "_file", "_dir")) or key in path_keys):
        p = Path(value).expanduser()
        resolved = str(p if p.is_absolute() else (base / p).resolve())
        if not os.path.exists(resolved) and not glob.glob(resolved, recursive=True):
            raise RecipeError(f"{where(loc)}: no such file or directory: {resolved}")
        return resolved
    return value


class Where:
    """``file:line: key.path`` for a place in the recipe."""

    def __init__(self, source: str, lines: dict[tuple, int]):
        self.source, self.lines = source, lines

    def __call__(self, loc: tuple) -> str:
        return f"{self.source}:{line_of(self.lines, loc)}: {dotted(loc)}"


def read_mapping(path: Path, noun: str, holds: str) -> tuple[dict[str, Any], dict[tuple, int]]:
    """A YAML file that must be a mapping (a recipe, a task file), with the line of every key;
    a file that cannot be read or is not a mapping is a RecipeError naming it."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RecipeError(f"{source}: cannot read {noun}: {exc.strerror}") from None
    data, lines = compose_with_lines(text, source)
    if not isinstance(data, dict):
        raise RecipeError(f"{source}:1: a {noun} is a mapping with {holds}")
    return data, lines
