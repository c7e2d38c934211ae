"""A task file and the task definitions it names, validated with ``file:line: key`` errors.

A *task definition* (``rules/instruct/tasks/<task>.yaml``, or written out in the task file) says
which fields of a labelled dataset a template may use, how its labels read as answers, and
its templates. A *task file* (``curate instruct TASKS.yaml``) names the definitions with the
files to read, the caps, the seed, the layouts, the evaluation benchmarks the model will be
judged on (seen or unseen), and the curate steps the examples pass through.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from curate.config import KeyConfig, steps_named
from curate.instruct.template import TemplateError, placeholders
from curate.rules import load_yaml, rules_dirs, use_rules_dir
from curate.steps.decontaminate import Benchmark
from curate.yaml_source import RecipeError, Where, raise_validation, read_mapping, resolve_paths

TASKS_DIR = "instruct/tasks"
# Splits that hold what a model is judged on: never read as training examples.
EVALUATION_SPLITS = ("test", "validation", "dev")
LAYOUTS = ("messages", "alpaca", "prompt_completion")
FORMATS = ("parquet", "jsonl")
LABEL = "label"  # the placeholder of the answer a label maps to


def label_key(value: Any) -> str:
    """A label value as the text a data file's value is compared with (0 -> "0", true -> "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Template(BaseModel):
    """One way of asking: the instruction, the input shown with it, and the answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="unique in its task; recorded on every example")
    instruction: str = Field(min_length=1)
    input: str = Field("", description="the data the instruction is about ({field} placeholders)")
    output: str = Field("{label}", description="the answer")

    @model_validator(mode="after")
    def _parses(self) -> Template:
        for part in (self.instruction, self.input, self.output):
            try:
                placeholders(part)
            except TemplateError as exc:
                raise PydanticCustomError("template", "{msg}", {"msg": str(exc)}) from None
        return self

    def names(self) -> set[str]:
        return {n for part in (self.instruction, self.input, self.output) for n in placeholders(part)}


class Label(BaseModel):
    """The field holding the label and, optionally, the answer each value reads as."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    # value -> answer (itself a template over the fields: COPA's 1 -> "{alternative_2}"); a value
    # not listed is no example (NSMC's ratings 5-8). None: the value is the answer.
    map: dict[str, str] | None = None

    @field_validator("map", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        return {label_key(k): v for k, v in value.items()} if isinstance(value, dict) else value


class TaskDefinition(BaseModel):
    """What a task reads and how it asks; the files come from the task file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field("", description="where the dataset lives (documentation)")
    benchmark: str | None = Field(None, description="the decontaminate adapter of the same dataset: an "
                                                    "evaluation benchmark by that name is this task's seen one")
    id: str | None = Field(None, description="the source id field; none: file name and row")
    fields: dict[str, str] = Field(min_length=1, description="placeholder -> source field (a.b reaches into a struct)")
    label: Label | None = None
    system: str | None = None
    max_input_chars: int | None = Field(None, ge=1, description="longer inputs (all fields) are left out")
    templates: list[Template] = Field(min_length=1)

    @model_validator(mode="after")
    def _placeholders_known(self) -> TaskDefinition:
        if LABEL in self.fields:
            raise PydanticCustomError("task", "fields: {label} is the answer's placeholder; name the field otherwise")
        known = set(self.fields) | ({LABEL} if self.label else set())
        ids = [t.id for t in self.templates]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise PydanticCustomError("task", "template ids repeat: {ids}", {"ids": ", ".join(repeated)})
        for t in self.templates:
            unknown = sorted(t.names() - known)
            if unknown:
                raise PydanticCustomError("task", "template {id}: unknown placeholder {name}; known: {known}",
                                          {"id": t.id, "name": "{" + unknown[0] + "}",
                                           "known": ", ".join(sorted(known))})
        for value, answer in ((self.label.map or {}).items() if self.label else ()):
            unknown = sorted(set(placeholders(answer)) - set(self.fields))
            if unknown:
                raise PydanticCustomError("task", "label.map[{value}]: unknown placeholder {name}",
                                          {"value": value, "name": "{" + unknown[0] + "}"})
        return self


_OVERRIDES = ("source", "benchmark", "id", "fields", "label", "system", "max_input_chars", "templates")


def task_names() -> list[str]:
    """Every shipped (or rules-directory) task definition."""
    return sorted({p.stem for d in rules_dirs() for p in (d / TASKS_DIR).glob("*.yaml")})


def definition_of(task: str | None, overrides: dict[str, Any]) -> TaskDefinition:
    base: dict[str, Any] = {}
    if task is not None:
        try:
            base = load_yaml(f"{TASKS_DIR}/{task}.yaml") or {}
        except FileNotFoundError:
            raise ValueError(f"unknown task {task!r}; known tasks: {', '.join(task_names())}") from None
    return TaskDefinition.model_validate({**base, **{k: v for k, v in overrides.items() if v is not None}})


class TaskEntry(BaseModel):
    """One task of a task file: a definition (shipped, overridden, or written out) and its files."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str | None = Field(None, description="a definition in rules/instruct/tasks/")
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="default: task")
    path: str = Field(description="a file, a directory (save_to_disk or files) or a glob")
    format: Literal["parquet", "jsonl", "csv", "text", "arrow"] | None = None
    split: str | None = Field(None, description="the split of files whose names do not say")
    splits: list[str] = Field(["train"], min_length=1, description="the splits read; never an evaluation split")
    max_examples: int | None = Field(None, ge=1)
    max_per_label: int | None = Field(None, ge=1)
    templates_file: str | None = Field(None, description="templates in a YAML file (a list, or templates:)")
    source: str | None = None
    benchmark: str | None = None
    id: str | None = None
    fields: dict[str, str] | None = None
    label: Label | None = None
    system: str | None = None
    max_input_chars: int | None = None
    templates: list[Template] | None = None

    @property
    def label_name(self) -> str:
        return self.name or self.task or ""

    @field_validator("splits")
    @classmethod
    def _no_evaluation_split(cls, splits: list[str]) -> list[str]:
        bad = [s for s in splits if s in EVALUATION_SPLITS]
        if bad:
            raise PydanticCustomError("split", "{split} is an evaluation split; evaluation splits never become "
                                      "training examples", {"split": bad[0]})
        return splits

    @field_validator("split")
    @classmethod
    def _not_evaluation(cls, split: str | None) -> str | None:
        if split in EVALUATION_SPLITS:
            raise PydanticCustomError("split", "{split} is an evaluation split; evaluation splits never become "
                                      "training examples", {"split": split})
        return split

    @model_validator(mode="before")
    @classmethod
    def _templates_from_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("templates_file") and data.get("templates") is None:
            name = data["templates_file"]
            try:
                loaded = yaml.safe_load(Path(name).read_text(encoding="utf-8"))
            except OSError as exc:
                raise PydanticCustomError("templates_file", "cannot read {file}: {why}",
                                          {"file": str(name), "why": exc.strerror or str(exc)}) from None
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                at = f":{mark.line + 1}" if mark is not None else ""
                raise PydanticCustomError("templates_file", "{file}{at}: not YAML: {why}",
                                          {"file": str(name), "at": at,
                                           "why": str(getattr(exc, "problem", None) or exc)}) from None
            data = {**data, "templates": loaded.get("templates") if isinstance(loaded, dict) else loaded}
        return data

    @model_validator(mode="after")
    def _defined(self) -> TaskEntry:
        if self.task is None and self.name is None:
            raise PydanticCustomError("task", "a task without a shipped definition (task:) needs a name")
        try:
            self.definition()
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise PydanticCustomError("task", "{where}{msg}", {"where": f"{where}: " if where else "",
                                                                "msg": first["msg"]}) from None
        except ValueError as exc:
            raise PydanticCustomError("task", "{msg}", {"msg": str(exc).splitlines()[0]}) from None
        return self

    def definition(self) -> TaskDefinition:
        return definition_of(self.task, {k: getattr(self, k) for k in _OVERRIDES})


class EvaluationBenchmark(Benchmark):
    """A benchmark the trained model will be judged on; its items never reach the output."""

    seen: bool = Field(description="true: a task of this file trains on the same dataset (its training "
                                   "split); false: no task may")


class TaskFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    system: str | None = Field(None, description="the system message of tasks that give none")
    max_examples: int | None = Field(None, ge=1, description="per task, where a task gives none")
    max_per_label: int | None = Field(None, ge=1, description="per task and label, where a task gives none")
    layouts: list[Literal["messages", "alpaca", "prompt_completion"]] = Field(list(LAYOUTS), min_length=1)
    formats: list[Literal["parquet", "jsonl"]] = Field(list(FORMATS), min_length=1)
    tasks: list[TaskEntry] = Field(min_length=1)
    evaluation: list[EvaluationBenchmark] = Field(default_factory=list)
    steps: list[dict[str, Any]] = Field(default_factory=list)
    key: KeyConfig = KeyConfig()
    tokenizer: str | None = Field(None, description="a tokenizer.json: the report counts lengths in its tokens")
    rules: str | None = None

    @field_validator("steps")
    @classmethod
    def _each_step_named(cls, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return steps_named(steps)  # entries are dicts: the field's type is checked first


class LoadedTasks(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    spec: TaskFile
    steps: list[Any]  # curate steps, built as a recipe builds them
    source: str


# Steps that add or remove lines would break an example's input apart from its fields.
_LINE_STEPS = {"split_sentences": "it cuts the fields into sentences", "boilerplate": "it removes lines"}


def _changes_lines(step: Any) -> str | None:
    """Why ``step`` cannot run over instruction examples, or None when it can."""
    if step.name in _LINE_STEPS:
        return _LINE_STEPS[step.name]
    if getattr(step, "unit", None) == "line" and step.shortens_text():
        return "it removes lines (use unit: document)"
    if step.name == "pii" and getattr(step, "mode", "") == "remove_sentence":
        return "it removes sentences"
    if step.name == "dedup_exact" and getattr(step, "sentences", False):
        return "it removes duplicate sentences"
    return None


def load_tasks(path: str | Path) -> LoadedTasks:
    """Read and check a task file; every error names the file, the line and the key."""
    from curate.config import build_steps

    path = Path(path)
    source = str(path)
    data, lines = read_mapping(path, "task file", "tasks (and evaluation, steps, ...)")
    where = Where(source, lines)
    base = path.resolve().parent
    steps_raw = data.pop("steps", [])
    data = resolve_paths(data, base, where, (), ("tokenizer", "rules"))
    use_rules_dir(data.get("rules") if isinstance(data.get("rules"), str) else None)
    try:
        spec = TaskFile.model_validate({**data, "steps": steps_raw})
    except ValidationError as exc:
        raise_validation(exc, source, lines)
    if spec.key.file and not os.path.isabs(spec.key.file):
        spec.key.file = str(base / spec.key.file)
    _check(spec, where)
    steps = build_steps(spec.steps, source, lines, base)
    for i, step in enumerate(steps):
        reason = _changes_lines(step)
        if reason:
            raise RecipeError(f"{where(('steps', i))}: {step.name} cannot run over instruction examples: {reason}; "
                              "an example's fields must keep their lines")
    return LoadedTasks(spec=spec, steps=steps, source=source)


def _check(spec: TaskFile, where: Where) -> None:
    """Names unique; seen and unseen benchmarks as declared; no evaluation file read as a task."""
    names = [t.label_name for t in spec.tasks]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise RecipeError(f"{where(('tasks', i))}: task {name!r} appears twice; give one a name:")
    trained = {t.definition().benchmark: t.label_name for t in spec.tasks if t.definition().benchmark}
    task_files = {os.path.realpath(t.path): t.label_name for t in spec.tasks}
    for i, bench in enumerate(spec.evaluation):
        adapter = bench.adapter or bench.name
        if bench.seen and adapter not in trained:
            raise RecipeError(f"{where(('evaluation', i, 'seen'))}: {bench.label} is declared seen, but no task "
                              f"trains on it (a task whose benchmark: is {adapter})")
        if not bench.seen and adapter in trained:
            raise RecipeError(f"{where(('evaluation', i, 'seen'))}: {bench.label} is declared unseen, but task "
                              f"{trained[adapter]!r} trains on it")
        shared = task_files.get(os.path.realpath(bench.path))
        if shared:
            raise RecipeError(f"{where(('evaluation', i, 'path'))}: task {shared!r} reads the same files; "
                              "an evaluation set never becomes training examples")
