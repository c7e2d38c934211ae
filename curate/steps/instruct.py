"""instruct: each record becomes an instruction example of a task (KIT-19's templates as data).

The recipe's records are a labelled dataset (``input.text_field`` names the field curate calls
``text``; tell this step its name with ``text_field`` when a task reads it). A task definition
(``rules/instruct/tasks/<task>.yaml``, or ``fields``/``label``/``templates`` given here) says
which fields a template uses and how labels read as answers. Each record's ``text`` becomes the
user turn (instruction and input), and the step writes ``task``, ``template_id``, ``label`` and
the layout's columns: ``messages`` (system/user/assistant), or ``instruction``/``input``/
``output``, or ``prompt``/``completion``. Steps after it (``decontaminate``, ``dedup_exact``)
see the rendered prompt.

Dropped: a record of an evaluation split (``split_field``: test, validation, dev), a record
without a field or a label, a label the task does not map, an input over ``max_input_chars``.
Template choice is seeded and balanced within each batch (within one per template and label);
caps per task and label need the whole dataset: ``curate instruct`` applies them.
"""

from __future__ import annotations

import zlib
from typing import ClassVar, Literal

import polars as pl
from pydantic import Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from curate.decontam.items import field_text
from curate.instruct.build import render_examples
from curate.instruct.layouts import layout_frame, user_turn
from curate.instruct.select import assign_templates
from curate.instruct.source import LABEL_RAW, field_column, label_class, skip_reason
from curate.instruct.spec import EVALUATION_SPLITS, Label, TaskDefinition, Template, definition_of
from curate.steps import register
from curate.steps.base import DROP, RunContext, Step, StepOutput

_META = ("task", "template_id", "label")
_LAYOUT_COLUMNS = {"messages": ("messages",), "alpaca": ("instruction", "input", "output"),
                   "prompt_completion": ("prompt", "completion")}


@register
class Instruct(Step):
    name: ClassVar[str] = "instruct"

    task: str | None = Field(None, description="a task definition in rules/instruct/tasks/")
    task_name: str | None = Field(None, description="the task recorded on each example; default: task")
    text_field: str = Field("text", description="the input field the recipe reads as its text (input.text_field)")
    split_field: str | None = Field(None, description="a record field holding its split: evaluation splits "
                                                      "are dropped, never made examples")
    layout: Literal["messages", "alpaca", "prompt_completion"] = "messages"
    fields: dict[str, str] | None = None
    label: Label | None = None
    templates: list[Template] | None = None
    system: str | None = None
    max_input_chars: int | None = Field(None, ge=1)

    _definition: TaskDefinition | None = PrivateAttr(default=None)
    _seed: int = PrivateAttr(default=0)

    @model_validator(mode="after")
    def _defined(self) -> Instruct:
        if self.task is None and self.task_name is None:
            raise PydanticCustomError("task", "name a task (task:) or give task_name with fields and templates")
        try:
            self._definition = self.definition()
        except ValueError as exc:
            raise PydanticCustomError("task", "{msg}", {"msg": str(exc).splitlines()[0]}) from None
        return self

    def definition(self) -> TaskDefinition:
        overrides = {"fields": self.fields, "label": self.label, "templates": self.templates,
                     "system": self.system, "max_input_chars": self.max_input_chars}
        return definition_of(self.task, overrides)

    def columns_written(self) -> tuple[str, ...]:
        return _META + _LAYOUT_COLUMNS[self.layout]

    def shortens_text(self) -> bool:
        return False  # the text becomes a prompt, longer than the input it holds

    def setup(self, ctx: RunContext) -> None:
        self._seed = ctx.seed

    def _column(self, df: pl.DataFrame, source_field: str) -> pl.Series:
        if source_field == self.text_field:
            return df["text"]
        return field_text(df, source_field, f"step instruct ({self.task or self.task_name})")

    def process(self, df: pl.DataFrame) -> StepOutput:
        definition = self._definition
        assert definition is not None
        name = self.task_name or self.task or ""
        names = [field_column(p) for p in definition.fields]
        frame = pl.DataFrame([self._column(df, f).alias(field_column(p)) for p, f in definition.fields.items()]
                             + [(self._column(df, definition.label.field) if definition.label
                                 else pl.Series([None] * df.height, dtype=pl.Utf8)).alias(LABEL_RAW)])
        split = (df[self.split_field].cast(pl.Utf8) if self.split_field
                 else pl.Series([None] * df.height, dtype=pl.Utf8))
        frame = frame.with_columns(pl.Series("_row", range(df.height)), df["id"].cast(pl.Utf8).alias("id"),
                                   df["id"].cast(pl.Utf8).alias("source_id"), split.alias("source_split"))
        reason = pl.when(pl.col("source_split").is_in(list(EVALUATION_SPLITS))).then(pl.lit("evaluation_split"))
        frame = frame.with_columns(pl.coalesce(reason, skip_reason(names, definition)).alias(DROP))
        alive = frame.filter(pl.col(DROP).is_null()).with_columns(label_class(definition))
        # seeded per batch: the same batch gives the same choices on any executor
        salt = f"{name}:{zlib.crc32(''.join(alive['id'].head(3).to_list()).encode('utf-8'))}"
        chosen = assign_templates(alive, self._seed, salt, len(definition.templates))
        examples = render_examples(chosen, name, definition, None).with_columns(chosen["_row"])
        out = layout_frame(examples, self.layout).with_columns(examples["_row"],
                                                               examples.select(user_turn())[:, 0].alias("_prompt"))
        placed = frame.select("_row", DROP).join(out, on="_row", how="left").sort("_row")
        per_template = examples.group_by("template_id").len().sort("template_id")
        counters = {f"examples_{t}": n for t, n in per_template.iter_rows()}
        result = df.with_columns(pl.coalesce(placed["_prompt"], df["text"]).alias("text"),
                                 *[placed[c] for c in self.columns_written()], placed[DROP])
        return StepOutput(result, counters=counters)

