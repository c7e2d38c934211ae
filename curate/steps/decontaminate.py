"""decontaminate: find which benchmark items leaked into the corpus, report them, and remove them.

KLUE removed from its pretraining corpora the sentences that also appear in its tasks; a
corpus that leaks test items makes every score measured on them meaningless. This step reads
the benchmarks a model will be judged on through their adapters (``rules/decontaminate/
benchmarks.yaml``: KLUE, KoBEST, KMMLU, HAE-RAE, CLIcK, KorNAT, the Open Ko-LLM Leaderboard 2
tasks; or any benchmark the recipe declares with ``texts``/``question``/``answer``/``id``),
in their Hugging Face on-disk layouts (Parquet, JSONL, CSV, ``save_to_disk`` Arrow).

Each item's text fields are matched on normalized text (``curate.decontam.match``): a long
n-gram overlap (``ngram`` characters; spacing and punctuation edits change nothing), the
question with the gold answer nearby, a short field equal to a whole line; and with
``similarity`` (``unit: line``), a close paraphrase by character n-gram cosine. Why
characters and 10: Korean spacing varies freely, so eojeol n-grams break on the most common
edit, and ten Hangul syllables are about three eojeols, rare enough alone.

The index is built once per run by the driver and memory-mapped by every worker
(``shares_state``); nothing of it grows with the corpus. Every match is a row of
``OUTPUT/reports/decontamination.parquet`` (benchmark, split, item id, match, field, corpus
document id, source, score) and report.html has a table per benchmark. ``report_only: true``
finds and reports, and changes nothing; ``drop: false`` marks documents in
``decontaminate_reason``; otherwise ``unit: line`` removes the lines and ``unit: document``
the documents. Counters ``removed_<benchmark>`` (``found_`` without removal) count units, each
attributed to the first benchmark of the recipe it holds. Logs and examples carry benchmark
names and corpus ids, never benchmark text.

``eval_sets`` (name, path, field) is the earlier spelling of a one-field benchmark, still read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from curate.decontam.adapters import Answer, ItemLayout, layout_of
from curate.decontam.hits import MATCH_KINDS, no_hits
from curate.decontam.index import ItemIndex, build_index, load_index, save_index
from curate.decontam.items import read_items
from curate.decontam.match import find_matches, find_whole
from curate.decontam.readers import BenchmarkError, read_benchmark, top_level_fields
from curate.decontam.similar import find_similar
from curate.dedup.normalize import normalized_code_points
from curate.io.remote import files_of
from curate.steps import register
from curate.steps.base import RunContext, Step, StepOutput
from curate.steps.filter import drop_reason
from curate.text.lines import DOC, LINE, explode_lines, implode_lines, with_text

REASON = "eval_contamination"
ANNOTATIONS = ("contaminated_units", "contaminated_by")
EXAMPLES_PER_BATCH = 5
TABLE = "decontamination"
TABLE_SCHEMA = {"benchmark": pl.Utf8, "split": pl.Utf8, "item_id": pl.Utf8, "match": pl.Utf8, "field": pl.Utf8,
                "doc_id": pl.Utf8, "source": pl.Utf8, "score": pl.Float64}
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class Benchmark(BaseModel):
    """One benchmark of the recipe: an adapter and the files, or a layout of its own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    adapter: str | None = Field(None, description="a shipped adapter (rules/decontaminate/benchmarks.yaml)")
    name: str | None = Field(None, pattern=_NAME, description="the name in the report; default: the adapter")
    path: str = Field(description="a file, a directory (save_to_disk or files) or a glob")
    format: Literal["parquet", "jsonl", "csv", "text", "arrow"] | None = None
    split: str | None = Field(None, description="the split of every file; default: from the file names")
    splits: list[str] | None = Field(None, description="read only these splits")
    texts: list[str] | None = None
    question: str | None = None
    answer: Answer | None = None
    id: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.adapter or ""

    def layout(self) -> ItemLayout:
        return layout_of(self.adapter, {"texts": self.texts, "question": self.question, "answer": self.answer,
                                        "id": self.id})

    @model_validator(mode="after")
    def _readable(self) -> Benchmark:
        """Unknown adapters and files without the fields the layout reads fail when the recipe loads."""
        if self.adapter is None and self.name is None:
            raise PydanticCustomError("benchmark", "a benchmark without an adapter needs a name")
        try:
            layout = self.layout()
        except ValueError as exc:  # unknown adapter; a layout without texts
            raise PydanticCustomError("benchmark", "{msg}", {"msg": str(exc).splitlines()[0]}) from None
        try:
            files = top_level_fields(self.path, self.format)
        except BenchmarkError as exc:
            raise PydanticCustomError("benchmark", "{msg}", {"msg": str(exc)}) from None
        if all(columns is None for columns in files.values()):
            raise PydanticCustomError("benchmark", "{files}: benchmark {name} has no items",
                                      {"files": ", ".join(files), "name": self.label})
        for file, columns in files.items():
            if columns is None:  # an empty file (a split without rows) among others
                continue
            missing = [f for f in layout.fields() if f.split(".")[0] not in columns]
            if missing:
                raise PydanticCustomError("benchmark", "{file}: benchmark {name}: no field {field}; its fields: {have}",
                                          {"file": file, "name": self.label, "field": repr(missing[0]),
                                           "have": ", ".join(columns)})
        return self

    def read(self) -> Any:
        files = read_benchmark(self.path, self.format)
        if self.split is not None:
            files = [type(f)(f.path, self.split, f.frame) for f in files]
        if self.splits is not None:
            files = [f for f in files if f.split in self.splits]
        return read_items(self.label, self.layout(), files)


class EvalSet(BaseModel):
    """The earlier spelling of a benchmark: one text field, no adapter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME)
    path: str
    field: str = "text"
    format: Literal["jsonl", "text", "parquet"] | None = None

    def benchmark(self) -> Benchmark:
        return Benchmark(name=self.name, path=self.path, format=self.format, texts=[self.field])


class Similarity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["char_ngram_cosine"] = "char_ngram_cosine"
    ngram: int = Field(3, ge=2, le=8)
    threshold: float = Field(0.6, gt=0.0, le=1.0)
    max_items: int = Field(50, ge=1, description="n-grams held by more items are left out")


@register
class Decontaminate(Step):
    name: ClassVar[str] = "decontaminate"

    benchmarks: list[Benchmark] = Field(default_factory=list, description="benchmarks by adapter, or declared")
    eval_sets: list[EvalSet] = Field(default_factory=list, description="one-field benchmarks (earlier spelling)")
    ngram: int = Field(10, ge=4, le=64, description="normalized characters per n-gram")
    unit: Literal["line", "document"] = "line"
    min_overlap: float = Field(0.5, gt=0.0, le=1.0)
    min_text_ngrams: int = Field(3, ge=1, description="a text this short is never judged 'part of an item'")
    min_item_chars: int = Field(4, ge=1, description="shorter item fields are too short to match, even whole")
    answer_window: int = Field(200, ge=0, description="normalized characters after a question searched for its answer")
    similarity: Similarity | None = None
    source_field: str | None = Field(None, description="the record field the report names as the source; "
                                                       "default: the input file")
    # false: nothing is removed; a document with contaminated text gets decontaminate_reason
    drop: bool = True
    report_only: bool = Field(False, description="find and report; the records stay as they are")
    # true: contaminated_units (units that overlap a benchmark) and contaminated_by (the
    # benchmarks they overlap, recipe order) on every document
    annotate: bool = False

    _index: ItemIndex | None = PrivateAttr(default=None)
    _item_order: np.ndarray | None = PrivateAttr(default=None)  # each item's benchmark, recipe order

    @model_validator(mode="after")
    def _some_benchmark(self) -> Decontaminate:
        names = [b.label for b in self.all_benchmarks()]
        if not names:
            raise PydanticCustomError("no_benchmark", "name at least one benchmark (benchmarks:) or eval set")
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise PydanticCustomError("benchmark", "benchmark names repeat: {names}; give each a name:",
                                      {"names": ", ".join(repeated)})
        return self

    def all_benchmarks(self) -> list[Benchmark]:
        return [s.benchmark() for s in self.eval_sets] + list(self.benchmarks)

    def shortens_text(self) -> bool:
        return self.drop and not self.report_only

    def flag_column(self) -> str | None:
        return None if self.report_only else super().flag_column()

    def columns_written(self) -> tuple[str, ...]:
        return super().columns_written() + (ANNOTATIONS if self.annotate else ())

    # -- the index: built once per run, mapped by every worker -------------------------------
    def build(self) -> ItemIndex:
        similarity = None
        if self.similarity is not None and self.unit == "line":
            similarity = (self.similarity.ngram, self.similarity.max_items)
        return build_index([b.read() for b in self.all_benchmarks()], self.ngram, self.min_item_chars, similarity)

    def depends_on(self) -> list[str]:
        return [f for b in self.all_benchmarks() for f in files_of(b.path)]

    def shares_state(self) -> bool:
        return True

    def write_shared(self, directory: Path) -> dict[str, Any]:
        return save_index(self.build(), directory)

    def attach_shared(self, directory: Path) -> None:
        self._use(load_index(directory))

    def setup(self, ctx: RunContext) -> None:
        if self._index is None:  # not given a shared index (a test, run_in_memory): build one here
            self._use(self.build())

    def _use(self, index: ItemIndex) -> None:
        names = [b.label for b in self.all_benchmarks()]
        self._index = index
        self._item_order = index.items["benchmark"].replace_strict(names, list(range(len(names))),
                                                                   return_dtype=pl.Int64).to_numpy()

    # -- the report table -------------------------------------------------------------------
    def report_table(self) -> tuple[str, dict[str, Any]] | None:
        return TABLE, TABLE_SCHEMA

    def table_summary(self, table: pl.LazyFrame, shared: dict[str, Any]) -> dict[str, Any]:
        from curate.report.decontamination import summarize

        return summarize(table, shared.get("counts", {}), [b.label for b in self.all_benchmarks()])

    # -- per batch ----------------------------------------------------------------------------
    def _hits(self, df: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
        """Every (unit, probe) match, the strongest kind of each, and the document of each unit."""
        index = self._index
        assert index is not None, "setup() was not called"
        lines = explode_lines(df) if self.unit == "line" or len(index.short_hash) else None
        if self.unit == "document":
            codes, lengths = normalized_code_points(df["text"])
            doc_of_unit = np.arange(df.height)
            hits = find_matches(codes, lengths, index, self.min_overlap, self.min_text_ngrams, self.answer_window,
                                whole=False)
            if lines is not None:  # short items are matched whole against the lines of a document
                line_codes, line_lengths = normalized_code_points(lines[LINE])
                whole = find_whole(line_codes, line_lengths, index)
                line_doc = lines[DOC].to_numpy().astype(np.int64)
                hits = pl.concat([hits, whole.with_columns(unit=pl.Series(line_doc[whole["unit"].to_numpy()]))])
        else:
            assert lines is not None
            codes, lengths = normalized_code_points(lines[LINE])
            doc_of_unit = lines[DOC].to_numpy().astype(np.int64)
            hits = find_matches(codes, lengths, index, self.min_overlap, self.min_text_ngrams, self.answer_window)
            if self.similarity is not None:
                hits = pl.concat([hits, find_similar(codes, lengths, index.arrays, self.similarity.ngram,
                                                     self.similarity.threshold, self.min_text_ngrams)])
        if hits.height == 0:
            return no_hits(), doc_of_unit
        rank = pl.col("match").replace_strict(list(MATCH_KINDS), list(range(len(MATCH_KINDS))), return_dtype=pl.Int8)
        hits = (hits.sort(pl.col("unit"), pl.col("probe"), rank, pl.col("score"),
                          descending=[False, False, False, True])
                .unique(subset=["unit", "probe"], keep="first", maintain_order=True))
        return hits, doc_of_unit

    def process(self, df: pl.DataFrame) -> StepOutput:
        index = self._index
        assert index is not None and self._item_order is not None, "setup() was not called"
        hits, doc_of_unit = self._hits(df)
        item = index.probe_item[hits["probe"].to_numpy()].astype(np.int64)
        units = len(doc_of_unit)
        verdict = np.full(units, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(verdict, hits["unit"].to_numpy(), self._item_order[item])
        verdict[verdict == np.iinfo(np.int64).max] = -1
        units_hit = np.bincount(doc_of_unit[verdict >= 0], minlength=df.height)
        out = df
        if self.report_only:
            pass
        elif self.unit == "document" or not self.drop:  # drop: false marks the document (runner: a flag)
            out = df.with_columns(drop_reason([(REASON, pl.Series(units_hit > 0))]))
        elif (verdict >= 0).any():
            lines = explode_lines(df)
            out = with_text(df, implode_lines(lines, pl.Series(verdict < 0)))
        if self.annotate:
            out = out.with_columns(self._annotations(verdict, doc_of_unit, units_hit))
        table = self._table(df, hits, item, doc_of_unit)
        examples = self._examples(df["id"], verdict, doc_of_unit)
        return StepOutput(out, counters=self._counters(verdict), examples=examples, table=table)

    def _table(self, df: pl.DataFrame, hits: pl.DataFrame, item: np.ndarray, doc_of_unit: np.ndarray) -> pl.DataFrame:
        """One row per (document, item, match, field): the report's rows for this batch."""
        index = self._index
        assert index is not None
        if hits.height == 0:
            return pl.DataFrame(schema=TABLE_SCHEMA)
        doc = doc_of_unit[hits["unit"].to_numpy()]
        column = self.source_field if self.source_field in df.columns else "_src" if "_src" in df.columns else None
        source = (df[column].cast(pl.Utf8, strict=False).gather(doc) if column
                  else pl.Series([None] * len(doc), dtype=pl.Utf8))
        fields = pl.Series(index.fields, dtype=pl.Utf8)
        rows = index.items.select("benchmark", "split", "item_id").gather(item).with_columns(
            match=hits["match"], field=fields.gather(index.probe_field[hits["probe"].to_numpy()].astype(np.int64)),
            doc_id=df["id"].cast(pl.Utf8).gather(doc), source=source, score=hits["score"].round(4),
            _doc=pl.Series(doc), _item=pl.Series(item))
        return (rows.sort("_doc", "_item", "match", "field", pl.col("score"), descending=[False] * 4 + [True])
                .unique(subset=["_doc", "_item", "match", "field"], keep="first", maintain_order=True)
                .select(list(TABLE_SCHEMA)))

    def _annotations(self, verdict: np.ndarray, doc_of_unit: np.ndarray, units_hit: np.ndarray) -> list[pl.Series]:
        """Per document: how many units hold a benchmark item, and which benchmarks (recipe order)."""
        hit = verdict >= 0
        names = pl.Series([b.label for b in self.all_benchmarks()], dtype=pl.Utf8)
        pairs = pl.DataFrame({"doc": doc_of_unit[hit], "set": verdict[hit]}).unique().sort("doc", "set")
        by_doc = pairs.group_by("doc", maintain_order=True).agg(pl.col("set"))
        sets: list[list[str]] = [[] for _ in range(len(units_hit))]
        for doc, numbers in by_doc.iter_rows():  # only contaminated documents: few
            sets[doc] = names.gather(numbers).to_list()
        return [pl.Series(ANNOTATIONS[0], units_hit, dtype=pl.UInt32),
                pl.Series(ANNOTATIONS[1], sets, dtype=pl.List(pl.Utf8))]

    def _counters(self, verdict: np.ndarray) -> dict[str, int]:
        names = [b.label for b in self.all_benchmarks()]
        counts = np.bincount(verdict[verdict >= 0], minlength=len(names))
        prefix = "removed" if self.drop and not self.report_only else "found"
        return {f"{prefix}_{name}": int(counts[i]) for i, name in enumerate(names)}

    def _examples(self, ids: pl.Series, verdict: np.ndarray, doc_of_unit: np.ndarray) -> list[dict[str, Any]]:
        names = [b.label for b in self.all_benchmarks()]
        removed = np.flatnonzero(verdict >= 0)[:EXAMPLES_PER_BATCH]
        return [{"eval_set": names[verdict[u]], "id": ids[int(doc_of_unit[u])]} for u in removed]
