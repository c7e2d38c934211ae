"""train_tokenizer: learn the corpus's subword tokenizer at the end of a pipeline.

Global step: every batch reports its word counts (vectorized), the driver merges
them, cuts each distinct eojeol into morphemes once (in parallel) and trains;
the tokenizer lands in ``OUTPUT/tokenizer/``. Records pass through unchanged.

The files travel in the reduced state and are written by ``reduce`` when the
step knows the output directory there, else by the first ``apply`` of each
worker (atomic writes of identical content, so concurrent workers are safe).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar, Literal

import polars as pl
from pydantic import PrivateAttr

from curate.steps import register
from curate.steps.base import GlobalStep, RunContext

OUTPUT_SUBDIR = "tokenizer"


@register
class TrainTokenizer(GlobalStep):
    name: ClassVar[str] = "train_tokenizer"

    vocab_size: int = 32_000
    algorithm: Literal["bpe", "wordpiece", "unigram"] = "bpe"
    special_tokens: str | dict[str, Any] | None = None  # a YAML path or its content; None: tokenizer/ default
    min_frequency: int = 2
    n_workers: int = 2
    use_ray: bool | None = None  # cut eojeols in Ray tasks; None: when the run is on Ray (ray.init done)

    _ctx: RunContext | None = PrivateAttr(default=None)
    _written: bool = PrivateAttr(default=False)

    def setup(self, ctx: RunContext) -> None:
        self._ctx = ctx

    def summarize(self, df: pl.DataFrame) -> pl.DataFrame:
        from curate.tokenizer.words import word_counts

        return word_counts(df["text"])

    def reduce(self, summary: pl.DataFrame) -> dict[str, Any]:
        from curate.tokenizer.build import TrainOptions, train_from_counts
        from curate.tokenizer.words import merge_counts

        if summary.height == 0:
            summary = pl.DataFrame(schema={"word": pl.Utf8, "count": pl.Int64})
        use_ray = self.use_ray if self.use_ray is not None else _ray_running()
        options = TrainOptions(self.vocab_size, self.algorithm, self.special_tokens, self.min_frequency,
                               self.n_workers, use_ray)
        result = train_from_counts(merge_counts(summary), options)
        state = {"files": result.files, "seconds": result.seconds, **result.stats}
        self._write(state)
        return state

    def apply(self, df: pl.DataFrame, state: Any) -> pl.DataFrame:
        self._write(state)
        return df

    def _write(self, state: dict[str, Any]) -> None:
        if self._written or self._ctx is None or self._ctx.output_dir is None:
            return
        from curate.tokenizer.train import write_files

        write_files(state["files"], Path(self._ctx.output_dir) / OUTPUT_SUBDIR)
        self._written = True


def _ray_running() -> bool:
    """Whether this process is a Ray driver (the Ray executor's reduce); never imports Ray itself
    (importing it costs seconds and starts threads)."""
    ray = sys.modules.get("ray")
    return ray is not None and ray.is_initialized()
