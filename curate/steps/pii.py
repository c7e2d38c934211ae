"""pii: find personal information and replace it (fakes, tags, keyed hashes) or drop its sentences.

Key, in order: the run's key (``RunContext.key``, filled by the executor from the recipe's
``key`` settings), the file ``key_file``, the environment variable ``key_env``. Without any key
the output is NOT reproducible across runs: the executor then draws one random key per run (so
fakes still agree across the run's workers), and a step used outside an executor draws its own.

Counters: ``pii_<type>`` spans found per type, plus ``sentences_removed`` in remove_sentence
mode; never values.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

import polars as pl
from pydantic import PrivateAttr, field_validator

from curate.pii.keys import DEFAULT_KEY_ENV, key_from_env_or_file
from curate.pii.pseudonymizer import MODES, SENTENCES_REMOVED, Pseudonymizer, check_mode, known_types
from curate.pii.raw import scrub_raw_lines
from curate.steps import register
from curate.steps.base import GROUP, Fraction, RunContext, Step, StepOutput


@register
class Pii(Step):
    """Pseudonymize (default), mask, hash or remove sentences holding PII; ``modes`` picks another
    treatment per type."""

    name: ClassVar[str] = "pii"

    mode: str = "pseudonymize"
    modes: dict[str, str] | None = None  # a mode per type that differs from `mode`: {rrn: mask, email: hash}
    types: list[str] | None = None
    allow: list[str] | None = None  # values left as they are, whatever their type: public figures' names
    min_score: Fraction | None = None
    tags: dict[str, str] | None = None
    key_env: str = DEFAULT_KEY_ENV
    key_file: str | None = None
    annotate: bool = False  # write pii_<type>: the values found per document, by type (counts only)

    _pseudonymizer: Pseudonymizer | None = PrivateAttr(default=None)

    def shortens_text(self) -> bool:
        return True  # fakes differ in length from what they replace; remove_sentence drops lines

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        if value not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        return value

    @field_validator("modes")
    @classmethod
    def _known_modes(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value:
            known_types(list(value))
            for mode in value.values():
                check_mode(mode)
        return value

    @field_validator("types", mode="before")
    @classmethod
    def _known_types(cls, value: Any) -> list[str] | None:
        return known_types(value) if value is None or isinstance(value, str | list | tuple) else value

    def columns_written(self) -> tuple[str, ...]:
        if not self.annotate:
            return ()
        return tuple(f"pii_{t}" for t in (self.types or Pseudonymizer.default_types()))

    def key_sources(self) -> tuple[str | None, str | None] | None:
        # mask and remove_sentence write no value derived from a key: no key to read or warn about
        keyed = {self.mode, *(self.modes or {}).values()} & {"pseudonymize", "hash"}
        return (self.key_file, self.key_env) if keyed else None

    def _build(self, ctx: RunContext, mode: str, modes: dict[str, str] | None) -> Pseudonymizer:
        key = ctx.key if ctx.key else key_from_env_or_file(self.key_file, self.key_env)
        return Pseudonymizer(key=key, types=self.types, mode=mode, tags=self.tags, min_score=self.min_score,
                             modes=modes, allow=self.allow)

    def setup(self, ctx: RunContext) -> None:
        self._pseudonymizer = self._build(ctx, self.mode, self.modes)

    def quarantine_scrubber(self, ctx: RunContext) -> Callable[[list[str]], list[str]]:
        """Quarantined raw lines get this step's treatment, found through their JSON escapes.
        Sentence removal becomes masking there: raw bytes are evidence of what was unreadable
        and keep their shape."""
        def raw(mode: str) -> str:
            return "mask" if mode == "remove_sentence" else mode

        modes = {t: raw(m) for t, m in (self.modes or {}).items()}
        return partial(scrub_raw_lines, self._build(ctx, raw(self.mode), modes))

    def process(self, df: pl.DataFrame) -> StepOutput:
        if self._pseudonymizer is None:  # direct use without an executor
            self.setup(RunContext())
        assert self._pseudonymizer is not None
        by_group: dict[str, dict[str, int]] = {}
        if self.annotate or GROUP in df.columns:
            text, counts, per_row = self._pseudonymizer.pseudonymize_annotated(df["text"])
            out = df.with_columns(text.alias("text"), *per_row.get_columns()) if self.annotate else \
                df.with_columns(text.alias("text"))
            if GROUP in df.columns:  # the report counts PII by type per report.group_by value
                sums = per_row.with_columns(df[GROUP]).group_by(GROUP).sum()
                by_group = {row.pop(GROUP): {k: v for k, v in row.items() if v}
                            for row in sums.iter_rows(named=True)}
        else:
            text, counts = self._pseudonymizer.pseudonymize_batch(df["text"], return_counts=True)
            out = df.with_columns(text.alias("text"))
        counters = {
            (name if name == SENTENCES_REMOVED else f"pii_{name}"): count for name, count in counts.items()
        }
        return StepOutput(out, counters=counters, by_group=by_group)
