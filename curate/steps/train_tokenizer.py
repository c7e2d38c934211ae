"""train_tokenizer: learn the corpus's subword tokenizer at the end of a pipeline.

Global step: every batch reports its word counts (vectorized), the driver merges
them, cuts each distinct eojeol into morphemes once (in parallel) and trains;
the tokenizer lands in ``OUTPUT/tokenizer/``. Records pass through unchanged.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import polars as pl
from pydantic import PrivateAttr

from curate.steps import register
from curate.steps.base import GlobalStep, RunContext


@register
class TrainTokenizer(GlobalStep):
    name: ClassVar[str] = "train_tokenizer"

    vocab_size: int = 32_000
    algorithm: Literal["bpe", "wordpiece", "unigram"] = "bpe"
    special_tokens: str | dict[str, Any] | None = None  # a YAML path or its content; None: tokenizer/ default
    min_frequency: int = 2
    n_workers: int = 2
    use_ray: bool = False  # cut eojeols in Ray tasks (the driver must have called ray.init)

    _ctx: RunContext | None = PrivateAttr(default=None)

    def setup(self, ctx: RunContext) -> None:
        self._ctx = ctx

    def summarize(self, df: pl.DataFrame) -> pl.DataFrame:
        from curate.tokenizer.words import word_counts

        return word_counts(df["text"])

    def reduce(self, summary: pl.DataFrame) -> dict[str, Any]:
        from pathlib import Path

        from curate.tokenizer.build import TrainOptions, train_from_counts
        from curate.tokenizer.words import merge_counts

        if self._ctx is None or self._ctx.output_dir is None:
            raise RuntimeError("train_tokenizer needs setup(ctx) with ctx.output_dir before reduce")
        if summary.height == 0:
            summary = pl.DataFrame(schema={"word": pl.Utf8, "count": pl.Int64})
        options = TrainOptions(self.vocab_size, self.algorithm, self.special_tokens, self.min_frequency,
                               self.n_workers, self.use_ray)
        result = train_from_counts(merge_counts(summary), options, Path(self._ctx.output_dir) / "tokenizer")
        return {"path": str(result.path), "seconds": result.seconds, **result.stats}

    def apply(self, df: pl.DataFrame, state: Any) -> pl.DataFrame:
        return df
