"""Throughput of the cleaning steps and of the whole cleaning recipe, and of datatrove's nearest equivalents.

    python benchmarks/bench_clean.py --input benchmarks/data/corpus_200m.jsonl \
        [--limit-mb 200] [--workers 1 2] [--datatrove-mb 5]

Figures (MB = 10**6 bytes of UTF-8 text in the ``text`` field entering the recipe):
- per step, one thread: the step's own input MB / seconds spent in that step;
- whole recipe, one core (one process, POLARS_MAX_THREADS=1) and two (two spawned worker
  processes, one Polars thread each, a batch at a time; dedup_exact's reduce in the driver);
- datatrove 0.10 on a subset: Trafilatura on the pages, Gopher repetition + quality and C4
  filters with its Korean word tokenizer (kiwipiepy), and its 3-stage exact dedup; our
  recipe on the same subset in the same run, and the ratio.
Reading the JSONL is timed separately and not counted in any figure.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # before polars is imported: "one core" means it

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curate.executors.shuffle import states_in_memory
from curate.steps.base import DROP, GlobalStep, Step, StepOutput
from curate.steps.boilerplate import Boilerplate
from curate.steps.cjk_filter import CjkFilter
from curate.steps.dedup_exact import DedupExact
from curate.steps.language_filter import LanguageFilter
from curate.steps.length_filter import LengthFilter
from curate.steps.normalize import Normalize
from curate.steps.quality_filter import QualityFilter
from curate.steps.split_sentences import SplitSentences
from curate.steps.strip_markup import StripMarkup


def recipe() -> list[Step]:
    """The cleaning recipe benchmarked (and recommended for pipelines/pretrain.yaml, PII aside)."""
    return [Normalize(), StripMarkup(), Boilerplate(), SplitSentences(), CjkFilter(), LanguageFilter(),
            QualityFilter(), LengthFilter(min_chars=10),
            DedupExact(documents=True, sentences=True, min_sentence_chars=20)]


def mb(df: pl.DataFrame) -> float:
    return (df.select(pl.col("text").str.len_bytes().sum()).item() or 0) / 1e6


def settle(out: pl.DataFrame | StepOutput) -> pl.DataFrame:
    """What the runner does after a step: drop rows with a reason or with empty text."""
    df = out.df if isinstance(out, StepOutput) else out
    if DROP in df.columns:
        df = df.filter(pl.col(DROP).is_null()).drop(DROP)
    return df.filter(pl.col("text").str.strip_chars() != "")


def read_batches(path: str, limit_mb: float | None, batch_docs: int) -> list[pl.DataFrame]:
    frame = pl.read_ndjson(path, schema_overrides={"id": pl.Utf8, "text": pl.Utf8}).select("id", "text")
    if limit_mb:
        cumulative = frame.select((pl.col("text").str.len_bytes().cum_sum() / 1e6) <= limit_mb)["text"]
        frame = frame.filter(cumulative)
    return [frame.slice(start, batch_docs).with_columns(pl.lit(i, pl.Int64).alias("_shard"),
                                                        pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
            for i, start in enumerate(range(0, frame.height, batch_docs))]


def run_local_steps(batch: pl.DataFrame, steps: list[Step], timings: dict | None = None) -> pl.DataFrame:
    for step in steps:
        size = mb(batch) if timings is not None else 0.0
        t0, c0 = time.perf_counter(), time.process_time()
        batch = settle(step.process(batch))
        if timings is not None:
            timings[step.name][0] += time.perf_counter() - t0
            timings[step.name][1] += size
            timings[step.name][2] += time.process_time() - c0
    return batch


def run_in_process(batches: list[pl.DataFrame]) -> tuple[dict, list[pl.DataFrame]]:
    steps = recipe()
    local, dedup = [s for s in steps if not isinstance(s, GlobalStep)], steps[-1]
    timings: dict = defaultdict(lambda: [0.0, 0.0, 0.0])
    cleaned = [run_local_steps(b, local, timings) for b in batches]
    size = sum(mb(b) for b in cleaned)
    t0, c0 = time.perf_counter(), time.process_time()
    states = states_in_memory(dedup, cleaned, partitions=1)  # the shuffle, in this process
    out = [settle(dedup.apply(b, state)) for b, state in zip(cleaned, states, strict=True)]
    timings[dedup.name] = [time.perf_counter() - t0, size, time.process_time() - c0]
    return dict(timings), out


def _phase1(batch: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    c0 = time.process_time()
    steps = recipe()
    return run_local_steps(batch, steps[:-1]), time.process_time() - c0


def _phase2(args: tuple[pl.DataFrame, object]) -> tuple[pl.DataFrame, float]:
    c0 = time.process_time()
    batch, state = args
    return settle(recipe()[-1].apply(batch, state)), time.process_time() - c0


def run_pool(batches: list[pl.DataFrame], workers: int) -> list[pl.DataFrame]:
    with mp.get_context("spawn").Pool(workers) as pool:
        pool.map(len, [[0]] * workers)  # start the workers before the clock matters
        t0, c0 = time.perf_counter(), time.process_time()
        results = pool.map(_phase1, batches, chunksize=1)
        # dedup's shuffle (summarize, reduce) in this process: the pipeline runs it as tasks
        states = states_in_memory(recipe()[-1], [cleaned for cleaned, _ in results], partitions=1)
        applied = pool.map(_phase2, [(cleaned, state) for (cleaned, _), state in zip(results, states, strict=True)],
                           chunksize=1)
        run_pool.seconds = time.perf_counter() - t0  # type: ignore[attr-defined]
        # CPU seconds of the workers (as they report them) and of the driver
        run_pool.cpu = (sum(r[1] for r in results) + sum(a[1] for a in applied)  # type: ignore[attr-defined]
                        + time.process_time() - c0)
    return [a[0] for a in applied]


def run_datatrove(texts: list[str]) -> tuple[float, float, int]:
    """Seconds of datatrove's pipeline on ``texts``, seconds without its Kiwi-tokenized filters, docs kept."""
    from datatrove.data import Document
    from datatrove.pipeline.dedup.exact_dedup import (
        ExactDedupConfig,
        ExactDedupFilter,
        ExactDedupSignature,
        ExactFindDedups,
    )
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter, GopherRepetitionFilter
    from datatrove.utils import word_tokenizers
    from datatrove.utils.typeshelper import Languages

    try:
        word_tokenizers.KiwiTokenizer().tokenizer  # noqa: B018 - datatrove's default model_type="sbg"
    except OSError as exc:
        # kiwipiepy >= 0.22 no longer ships the "sbg" model datatrove asks for; use its default instead.
        print(f"datatrove KiwiTokenizer(model_type='sbg') failed: {exc!r}; using model_type='cong'")
        word_tokenizers.KiwiTokenizer.__init__.__defaults__ = ("cong",)
    is_page = pl.Series(texts).str.contains(r"(?i)<(?:!doctype|html[\s>]|body[\s>]|head[\s>])").to_list()

    def documents() -> list:
        return [Document(text=t, id=str(i)) for i, t in enumerate(texts)]

    def content(doc: Document) -> str:
        return doc.text

    extractor = Trafilatura(favour_precision=True, timeout=5)
    t0 = time.perf_counter()
    pages = list(extractor.run(iter([d for d, p in zip(documents(), is_page, strict=True) if p])))
    extracted = {d.id: d for d in pages}
    docs = [extracted.get(d.id, d) if p else d for d, p in zip(documents(), is_page, strict=True)]
    t_extract = time.perf_counter() - t0
    # Each filter sees every document (not only the previous one's survivors): with its
    # English-tuned defaults datatrove's Gopher filter drops nearly every Korean document,
    # and chaining would then time the later filters on almost nothing.
    t0 = time.perf_counter()
    verdicts = [{d.id for d in f.run(iter(docs))}
                for f in (GopherRepetitionFilter(language=Languages.korean),
                          GopherQualityFilter(language=Languages.korean),
                          C4QualityFilter(language=Languages.korean))]
    kept = [d for d in docs if all(d.id in v for v in verdicts)]
    t_filters = time.perf_counter() - t0
    print(f"datatrove filters kept {[len(v) for v in verdicts]} of {len(docs)} docs (Gopher rep., Gopher "
          f"quality, C4)")
    with tempfile.TemporaryDirectory() as tmp:
        config = ExactDedupConfig(content_getter=content)
        t0 = time.perf_counter()
        for stage in (ExactDedupSignature(f"{tmp}/sigs", config=config).run(iter(kept)),
                      ExactFindDedups(f"{tmp}/sigs", f"{tmp}/dups", config=config).run()):
            if stage is not None:  # some stages are generators, some run eagerly
                list(stage)
        kept = list(ExactDedupFilter(f"{tmp}/dups", config=config).run(iter(kept)))
        t_dedup = time.perf_counter() - t0
    return t_extract + t_filters + t_dedup, t_extract + t_dedup, len(kept)


def markup_paths(batches: list[pl.DataFrame]) -> None:
    """strip_markup's two paths on the same pages: selectolax (whole page) and the inline regexes."""
    from curate.rules import load_yaml

    rules = load_yaml("clean/markup.yaml")
    frame = pl.concat(batches).select("id", "text")
    is_page = pl.col("text").str.contains(rules["page_marker"])
    pages = frame.filter(is_page)
    inline = frame.filter(~is_page & pl.col("text").str.contains("[<&]"))
    paths = (("whole pages, selectolax (+ entities left)",
              pages, lambda df: StripMarkup._inline(StripMarkup._pages(df, rules, {"html_pages": 0}), rules)),
             ("same pages, inline regexes only", pages, lambda df: StripMarkup._inline(df, rules)),
             ("documents with inline markup, regexes", inline, lambda df: StripMarkup._inline(df, rules)),
             ("whole step on all documents", frame, StripMarkup().process))
    print("\n| strip_markup path | docs | MB | CPU s | MB per CPU-s |\n|---|---|---|---|---|")
    for label, df, run in paths:
        c0 = time.process_time()
        run(df)
        cpu = time.process_time() - c0
        print(f"| {label} | {df.height} | {mb(df):.1f} | {cpu:.2f} | {mb(df) / cpu:.1f} |")


def rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", default="benchmarks/data/corpus_200m.jsonl")
    parser.add_argument("--limit-mb", type=float, default=None)
    parser.add_argument("--batch-docs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--datatrove-mb", type=float, default=0.0, help="subset for the datatrove comparison")
    parser.add_argument("--no-steps", action="store_true", help="skip the per-step table")
    parser.add_argument("--markup-paths", action="store_true", help="time strip_markup's two paths")
    args = parser.parse_args()

    t0 = time.perf_counter()
    batches = read_batches(args.input, args.limit_mb, args.batch_docs)
    total_mb = sum(mb(b) for b in batches)
    docs = sum(b.height for b in batches)
    print(f"input {args.input}: {docs} docs, {total_mb:.1f} MB of text, {len(batches)} batches "
          f"(read in {time.perf_counter() - t0:.1f} s, not counted); load average {os.getloadavg()}")

    if args.markup_paths:
        markup_paths(batches)

    if not args.no_steps:
        timings, out = run_in_process(batches)
        print("\n| step | input MB | wall s | CPU s | MB/s wall | MB per CPU-s |\n|---|---|---|---|---|---|")
        for name, (seconds, size, cpu) in timings.items():
            print(f"| {name} | {size:.1f} | {seconds:.2f} | {cpu:.2f} | {size / seconds:.1f} "
                  f"| {size / cpu:.1f} |")
        seconds = sum(s for s, _, _ in timings.values())
        cpu = sum(c for _, _, c in timings.values())
        kept = sum(b.height for b in out)
        print(f"| **whole recipe, in process** | {total_mb:.1f} | {seconds:.2f} | {cpu:.2f} | "
              f"{total_mb / seconds:.1f} | {total_mb / cpu:.1f} |")
        print(f"kept {kept} of {docs} docs, {sum(mb(b) for b in out):.1f} MB; peak RSS {rss_mb():.0f} MB")

    for workers in args.workers:
        out = run_pool(batches, workers)
        seconds, cpu = run_pool.seconds, run_pool.cpu  # type: ignore[attr-defined]
        print(f"whole recipe, {workers} worker process(es): {seconds:.1f} s wall, "
              f"{total_mb / seconds:.1f} MB/s, "
              f"{docs / seconds:.0f} docs/s, {cpu:.1f} CPU s ({total_mb / cpu:.1f} MB per CPU-s), "
              f"kept {sum(b.height for b in out)} docs; "
              f"peak RSS (largest process) {rss_mb():.0f} MB")

    if args.datatrove_mb:
        subset = read_batches(args.input, args.datatrove_mb, 10**9)
        texts = subset[0]["text"].to_list()
        sub_mb = mb(subset[0])
        t0 = time.perf_counter()
        _, ours_out = run_in_process(subset)
        ours = time.perf_counter() - t0
        full, no_tokenizer, dt_kept = run_datatrove(texts)
        print(f"\ndatatrove subset: {len(texts)} docs, {sub_mb:.2f} MB")
        print(f"curate recipe:                 {ours:.2f} s  {sub_mb / ours:.2f} MB/s  kept "
              f"{sum(b.height for b in ours_out)}")
        print(f"datatrove (Trafilatura + Gopher/C4 with Kiwi + exact dedup): {full:.2f} s  "
              f"{sub_mb / full:.3f} MB/s  kept {dt_kept}  -> curate is {full / ours:.0f}x faster")
        print(f"datatrove without the Kiwi-tokenized filters (Trafilatura + exact dedup): "
              f"{no_tokenizer:.2f} s  {sub_mb / no_tokenizer:.2f} MB/s "
              f"-> curate is {no_tokenizer / ours:.1f}x")
        print(f"peak RSS {rss_mb():.0f} MB; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
