"""Benchmark adapters: what forms an item in a benchmark's files, as data.

The shipped adapters live in ``rules/decontaminate/benchmarks.yaml`` (a recipe's ``rules:``
directory may replace that file). A recipe names one (``adapter: kmmlu``), overrides any of its
keys, or declares a benchmark of its own with the same keys and no adapter: no code either way.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from curate.rules import load_yaml

ADAPTERS_FILE = "decontaminate/benchmarks.yaml"


class Answer(BaseModel):
    """Where the gold answer's text is: a field, or an index into choices."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(description="the answer's text, or its index into the choices")
    choices: list[str] | None = Field(None, min_length=1, description="fields holding the choices")
    choices_field: str | None = Field(None, description="one list field holding the choices")
    base: int = Field(0, ge=0, le=1, description="the index of the first choice (KMMLU counts from 1)")
    pattern: str | None = Field(None, description="a regex whose first group is the answer inside the field")

    @model_validator(mode="after")
    def _one_way(self) -> Answer:
        if self.choices and self.choices_field:
            raise ValueError("give choices (fields) or choices_field (a list field), not both")
        return self


class ItemLayout(BaseModel):
    """The fields that form an item: what a shipped adapter and a recipe's own benchmark say."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    texts: list[str] = Field(min_length=1, description="fields whose text identifies the item, matched each alone")
    question: str | None = Field(None, description="the field the gold answer follows")
    answer: Answer | None = None
    id: str | None = Field(None, description="the item id field; none: the row number in its file")
    source: str = Field("", description="where the public dataset lives (documentation)")

    def fields(self) -> list[str]:
        """Every field this layout reads (for the check that a file has them)."""
        names = [*self.texts, *([self.question] if self.question else []), *([self.id] if self.id else [])]
        if self.answer is not None:
            names += [self.answer.field, *(self.answer.choices or []),
                      *([self.answer.choices_field] if self.answer.choices_field else [])]
        return list(dict.fromkeys(names))


def adapters() -> dict[str, dict[str, Any]]:
    """Every known adapter by name, as its raw mapping (validated when a recipe uses it)."""
    data = load_yaml(ADAPTERS_FILE) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{ADAPTERS_FILE}: a mapping of adapter names to layouts")
    return data


def adapter_names() -> list[str]:
    return sorted(adapters())


def layout_of(adapter: str | None, overrides: dict[str, Any]) -> ItemLayout:
    """The item layout of ``adapter`` with the recipe's ``overrides`` on top (or the overrides
    alone for a benchmark the recipe declares itself)."""
    base: dict[str, Any] = {}
    if adapter is not None:
        known = adapters()
        if adapter not in known:
            raise ValueError(f"unknown benchmark adapter {adapter!r}; known adapters: {', '.join(sorted(known))}")
        base = dict(known[adapter])
    return ItemLayout.model_validate({**base, **{k: v for k, v in overrides.items() if v is not None}})
