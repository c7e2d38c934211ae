"""train_tokenizer: learn the corpus's subword tokenizer at the end of a pipeline.

Global step: every batch reports its word counts (vectorized), shuffled by eojeol; each
partition's reduce (on the workers) sums its words and cuts each distinct eojeol into
morphemes once (Kiwi; eojeols seen fewer than ``analyse_min_count`` times by a cheap rule,
curate/tokenizer/rare.py: the partition holds every word of its eojeols, so the count is the
corpus's); one worker task trains on the (word, pieces, count) table of distinct
words. The tokenizer lands in ``OUTPUT/tokenizer/``. Records pass through unchanged.

The files travel in the state and are written by ``finish`` when the step knows the output
directory there, else by the first ``apply`` of each worker (atomic writes of identical
content, so concurrent workers are safe).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import polars as pl
from pydantic import Field, PrivateAttr

from curate.steps import register
from curate.steps.base import GlobalStep, RunContext

OUTPUT_SUBDIR = "tokenizer"
_KEY_SEED = 0x746F6B  # "tok": partitions words by eojeol


@register
class TrainTokenizer(GlobalStep):
    name: ClassVar[str] = "train_tokenizer"

    # at least the 256 byte-level symbols and the special tokens; checked when the recipe loads
    vocab_size: int = Field(32_000, ge=300, le=2_000_000)
    algorithm: Literal["bpe", "wordpiece", "unigram"] = "bpe"
    special_tokens: str | dict[str, Any] | None = None  # a YAML path or its content; None: tokenizer/ default
    min_frequency: int = Field(2, ge=1)
    n_workers: int = Field(2, ge=1)  # Kiwi processes of `curate tokenizer train`; in a run, the shuffle's tasks cut
    analyse_min_count: int = Field(2, ge=1)  # rarer eojeols are cut by rare_rule, not Kiwi (1: Kiwi for all)
    rare_rule: Literal["syllables", "suffixes", "runs", "whole"] = "syllables"  # see curate/tokenizer/rare.py
    artifacts: ClassVar[tuple[str, ...]] = (OUTPUT_SUBDIR,)
    path_keys: ClassVar[tuple[str, ...]] = ("special_tokens",)  # when it names a YAML file

    _ctx: RunContext | None = PrivateAttr(default=None)
    _written: bool = PrivateAttr(default=False)

    def setup(self, ctx: RunContext) -> None:
        self._ctx = ctx

    def gathered(self) -> bool:
        return True  # one tokenizer is trained from every partition's pieces

    def summarize(self, df: pl.DataFrame, round: int = 0, previous: Any = None) -> pl.DataFrame:
        """The shard's (word, count) table, keyed by the word's eojeol: every eojeol is cut by
        Kiwi once, in the one partition where all its words meet."""
        from curate.tokenizer.words import split_word, word_counts

        counts = word_counts(df["text"])
        return counts.with_columns(split_word(counts["word"])["eojeol"].hash(_KEY_SEED).alias("_key"))

    def reduce(self, rows: pl.DataFrame, round: int = 0) -> pl.DataFrame:
        """One partition's words summed over shards and cut into morphemes (Kiwi runs here, on the
        workers): (word, pieces, count)."""
        from curate.tokenizer.pretokenize import pretokenize_counts
        from curate.tokenizer.words import merge_counts

        counts = merge_counts(rows.select("word", "count"))
        options = self._options()
        return pretokenize_counts(counts, n_workers=1, max_chars=options.max_chars, group=options.group,
                                  analyse_min_count=options.analyse_min_count, rare_rule=options.rare_rule)

    def finish(self, results: pl.DataFrame, keep: Any) -> dict[str, Any]:
        """Train on every partition's pieces, sorted by word (a table of distinct words, not
        of the corpus), in one worker task; write the files when the output is known."""
        from curate.tokenizer.build import train_from_pieces_table

        result = train_from_pieces_table(results.sort("word"), self._options())
        state = {"files": result.files, "seconds": result.seconds, **result.stats}
        self._write(state)
        return state

    def notes(self, state: dict[str, Any]) -> list[str]:
        got = state["vocab_size"]
        if got >= self.vocab_size:
            return []
        # BPE stops when no pair of pieces is left to merge at min_frequency: the corpus, not a bug
        return [f"vocabulary of {got:,} tokens, not the {self.vocab_size:,} asked for: the corpus "
                f"({state['distinct_words']:,} distinct words, {state['distinct_pieces']:,} distinct morpheme "
                f"pieces) has no more pairs seen at least min_frequency={self.min_frequency} times; "
                "a larger corpus or a lower min_frequency gives more"]

    def _options(self) -> Any:
        from curate.tokenizer.build import TrainOptions

        return TrainOptions(self.vocab_size, self.algorithm, self.special_tokens, self.min_frequency,
                            self.n_workers, analyse_min_count=self.analyse_min_count, rare_rule=self.rare_rule)

    def apply(self, df: pl.DataFrame, state: Any) -> pl.DataFrame:
        self._write(state)
        return df

    def _write(self, state: dict[str, Any]) -> None:
        if self._written or self._ctx is None or self._ctx.output_dir is None:
            return
        from curate.executors.store import Store

        store = Store.for_url(self._ctx.output_dir)  # a local directory or an object-store prefix
        for name, content in state["files"].items():
            store.write_bytes(f"{OUTPUT_SUBDIR}/{name}", content.encode("utf-8"))
        self._written = True
