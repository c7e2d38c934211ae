"""What a match is: a unit of text (a line or a document of the batch), the probe it holds,
how it was found, and how closely."""

from __future__ import annotations

import polars as pl

HIT_SCHEMA = {"unit": pl.Int64, "probe": pl.Int32, "match": pl.Utf8, "score": pl.Float64}
# strongest first: a unit and item found several ways is reported by the first of these
MATCH_KINDS = ("with_answer", "overlap", "whole", "paraphrase")


def no_hits() -> pl.DataFrame:
    return pl.DataFrame(schema=HIT_SCHEMA)
