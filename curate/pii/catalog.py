"""The PII types: each is one rules file, rules/pii/types/<type>.yaml, and the Python module its
``code:`` names (curate/pii/type_code/<type>.py: validators, normal form, fake generator).

Type files are found in every rules directory, so a recipe's ``rules:`` directory can add a type
or replace one (the first directory holding a file name wins, as for every rule file); the types
are then put in their ``order``. A file that is wrong is a ``PiiRulesError`` naming it.
"""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from curate.pii.type_code import TypeCode
from curate.rules import cached_per_rules, load_yaml, rule_path, rules_dirs

TYPES_DIR = "pii/types"
# the files the PII rules lived in before each type had its own: one left in a rules directory
# would be silently ignored, so it is refused instead
_RETIRED = ("pii/patterns.yaml", "pii/types.yaml", "pii/fakes")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_NUMBER = (int, float)
# every field a type file may have, and what it must be (common.yaml's header says what each does)
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "order": int, "tag": str, "private": bool, "default": bool, "code": str, "fake": dict,
    "candidate": (str, list), "context_candidate": list, "solo_candidate": bool, "prefilter": str,
    "finder": str, "strip_trailing": str, "patterns": list, "context": list, "negative_context": list,
    "context_boost": _NUMBER, "negative_penalty": _NUMBER, "window_before": int, "window_after": int,
    "min_score": _NUMBER,
}
_REQUIRED = ("order", "tag", "private", "default", "code", "patterns")
_PATTERN_FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str, "regex": str, "score": _NUMBER, "require": list, "bonus": dict, "needs_context": bool,
    "anchor": str, "anchor_back": int, "starts": str,
}
_PATTERN_REQUIRED = ("name", "regex", "score")


class PiiRulesError(ValueError):
    """A PII type's rules file, or the code it names, is wrong; the message names the file."""


@dataclass(frozen=True)
class PiiType:
    name: str
    order: int
    tag: str  # what mask mode writes
    private: bool  # remove_sentence mode drops its sentences
    default: bool  # detected when no types are named
    code: TypeCode
    validators: Mapping[str, Callable[[str], bool]]  # by the names the patterns use
    rules: Mapping[str, Any]  # the file as written: candidate, patterns, context words, ...
    fake_settings: Mapping[str, Any]  # data its fake generator reads (rules: `fake:`)
    path: Path


@cached_per_rules
def pii_types() -> dict[str, PiiType]:
    """Every PII type by name, in ``order``."""
    for folder in rules_dirs():
        for retired in _RETIRED:
            if (folder / retired).exists():
                raise PiiRulesError(f"{folder / retired}: no longer read; a PII type is one file, "
                                    f"{TYPES_DIR}/<type>.yaml, and shared settings are pii/common.yaml "
                                    "(docs/extending.md, 'A PII type')")
    names = sorted({p.stem for folder in rules_dirs() for p in (folder / TYPES_DIR).glob("*.yaml")})
    types = sorted((_read(name) for name in names), key=lambda t: t.order)
    for before, after in itertools.pairwise(types):
        if before.order == after.order:
            raise PiiRulesError(f"{after.path}: order {after.order} is also {before.path}'s; "
                                "each type needs its own (it breaks ties between overlapping spans)")
    return {t.name: t for t in types}


def _read(name: str) -> PiiType:
    path = rule_path(f"{TYPES_DIR}/{name}.yaml")
    if not _NAME.fullmatch(name):
        raise PiiRulesError(f"{path}: a type's name (its file name) is lower-case letters, digits and _")
    try:
        spec = load_yaml(f"{TYPES_DIR}/{name}.yaml")
    except yaml.YAMLError as exc:
        raise PiiRulesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(spec, dict):
        raise PiiRulesError(f"{path}: must be a mapping of fields (order, tag, private, ...)")
    _check_fields(path, spec, _FIELDS, _REQUIRED, "")
    if "candidate" not in spec and "finder" not in spec:
        raise PiiRulesError(f"{path}: has neither a candidate regex nor a finder")
    for i, pattern in enumerate(spec["patterns"]):
        if not isinstance(pattern, dict):
            raise PiiRulesError(f"{path}: patterns[{i}] must be a mapping (name, regex, score, ...)")
        _check_fields(path, pattern, _PATTERN_FIELDS, _PATTERN_REQUIRED, f"pattern {pattern.get('name', i)!r}: ")
    code = _code(path, spec["code"])
    validators = code.validators_by_name()
    for pattern in spec["patterns"]:
        for used in [*pattern.get("require", []), *pattern.get("bonus", {})]:
            if used not in validators:
                raise PiiRulesError(f"{path}: pattern {pattern['name']!r} names validator {used!r}, which "
                                    f"{spec['code']}.CODE does not list (it lists: {', '.join(validators) or 'none'})")
    return PiiType(name=name, order=spec["order"], tag=spec["tag"], private=spec["private"],
                   default=spec["default"], code=code, validators=validators, rules=spec,
                   fake_settings=spec.get("fake", {}), path=path)


def _check_fields(path: Path, spec: dict, fields: dict, required: tuple[str, ...], where: str) -> None:
    unknown = [key for key in spec if key not in fields]
    if unknown:
        raise PiiRulesError(f"{path}: {where}unknown field(s) {', '.join(map(repr, unknown))}; "
                            f"known: {', '.join(fields)}")
    missing = [key for key in required if key not in spec]
    if missing:
        raise PiiRulesError(f"{path}: {where}missing field(s) {', '.join(missing)}")
    for key, value in spec.items():
        kinds = fields[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and kinds is not bool):
            expected = " or ".join(k.__name__ for k in (kinds if isinstance(kinds, tuple) else (kinds,)))
            raise PiiRulesError(f"{path}: {where}{key} must be a {expected}, not {value!r}")


def _code(path: Path, module_name: str) -> TypeCode:
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PiiRulesError(f"{path}: code: cannot import {module_name!r} ({exc})") from exc
    code = getattr(module, "CODE", None)
    if not isinstance(code, TypeCode):
        raise PiiRulesError(f"{path}: code: {module_name} ({module.__file__}) has no CODE, "
                            "a curate.pii.type_code.TypeCode")
    return code
