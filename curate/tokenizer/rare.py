"""Cheap, deterministic cuts for rare eojeols (issue 13): no Kiwi.

Most distinct eojeols are rare (benchmarks/data/corpus_256m.jsonl: 959,325 distinct, 42% seen
once, 78% fewer than 5 times, together 1.8% / 5.9% of the running eojeols) and Kiwi costs
~80 us per eojeol. Eojeols seen fewer than ``TrainOptions.analyse_min_count`` times are cut
here instead, by one of these rules (measured in docs/results-tokenizer.md):

- ``syllables`` (default): at every change of character class (Hangul syllables, Hangul jamo,
  Latin letters, ASCII digits, other letters, the rest: punctuation, symbols, emoji), where
  Kiwi nearly always cuts too (``영화...`` -> ``영화`` + ``...``), except that ASCII letters and
  digits joined by ``-.@_/:`` stay one piece as in Kiwi (e-mails, phone numbers, URLs); and
  between the syllables of a Hangul run. A rare eojeol then teaches the subword trainer
  nothing across a Hangul morpheme boundary (it cannot tell where they are), and the merges
  come from the analysed, frequent eojeols.
- ``suffixes``: the same class runs, each Hangul run cut up to ``SUFFIX_LEVELS`` times before the
  longest trailing particle or ending of ``rules/tokenizer/suffixes.txt`` that leaves a stem
  (``영화에서는`` -> ``영화`` + ``에서`` + ``는``). Agrees with Kiwi's cuts (95% precision) but finds
  only 44% of them: the stems left whole taught BPE merges across morphemes.
- ``runs``: the class runs only. ``whole``: no cut.

Pieces are slices of the eojeol, so they join back to it (checked; an eojeol whose pieces
would not is kept whole). Vectorized in Polars; the result depends only on the eojeol.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from curate.rules import cached_per_rules

RareRule = Literal["syllables", "suffixes", "runs", "whole"]
SUFFIX_LEVELS = 2
# Character-class runs; the alternatives partition every character (the last one takes the rest).
RUN_PATTERN = (r"[가-힣]+|[ㄱ-ㅎㅏ-ㅣ]+|[A-Za-z0-9]+(?:[-.@_/:][A-Za-z0-9]+)+|[A-Za-z]+|[0-9]+"
               r"|[\p{L}--[가-힣ㄱ-ㅎㅏ-ㅣA-Za-z]]+|[^\p{L}0-9]+")
SYLLABLE_PATTERN = RUN_PATTERN.replace("[가-힣]+", "[가-힣]", 1)


@cached_per_rules
def load_suffixes(name: str = "tokenizer/suffixes.txt") -> tuple[str, ...]:
    """The suffix list of ``rules/``: one per line, ``#`` comments."""
    from curate.rules import rule_path

    lines = rule_path(name).read_text(encoding="utf-8").splitlines()
    words = {line.split("#", 1)[0].strip() for line in lines}
    return tuple(sorted((w for w in words if w), key=lambda w: (-len(w), w)))


def cut_rare(eojeols: pl.Series, rule: RareRule = "syllables") -> pl.Series:
    """Pieces (List[Utf8]) of each eojeol, in order; each list joins back to its eojeol."""
    frame = pl.DataFrame({"eojeol": eojeols.cast(pl.Utf8)}).with_row_index("_e")
    whole = pl.concat_list("eojeol")
    if rule == "whole":
        return frame.select(whole.alias("pieces"))["pieces"]
    if rule not in ("syllables", "suffixes", "runs"):
        raise ValueError(f"unknown rare-eojeol rule {rule!r} (syllables, suffixes, runs, whole)")
    pattern = SYLLABLE_PATTERN if rule == "syllables" else RUN_PATTERN
    runs = (frame.select("_e", pl.col("eojeol").str.extract_all(pattern).alias("piece"))
            .explode("piece").drop_nulls("piece"))
    if rule == "suffixes":
        tail = r"^([가-힣]+?)(" + "|".join(load_suffixes()) + r")$"  # lazy stem: the longest suffix wins
        runs = runs.with_columns(pl.concat_list("piece").alias("piece"))
        for _ in range(SUFFIX_LEVELS):  # split the first piece of each run again: stem, suffix, suffix...
            first = pl.col("piece").list.first()
            stem = first.str.extract(tail, 1)
            runs = runs.with_columns(
                pl.when(stem.is_not_null())
                .then(pl.concat_list(stem, first.str.extract(tail, 2), pl.col("piece").list.slice(1)))
                .otherwise(pl.col("piece")).alias("piece"))
        runs = runs.explode("piece")
    pieces = runs.group_by("_e", maintain_order=True).agg("piece")
    out = frame.join(pieces, on="_e", how="left", maintain_order="left")
    joined = pl.col("piece").list.join("")
    return out.select(pl.when(pl.col("piece").is_not_null() & (joined == pl.col("eojeol")))
                      .then(pl.col("piece")).otherwise(whole).alias("pieces"))["pieces"]
