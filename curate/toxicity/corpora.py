"""The labelled corpora the toxicity model learns from, on curate's label columns, and their
fixed held-out parts.

Every corpus is read into the same columns: ``text``, ``hate`` (hate / offensive / none),
``gender_bias``, ``other_bias`` (booleans) and ``corpus``. K-MHaS has no hate / offensive
distinction of its own; it is mapped as BEEP! draws it: a comment with any hate category
(origin, physical appearance, politics, age, gender, race, religion) is ``hate``, one with
profanity alone ``offensive``, "not hate speech" ``none``. Its eight categories are kept as
``kmhas_<name>`` columns (null for BEEP!).

Held-out parts: a seeded stratified 20% of each corpus (numpy's generator, not a library
whose shuffling may change), never trained on; BEEP!'s is the one the earlier models were
measured on (same seed, same strata).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

KMHAS_CATEGORIES = ("origin", "physical", "politics", "profanity", "age", "gender", "race", "religion")
KMHAS_NOT_HATE = 8  # the code of "not hate speech"
# K-MHaS categories that are a bias against a group other than gender.
KMHAS_OTHER_BIAS = ("origin", "physical", "politics", "age", "race", "religion")
HELD_OUT_FRACTION = 0.2
SPLIT_SEED = 0
CORPORA = ("beep", "kmhas")


def load_beep(path: str | Path) -> pl.DataFrame:
    """BEEP!'s TSV (comments, contain_gender_bias, bias, hate) on curate's label columns."""
    raw = pl.read_csv(path, separator="\t", quote_char=None, schema_overrides={"contain_gender_bias": pl.Utf8})
    return raw.select(
        pl.col("comments").alias("text"),
        pl.col("hate"),
        (pl.col("contain_gender_bias").str.to_lowercase() == "true").alias("gender_bias"),
        (pl.col("bias") == "others").alias("other_bias"),
        pl.lit("beep").alias("corpus"),
        *[pl.lit(None, dtype=pl.Boolean).alias(f"kmhas_{name}") for name in KMHAS_CATEGORIES],
    )


def load_kmhas(path: str | Path) -> pl.DataFrame:
    """K-MHaS's TSV (document, label: comma-separated codes) on curate's label columns, plus
    one ``kmhas_<category>`` column per category."""
    raw = pl.read_csv(path, separator="\t", quote_char=None, schema_overrides={"label": pl.Utf8})
    # A document that was quoted in the file (most multi-label rows are) loses its quotes:
    # left in, the quote itself would be learnt as a sign of hate.
    quoted = pl.col("document").str.starts_with('"') & pl.col("document").str.ends_with('"')
    text = pl.when(quoted).then(pl.col("document").str.slice(1, pl.col("document").str.len_chars() - 2)
                                .str.replace_all('""', '"', literal=True)).otherwise(pl.col("document"))
    codes = pl.col("label").str.split(",").list.eval(pl.element().str.strip_chars().cast(pl.Int64))
    categories = [codes.list.contains(code).alias(f"kmhas_{name}") for code, name in enumerate(KMHAS_CATEGORIES)]
    frame = raw.select(text.alias("text"), *categories)
    is_hate = pl.any_horizontal([pl.col(f"kmhas_{name}") for name in KMHAS_CATEGORIES if name != "profanity"])
    return frame.select(
        "text",
        pl.when(is_hate).then(pl.lit("hate")).when(pl.col("kmhas_profanity")).then(pl.lit("offensive"))
        .otherwise(pl.lit("none")).alias("hate"),
        pl.col("kmhas_gender").alias("gender_bias"),
        pl.any_horizontal([pl.col(f"kmhas_{name}") for name in KMHAS_OTHER_BIAS]).alias("other_bias"),
        pl.lit("kmhas").alias("corpus"),
        *[f"kmhas_{name}" for name in KMHAS_CATEGORIES],
    )


def split(labels: pl.DataFrame, fraction: float = HELD_OUT_FRACTION, seed: int = SPLIT_SEED
          ) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, held-out), stratified by hate class x gender bias."""
    strata = labels.select(pl.col("hate") + "/" + pl.col("gender_bias").cast(pl.Utf8)).to_series().to_numpy()
    rng = np.random.default_rng(seed)
    held_out = []
    for stratum in sorted(set(strata)):
        members = np.flatnonzero(strata == stratum)
        held_out.append(rng.permutation(members)[: round(len(members) * fraction)])
    held = np.zeros(len(labels), dtype=bool)
    held[np.concatenate(held_out)] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def parts(frame: pl.DataFrame, fraction: float = HELD_OUT_FRACTION, seed: int = SPLIT_SEED
          ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(training part, held-out part) of one corpus."""
    train_rows, held_rows = split(frame, fraction, seed)
    return frame[train_rows], frame[held_rows]


def load(name: str, path: str | Path) -> pl.DataFrame:
    return {"beep": load_beep, "kmhas": load_kmhas}[name](path)
