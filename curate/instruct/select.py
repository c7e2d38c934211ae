"""Which candidates become examples, and which template asks each: seeded and balanced.

Caps take labels in turn (a round over the labels in a seeded order, each label's rows in a
seeded order), so a task capped at N gives every label as equal a share as its rows allow.
Templates go round-robin over the examples of each label, one label after another, so every
template is used equally often (within one) in the task and within each label: no template is
tied to an answer.
"""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl

from curate.instruct.source import LABEL_CLASS

TEMPLATE = "_template"


def _rng(seed: int, salt: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(salt.encode("utf-8"))])


def _ranked(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """``_order`` (a seeded shuffle), ``_rank`` (position within its label) and ``_label_turn``."""
    labels = frame[LABEL_CLASS].fill_null("").unique().sort()
    turn = pl.DataFrame({LABEL_CLASS: labels, "_label_turn": rng.permutation(len(labels))})
    return (frame.with_columns(pl.Series("_order", rng.permutation(frame.height)),
                               pl.col(LABEL_CLASS).fill_null("").alias("_label"))
            .join(turn.rename({LABEL_CLASS: "_label"}), on="_label", how="left")
            .with_columns(pl.col("_order").rank("ordinal").over("_label").cast(pl.Int64).sub(1).alias("_rank")))


def cap(frame: pl.DataFrame, seed: int, salt: str, max_examples: int | None,
        max_per_label: int | None) -> tuple[pl.DataFrame, int]:
    """At most ``max_per_label`` rows of each label and ``max_examples`` in all; (rows, left out)."""
    if frame.height == 0:
        return frame, 0
    ranked = _ranked(frame, _rng(seed, f"cap:{salt}"))
    if max_per_label is not None:
        ranked = ranked.filter(pl.col("_rank") < max_per_label)
    ranked = ranked.sort("_rank", "_label_turn")
    if max_examples is not None:
        ranked = ranked.head(max_examples)
    kept = ranked.sort("_order").drop("_order", "_label", "_label_turn", "_rank")
    return kept, frame.height - kept.height


def assign_templates(frame: pl.DataFrame, seed: int, salt: str, templates: int) -> pl.DataFrame:
    """``_template``: the index of the template each row is asked with."""
    if frame.height == 0:
        return frame.with_columns(pl.lit(0, dtype=pl.Int64).alias(TEMPLATE))
    ranked = _ranked(frame, _rng(seed, f"templates:{salt}")).sort("_label_turn", "_rank")
    offset = int(_rng(seed, f"offset:{salt}").integers(templates))
    return (ranked.with_columns(((pl.int_range(pl.len(), dtype=pl.Int64) + offset) % templates).alias(TEMPLATE))
            .sort("_order").drop("_order", "_label", "_label_turn", "_rank"))
