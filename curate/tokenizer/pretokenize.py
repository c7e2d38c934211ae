"""(word, count) -> (word, pieces, count): Kiwi runs once per distinct eojeol (rare ones: see rare.py).

The word table comes from ``words.word_counts`` (vectorized). Distinct eojeols
are cut by Kiwi in a pool of spawned processes (spawn: Polars deadlocks in forked
children) mapping one function over sorted slices, so the result does not depend on
the worker count beyond Kiwi's grouping (see ``morphemes.iter_pieces``). In a pipeline
run the step's shuffle calls this per partition with one process: the partitions are
the parallelism.
"""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

import polars as pl

from curate.progress import advance
from curate.tokenizer.morphemes import CHUNK, iter_pieces, load_kiwi
from curate.tokenizer.rare import RareRule, cut_rare
from curate.tokenizer.words import split_word

SLICE = 50_000  # distinct eojeols per task: large enough to amortize, small enough to balance
# Pieces travel joined by a space, which no eojeol contains (an eojeol is a run of non-space
# characters): one string per eojeol is ~5x cheaper to build a Polars column from (and to send
# between processes) than a list of strings, and ``str.split`` restores the pieces exactly.
SEP = " "
KIWI_WORDS = "Kiwi, distinct words"  # the progress count of eojeols cut (curate/progress.py)

_KIWI = None  # the worker process's analyzer


def _cut_slice(eojeols: list[str], max_chars: int, group: int, before: int = 0, total: int = 0) -> list[str]:
    """One slice's pieces; ``before`` eojeols of ``total`` were cut already (for progress)."""
    global _KIWI
    if _KIWI is None:
        _KIWI = load_kiwi(1)
    out = []
    for pieces in iter_pieces(_KIWI, eojeols, max_chars, group):
        out.append(SEP.join(pieces))
        if len(out) % CHUNK == 0:
            advance(KIWI_WORDS, before + len(out), total)
    return out


def cut_eojeols(eojeols: list[str], n_workers: int = 2, max_chars: int = 100,
                group: int = 256) -> list[str]:
    """Morpheme pieces of each eojeol, in order, joined by ``SEP``."""
    slices = [eojeols[i:i + SLICE] for i in range(0, len(eojeols), SLICE)]
    out: list[str] = []
    advance(KIWI_WORDS, 0, len(eojeols))
    if n_workers <= 1 or len(slices) <= 1:
        for s in slices:
            out.extend(_cut_slice(s, max_chars, group, len(out), len(eojeols)))
    else:
        with ProcessPoolExecutor(n_workers, mp_context=mp.get_context("spawn")) as pool:
            for result in pool.map(_cut_slice, slices, [max_chars] * len(slices), [group] * len(slices)):
                out.extend(result)
                advance(KIWI_WORDS, len(out), len(eojeols))
    advance(KIWI_WORDS, len(out), len(eojeols))
    return out


def pretokenize_counts(counts: pl.DataFrame, n_workers: int = 2, max_chars: int = 100,
                       group: int = 256, analyse_min_count: int = 1,
                       rare_rule: RareRule = "syllables") -> pl.DataFrame:
    """``counts`` (word, count) -> (word, pieces: list of str, count), rows in ``counts`` order.

    A word's pieces join back to the word; an eojeol's leading space stays on its first piece.
    Eojeols whose total count (over the words that contain them) is below ``analyse_min_count``
    and that are at most ``max_chars`` long are cut by ``rare.cut_rare(rare_rule)``, not Kiwi;
    ``analyse_min_count=1`` sends every eojeol to Kiwi. The count is the eojeol's count in
    ``counts``, so a caller must pass all words of an eojeol together (the step's shuffle does).
    """
    parts = split_word(counts["word"])
    both = pl.concat([counts.select("count"), parts], how="horizontal")
    eojeols = (both.filter(pl.col("eojeol") != "").group_by("eojeol").agg(pl.col("count").sum())
               .sort("eojeol"))
    rare = (pl.col("count") < analyse_min_count) & (pl.col("eojeol").str.len_chars() <= max_chars)
    analysed = eojeols.filter(~rare)["eojeol"]
    cut = cut_eojeols(analysed.to_list(), n_workers, max_chars, group)
    cheap = eojeols.filter(rare)["eojeol"]
    table = pl.concat([pl.DataFrame({"eojeol": analysed, "cut": pl.Series(cut, dtype=pl.Utf8).str.split(SEP)}),
                       pl.DataFrame({"eojeol": cheap, "cut": cut_rare(cheap, rare_rule)})])
    joined = pl.concat([counts, parts], how="horizontal").join(table, on="eojeol", how="left",
                                                                 maintain_order="left")
    pieces = (pl.when(pl.col("eojeol") == "").then(pl.concat_list(pl.col("word")))
              .otherwise(pl.concat_list(pl.col("prefix") + pl.col("cut").list.first(),
                                        pl.col("cut").list.slice(1))))
    return joined.select("word", pieces.alias("pieces"), "count")
