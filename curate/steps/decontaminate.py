"""decontaminate: remove corpus text that overlaps evaluation sets (KLUE, KoBEST, ...).

KLUE removed from its pretraining corpora the sentences that also appear in its tasks;
a corpus that leaks test items makes every score measured on them meaningless.

The evaluation sets (any input format the pipeline reads) are indexed in ``setup`` as
the distinct ``ngram``-character windows of their normalized items (NFKC, lowercase,
letters and digits only: spacing and punctuation changes do not hide a copy). Why
characters and not eojeols: Korean spacing varies freely, so eojeol n-grams break on
the most common edit; and why 10 by default: ten Hangul syllables are about three
eojeols, rare enough by themselves, while a 20-syllable item still has 11 windows so a
single typo leaves most of them intact. See ``curate.dedup.ngram_index`` for the
overlap rule (``min_overlap`` of the item's or of the text's n-grams).

``unit: line`` (default) removes lines (sentences, after ``split_sentences``);
``unit: document`` removes whole documents. With ``similarity`` set (``unit: line``
only; a document is not "similar" to a sentence), a line is also removed when the
cosine of its character ``similarity.ngram`` vector with an item's reaches
``similarity.threshold``: KLUE matched by BM25 similarity; this is the character
variant, which catches reworded copies (a word or two replaced) that share no long
n-gram. On hand-written KLUE-style items, copies with one or two words replaced score
0.67-0.78 (3-grams) and same-topic sentences at most 0.26; default threshold 0.6.

A removed unit is attributed to the first evaluation set (recipe order) it overlaps.
Counters: ``removed_<set name>`` (units removed; ``found_`` with ``drop: false``, which removes
nothing and marks a document with any contaminated unit in ``decontaminate_reason``).
``annotate: true`` writes ``contaminated_units`` and ``contaminated_by`` (set names) per document.
Items with fewer than ``ngram`` normalized characters have no n-gram and are not indexed (``index.skipped_short``).
Examples: evaluation set name and corpus id; never text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from curate.dedup.ngram_index import GramIndex, build_gram_index, shared_grams
from curate.dedup.normalize import normalize_series
from curate.io import load_texts
from curate.steps import register
from curate.steps.base import RunContext, Step, StepOutput
from curate.steps.filter import drop_reason
from curate.text.lines import DOC, LINE, explode_lines, implode_lines, with_text

REASON = "eval_contamination"
ANNOTATIONS = ("contaminated_units", "contaminated_by")
EXAMPLES_PER_BATCH = 5


class EvalSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    path: str
    field: str = "text"
    format: Literal["jsonl", "text", "parquet"] | None = None


class Similarity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["char_ngram_cosine"] = "char_ngram_cosine"
    ngram: int = Field(3, ge=2, le=8)
    threshold: float = Field(0.6, gt=0.0, le=1.0)
    max_items: int = Field(50, ge=1, description="n-grams held by more items are left out")


@dataclass(frozen=True)
class EvalIndex:
    set_names: tuple[str, ...]
    item_set: np.ndarray  # eval set number of each item
    overlap: GramIndex
    similarity: GramIndex | None


@register
class Decontaminate(Step):
    name: ClassVar[str] = "decontaminate"

    eval_sets: list[EvalSet] = Field(min_length=1)
    ngram: int = Field(10, ge=4, le=64, description="normalized characters per n-gram")
    unit: Literal["line", "document"] = "line"
    min_overlap: float = Field(0.5, gt=0.0, le=1.0)
    min_text_ngrams: int = Field(3, ge=1, description="a text this short is never judged 'part of an item'")
    similarity: Similarity | None = None
    # false: nothing is removed; a document with contaminated text gets decontaminate_reason
    drop: bool = True
    # true: contaminated_units (units that overlap an evaluation set) and contaminated_by (the
    # sets they overlap, recipe order) on every document
    annotate: bool = False

    _index: EvalIndex | None = PrivateAttr(default=None)

    def shortens_text(self) -> bool:
        return self.drop

    def columns_written(self) -> tuple[str, ...]:
        return super().columns_written() + (ANNOTATIONS if self.annotate else ())

    def setup(self, ctx: RunContext) -> None:
        loaded = [load_texts(s.path, text_field=s.field, fmt=s.format) for s in self.eval_sets]
        items = normalize_series(pl.concat(loaded)) if loaded else pl.Series([], dtype=pl.Utf8)
        item_set = np.repeat(np.arange(len(loaded)), [len(x) for x in loaded])
        similarity = None
        if self.similarity is not None and self.unit == "line":
            similarity = build_gram_index(items, self.similarity.ngram, self.similarity.max_items)
        self._index = EvalIndex(set_names=tuple(s.name for s in self.eval_sets), item_set=item_set,
                                overlap=build_gram_index(items, self.ngram), similarity=similarity)

    def _flag(self, texts: pl.Series) -> np.ndarray:
        """Per text: number of the eval set it overlaps (first in recipe order), or -1."""
        index = self._index
        assert index is not None, "setup() was not called"
        normalized = normalize_series(texts)
        pairs = shared_grams(normalized, index.overlap)
        copied = (pl.col("shared") >= self.min_overlap * pl.col("item_grams")) | (
            (pl.col("text_grams") >= self.min_text_ngrams)
            & (pl.col("shared") >= self.min_overlap * pl.col("text_grams")))
        hits = pairs.filter(copied).select("_text", "_item")
        if index.similarity is not None and self.similarity is not None:
            close = shared_grams(normalized, index.similarity).filter(
                pl.col("text_grams") >= self.min_text_ngrams,
                pl.col("shared") >= self.similarity.threshold
                * (pl.col("text_grams") * pl.col("item_grams")).cast(pl.Float64).sqrt())
            hits = pl.concat([hits, close.select("_text", "_item")])
        verdict = np.full(len(texts), -1, dtype=np.int64)
        if hits.height == 0:
            return verdict
        hits = hits.with_columns(_set=pl.Series(index.item_set[hits["_item"].to_numpy()]))
        first = hits.group_by("_text").agg(pl.col("_set").min())
        verdict[first["_text"].to_numpy()] = first["_set"].to_numpy()
        return verdict

    def process(self, df: pl.DataFrame) -> StepOutput:
        index = self._index
        assert index is not None, "setup() was not called"
        if self.unit == "document":
            verdict = self._flag(df["text"])
            doc_of_unit = np.arange(df.height)
        else:
            lines = explode_lines(df)
            verdict = self._flag(lines[LINE])
            doc_of_unit = lines[DOC].to_numpy()
        units_hit = np.bincount(doc_of_unit[verdict >= 0], minlength=df.height)
        out = df
        if self.unit == "document" or not self.drop:  # drop: false marks the document (runner: a flag)
            out = df.with_columns(drop_reason([(REASON, pl.Series(units_hit > 0))]))
        elif (verdict >= 0).any():
            out = with_text(df, implode_lines(lines, pl.Series(verdict < 0)))
        if self.annotate:
            out = out.with_columns(self._annotations(verdict, doc_of_unit, units_hit))
        examples = self._examples(df["id"], verdict, doc_of_unit)
        return StepOutput(out, counters=self._counters(verdict), examples=examples)

    def _annotations(self, verdict: np.ndarray, doc_of_unit: np.ndarray, units_hit: np.ndarray) -> list[pl.Series]:
        """Per document: how many units overlap an evaluation set, and which sets (recipe order)."""
        index = self._index
        assert index is not None
        hit = verdict >= 0
        names = pl.Series(index.set_names, dtype=pl.Utf8)
        pairs = pl.DataFrame({"doc": doc_of_unit[hit], "set": verdict[hit]}).unique().sort("doc", "set")
        by_doc = pairs.group_by("doc", maintain_order=True).agg(pl.col("set"))
        sets: list[list[str]] = [[] for _ in range(len(units_hit))]
        for doc, numbers in by_doc.iter_rows():  # only contaminated documents: few
            sets[doc] = names.gather(numbers).to_list()
        return [pl.Series(ANNOTATIONS[0], units_hit, dtype=pl.UInt32),
                pl.Series(ANNOTATIONS[1], sets, dtype=pl.List(pl.Utf8))]

    def _counters(self, verdict: np.ndarray) -> dict[str, int]:
        index = self._index
        assert index is not None
        counts = np.bincount(verdict[verdict >= 0], minlength=len(index.set_names))
        prefix = "removed" if self.drop else "found"
        return {f"{prefix}_{name}": int(counts[i]) for i, name in enumerate(index.set_names)}

    def _examples(self, ids: pl.Series, verdict: np.ndarray, doc_of_unit: np.ndarray) -> list[dict[str, Any]]:
        index = self._index
        assert index is not None
        removed = np.flatnonzero(verdict >= 0)[:EXAMPLES_PER_BATCH]
        return [{"eval_set": index.set_names[verdict[u]], "id": ids[int(doc_of_unit[u])]} for u in removed]
