"""Recipes: YAML files of named steps, validated with pydantic.

Every error names the file, the line and the key (``recipe.yaml:12: steps[2].min_chars: ...``;
curate/yaml_source.py keeps each key's line).
Relative paths in a recipe are resolved against the recipe's own directory, so a
recipe runs the same from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from curate.io.remote import is_url
from curate.rules import use_rules_dir
from curate.runner import step_labels
from curate.steps import Step, get_step_class, step_names
from curate.yaml_source import RecipeError, Where, line_of, raise_validation, read_mapping, resolve_paths


class InputPath(BaseModel):
    """An input path (file or glob) with constant provenance columns for its records."""

    model_config = ConfigDict(extra="forbid")
    path: str
    add: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("add")
    @classmethod
    def _not_curates(cls, add: dict[str, Any]) -> dict[str, Any]:
        from curate.io.records import INTERNAL_COLUMNS

        for name in add:
            if not name or name in (*INTERNAL_COLUMNS, "id", "text"):
                raise ValueError(f"column name {name!r} is curate's own (or empty); choose another")
        return add


class InputConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paths: list[str | InputPath]
    format: Literal["jsonl", "text", "parquet"] | None = None
    text_field: str = "text"
    id_field: str = "id"
    # The other input fields each record keeps (with their types, nested ones included): all,
    # or a list of names (an empty list keeps only the id and the text).
    fields: Literal["all"] | list[str] = "all"
    max_record_bytes: int = Field(64 << 20, gt=0)

    @field_validator("paths", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str | dict) else value

    def patterns(self) -> list[str]:
        return [p.path if isinstance(p, InputPath) else p for p in self.paths]

    def kept_fields(self) -> tuple[str, ...] | None:
        return None if self.fields == "all" else tuple(self.fields)


class OutputConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    format: Literal["parquet", "jsonl"] = "parquet"
    # The text and id columns' names in the output; None: the input's (input.text_field, id_field)
    text_field: str | None = None
    id_field: str | None = None

    def renames(self, spec: InputConfig) -> dict[str, str]:
        """Output column names of curate's ``text`` and ``id`` columns, where they differ."""
        names = {"text": self.text_field or spec.text_field, "id": self.id_field or spec.id_field}
        return {k: v for k, v in names.items() if k != v}


class ReportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # An input field (or provenance column) the report counts by: records in, kept, dropped by
    # step and reason, bytes and PII by type for each of its values (the most frequent ones)
    group_by: str | None = None
    max_groups: int = Field(50, ge=1, le=10_000)  # the rest are summed as "(other)"


class KeyConfig(BaseModel):
    """Where the pseudonymization key comes from; the key itself never goes in a recipe."""

    model_config = ConfigDict(extra="forbid")
    env: str = "CURATE_PII_KEY"
    file: str | None = None


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    input: InputConfig
    output: OutputConfig
    steps: list[dict[str, Any]]
    executor: str = "local"  # a registered executor (curate.executors.registry)
    workers: int = Field(2, ge=1)
    ray_address: str | None = None
    batch_size: int = Field(10_000, ge=1)
    # Partitions of a global step's shuffle; None: one per 100,000 input records. Part of the
    # output's identity (the tokenizer's Kiwi batches follow it), so fixed by the recipe, not the cluster.
    shuffle_partitions: int | None = Field(None, ge=1)
    seed: int = 0
    key: KeyConfig = KeyConfig()
    report: ReportConfig = ReportConfig()
    # A directory of rule files that win over the shipped ones, file by file (same relative
    # names as rules/: clean/boilerplate.yaml, ...); relative to the recipe.
    rules: str | None = None

    @field_validator("input", mode="before")
    @classmethod
    def _input_shorthand(cls, value: Any) -> Any:
        return {"paths": value} if isinstance(value, str | list) else value

    @field_validator("output", mode="before")
    @classmethod
    def _output_shorthand(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value

    @field_validator("executor")
    @classmethod
    def _known_executor(cls, name: str) -> str:
        # Imported here, not at the top: curate.executors imports this module.
        from curate.executors.registry import executor_names

        known = executor_names()
        if name not in known:
            # A custom error, so the message reads as it is (no "Value error, " in front).
            raise PydanticCustomError("unknown_executor", "unknown executor {name}; known executors: {known}",
                                      {"name": repr(name), "known": ", ".join(known)})
        return name

    @field_validator("steps")
    @classmethod
    def _each_step_named(cls, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return steps_named(steps)


def steps_named(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A file's ``steps:`` (a recipe's, a task file's): each entry names its step."""
    for i, entry in enumerate(steps):
        if "step" not in entry:
            raise ValueError(f"steps[{i}] has no 'step' key naming the step")
    return steps


class LoadedRecipe(BaseModel):
    """A validated recipe with its steps built, plus where it came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    recipe: Recipe
    steps: list[Step]
    source: str
    base_dir: Path

    def labels(self) -> list[str]:
        return step_labels(self.steps)


def build_steps(entries: list[dict[str, Any]], source: str = "<recipe>",
                lines: dict[tuple, int] | None = None, base_dir: Path | None = None) -> list[Step]:
    lines = lines or {}
    steps: list[Step] = []
    for i, entry in enumerate(entries):
        params = dict(entry)
        name = params.pop("step")
        try:
            cls = get_step_class(name)
        except KeyError:
            line = line_of(lines, ("steps", i, "step"))
            raise RecipeError(f"{source}:{line}: steps[{i}].step: unknown step {name!r}; "
                              f"known steps: {', '.join(step_names())}") from None
        if base_dir is not None:
            params = resolve_paths(params, base_dir, Where(source, lines), ("steps", i), cls.path_keys)
        try:
            step = cls(**params)
        except ValidationError as exc:
            raise_validation(exc, source, lines, ("steps", i))
        step._origin = f"{source}:{line_of(lines, ('steps', i))}: steps[{i}]"
        steps.append(step)
    _check_labels(steps, source, lines)
    _check_columns(steps, source, lines)
    _check_review(steps, source, lines)
    return steps


def _check_labels(steps: list[Step], source: str, lines: dict[tuple, int]) -> None:
    """Labels name report entries, state and columns: two steps may not share one."""
    seen: dict[str, int] = {}
    for i, label in enumerate(step_labels(steps)):
        if label in seen:
            raise RecipeError(f"{source}:{line_of(lines, ('steps', i))}: steps[{i}]: label {label!r} is taken by "
                              f"steps[{seen[label]}]; give one of them another label:")
        seen[label] = i


def _check_columns(steps: list[Step], source: str, lines: dict[tuple, int]) -> None:
    """Two steps may not write the same column (the second would overwrite the first's)."""
    writer: dict[str, int] = {}
    for i, step in enumerate(steps):
        for column in step.columns_written():
            if column in writer:
                raise RecipeError(f"{source}:{line_of(lines, ('steps', i))}: steps[{i}]: writes column {column!r}, "
                                  f"as steps[{writer[column]}] does; only one step may write a column")
            writer[column] = i


def _check_review(steps: list[Step], source: str, lines: dict[tuple, int]) -> None:
    """``keep_dropped_text`` before the recipe's first pii step would write raw PII to dropped/."""
    pii = [i for i, step in enumerate(steps) if step.name == "pii"]
    for i, step in enumerate(steps):
        if step.keep_dropped_text and pii and i < pii[0]:
            raise RecipeError(f"{source}:{line_of(lines, ('steps', i))}: steps[{i}]: keep_dropped_text before "
                              f"the pii step (steps[{pii[0]}]) would keep text with PII untreated; "
                              "move the pii step before it")


def load_recipe(path: str | Path, overrides: dict[str, Any] | None = None) -> LoadedRecipe:
    """Read, validate and build a recipe. ``overrides`` (from the command line) win over the
    file: ``input`` (list of paths), ``output`` (dir), ``executor``, ``workers``, ``ray_address``;
    their relative paths are resolved against the current directory."""
    path = Path(path)
    source = str(path)
    data, lines = read_mapping(path, "recipe", "input, output and steps")
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc, source, lines)
    base = path.resolve().parent
    def resolved(p: str) -> str:
        return p if is_url(p) else os.path.normpath(base / Path(p).expanduser())  # URLs as written

    recipe.input.paths = [p.model_copy(update={"path": resolved(p.path)}) if isinstance(p, InputPath) else resolved(p)
                          for p in recipe.input.paths]
    if not is_url(recipe.output.path):  # an object-store URL (s3://bucket/prefix) is kept as written
        recipe.output.path = os.path.normpath(base / Path(recipe.output.path).expanduser())
    if recipe.key.file:
        key_file = Path(recipe.key.file).expanduser()
        recipe.key.file = str(key_file if key_file.is_absolute() else base / key_file)
        if not os.path.isfile(recipe.key.file):
            raise RecipeError(f"{source}:{line_of(lines, ('key', 'file'))}: key.file: no such file: {recipe.key.file}")
    settings = {}
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key == "input":
            recipe.input.paths = [p if is_url(p) else str(Path.cwd() / p) if any(c in p for c in "*?[")
                                  else str(Path(p).expanduser().resolve()) for p in value]
        elif key == "output":
            recipe.output.path = value if is_url(value) else str(Path(value).expanduser().resolve())
        else:
            settings[key] = value
    if settings:  # command-line values get the same checks as the file's (--workers 0 is an error)
        try:
            recipe = Recipe.model_validate({**recipe.model_dump(), **settings})
        except ValidationError as exc:
            raise RecipeError("\n".join(f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}"
                                         for e in exc.errors())) from None
    if recipe.rules:
        recipe.rules = os.path.normpath(base / Path(recipe.rules).expanduser())
        if not os.path.isdir(recipe.rules):
            raise RecipeError(f"{source}:{line_of(lines, ('rules',))}: rules: no such directory: {recipe.rules}")
    use_rules_dir(recipe.rules)  # steps read their rule defaults when built, just below
    steps = add_length_floor(build_steps(recipe.steps, source, lines, base))
    return LoadedRecipe(recipe=recipe, steps=steps, source=source, base_dir=base)


def add_length_floor(steps: list[Step]) -> list[Step]:
    """``steps`` with a ``length_floor`` (the last length_filter's ``min_chars``) after the last
    step that can shorten a document once that filter has run, so that no kept document ends
    below the floor. Unchanged when nothing after the filter shortens text, or when the recipe
    already checks the floor itself after the last such step."""
    from curate.steps.length_filter import LengthFilter
    from curate.steps.length_floor import LengthFloor

    filters = [i for i, s in enumerate(steps) if isinstance(s, LengthFilter) and s.min_chars > 0]
    if not filters:
        return steps
    floor = steps[filters[-1]].min_chars
    cutting = [i for i in range(filters[-1] + 1, len(steps)) if steps[i].shortens_text()]
    if not cutting:
        return steps
    last = cutting[-1]
    if any(isinstance(s, LengthFilter) and s.min_chars >= floor for s in steps[last + 1:]):
        return steps
    # a recipe step labelled length_floor keeps its label; the added one takes another
    label = "length_floor.added" if "length_floor" in step_labels(steps) else None
    return [*steps[:last + 1], LengthFloor(min_chars=floor, label=label), *steps[last + 1:]]
