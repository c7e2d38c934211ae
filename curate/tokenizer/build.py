"""The whole training path: word counts -> morpheme pieces -> subword model -> DIR/tokenizer.json."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from tokenizers import Tokenizer

from curate.tokenizer.pretokenize import pretokenize_counts
from curate.tokenizer.rare import RareRule
from curate.tokenizer.specials import SpecialTokens, load_special_tokens
from curate.tokenizer.train import Algorithm, artifact_files, train_from_pieces, write_files
from curate.tokenizer.words import word_counts


@dataclass
class TrainOptions:
    vocab_size: int = 32_000
    algorithm: Algorithm = "bpe"
    special_tokens: Any = None  # SpecialTokens, a dict of its shape, a YAML path, or None for the default
    min_frequency: int = 2
    n_workers: int = 2
    max_chars: int = 100  # longer eojeols are not analysed
    group: int = 256  # eojeols per Kiwi call
    # Eojeols seen fewer times are cut by rare_rule (rare.cut_rare), not Kiwi; 1: Kiwi for all (issue 13)
    analyse_min_count: int = 2
    rare_rule: RareRule = "syllables"

    def specials(self) -> SpecialTokens:
        return load_special_tokens(self.special_tokens)


@dataclass
class TrainResult:
    tokenizer: Tokenizer
    path: Path | None
    seconds: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # what lands in the output directory


def train_from_counts(counts: pl.DataFrame, options: TrainOptions, out_dir: str | Path | None = None,
                      seconds: dict[str, float] | None = None) -> TrainResult:
    """Train from a (word, count) table (``words.word_counts``/``merge_counts``)."""
    t0 = time.perf_counter()
    table = pretokenize_counts(counts, options.n_workers, options.max_chars, options.group,
                               options.analyse_min_count, options.rare_rule)
    seconds = {**(seconds or {}), "pretokenize": time.perf_counter() - t0}
    return train_from_pieces_table(table, options, out_dir, seconds)


def train_from_pieces_table(table: pl.DataFrame, options: TrainOptions, out_dir: str | Path | None = None,
                            seconds: dict[str, float] | None = None) -> TrainResult:
    """Train from a (word, pieces, count) table (``pretokenize.pretokenize_counts``)."""
    seconds = dict(seconds or {})
    specials = options.specials()
    t1 = time.perf_counter()
    tokenizer = train_from_pieces(table, options.vocab_size, options.algorithm, specials,
                                  options.min_frequency)
    seconds["train"] = time.perf_counter() - t1
    stats = {"distinct_words": table.height, "words": int(table["count"].sum() or 0),
             "distinct_pieces": int(table["pieces"].explode().n_unique()) if table.height else 0,
             "vocab_size": tokenizer.get_vocab_size()}
    meta = {"algorithm": options.algorithm, "vocab_size_requested": options.vocab_size,
            "min_frequency": options.min_frequency, "pretokenizer": "kiwipiepy morphemes (training only)",
            "max_chars": options.max_chars, "group": options.group,
            "analyse_min_count": options.analyse_min_count, "rare_rule": options.rare_rule, **stats}
    files = artifact_files(tokenizer, specials, meta)
    path = write_files(files, out_dir) if out_dir is not None else None
    return TrainResult(tokenizer, path, {k: round(v, 3) for k, v in seconds.items()}, stats, files)


def train_from_texts(texts: pl.Series, options: TrainOptions,
                     out_dir: str | Path | None = None) -> TrainResult:
    t0 = time.perf_counter()
    counts = word_counts(texts)
    return train_from_counts(counts, options, out_dir, {"count_words": time.perf_counter() - t0})
