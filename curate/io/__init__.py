"""Reading inputs (any supported format) and writing shards."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.io.formats import InputError, detect, expand
from curate.io.plan import plan_inputs
from curate.io.read import InputSpec, iter_raw_shards, parse_raw_shard


def load_texts(paths: list[str] | str, text_field: str = "text", fmt: str | None = None,
               base: Path | None = None, batch_size: int = 50_000) -> pl.Series:
    """All readable texts of ``paths`` (files or globs, any input format) in input order.

    For small side inputs such as evaluation sets; unreadable records are skipped
    here (the pipeline proper quarantines them).
    """
    patterns = [paths] if isinstance(paths, str) else list(paths)
    plan = plan_inputs(expand(patterns, base), fmt, batch_size)
    spec = InputSpec(text_field=text_field)
    frames = [parse_raw_shard(raw, spec).frame["text"]
              for raw in iter_raw_shards(plan.files, plan.shards, batch_size)]
    return pl.concat(frames) if frames else pl.Series("text", [], dtype=pl.Utf8)


__all__ = ["InputError", "InputSpec", "detect", "expand", "load_texts", "plan_inputs"]
