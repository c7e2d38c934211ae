"""Build a Korean benchmark corpus of about N MB from the real text in ../shared/data.

Documents are movie reviews and online comments (alone, or a few grouped as a
thread), news and long-form prose recombined from runs of consecutive sentences
of Wikinews articles and National Assembly Library book reviews (so documents
differ although the sources are small), plus the noise that crawled corpora
carry, at fixed rates: portal boilerplate on news, whole HTML pages, petition
letters full of fake PII, CJK-heavy documents, PII lines and crawl junk in
comments, exact and near duplicates of earlier documents.

Each record is {"id": "gen-<n>", "text", "source", "noise", "dup_of"}: ``source``
is the kind of document, ``noise`` what was mixed in (comma-separated, "" for
none) and ``dup_of`` the id a duplicate copies, so benchmarks can score
cleaning and dedup against ground truth. Output is written in batches (memory
stays flat) and is byte-identical for a seed. Size counts uncompressed JSONL
bytes (1 MB = 2**20 bytes), so every format holds the same documents.

    python benchmarks/generate_corpus.py --size-mb 200 --out benchmarks/data/corpus_200m.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import re
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: import the checkout's curate

from curate.sample import noise  # noqa: E402
from curate.sample.pii import PiiPool  # noqa: E402

DATA = REPO.parent / "shared" / "data"
MB = 1 << 20
BATCH_DOCS = 20_000
RESERVOIR = 20_000  # earlier documents that duplicates copy from
NEAR_DUP_MIN_CHARS = 300  # shorter documents have no meaningful "near" copy: an edit is most of them

# Document kinds (fractions of fresh documents) and noise rates.
KIND_WEIGHTS = {"comment": 0.50, "thread": 0.26, "news": 0.15, "longform": 0.04,
                "html": 0.03, "petition": 0.02}
RATES = {"boilerplate": 0.10,  # of news documents
         "cjk": 0.01, "exact_dup": 0.05, "near_dup": 0.03,  # of all documents
         "sprinkle": 0.04, "pii_line": 0.01}  # of comments and threads

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")
_PARAGRAPH = re.compile(r"\s*\n\s*|\s{3,}")


@dataclass
class Prose:
    """Sentences of a formal source in order: where paragraphs and documents start, and their titles."""

    sentences: list[str]
    paragraph_start: list[bool]
    doc_start: list[int]  # index of each source document's first sentence, plus the end
    titles: list[str]


def _prose(texts: list[str], titles: list[str]) -> Prose:
    sentences: list[str] = []
    starts: list[bool] = []
    doc_start: list[int] = []
    for text in texts:
        doc_start.append(len(sentences))
        for paragraph in _PARAGRAPH.split(text.strip()):
            for i, sentence in enumerate(s for s in _SENTENCE_END.split(paragraph) if s):
                sentences.append(sentence)
                starts.append(i == 0)
    doc_start.append(len(sentences))
    return Prose(sentences, starts, doc_start, titles)


@dataclass
class Sources:
    comments: list[str]
    news: Prose
    longform: Prose


def load_sources(data: Path = DATA) -> Sources:
    with gzip.open(data / "nsmc_reviews.jsonl.gz", "rb") as fh:
        reviews = pl.read_ndjson(io.BytesIO(fh.read()), schema={"text": pl.Utf8})["text"]
    beep = pl.Series((data / "beep_unlabeled_comments_5.txt").read_text(encoding="utf-8").splitlines())
    comments = pl.concat([reviews, beep]).str.strip_chars().drop_nulls()
    wiki = pl.read_csv(data / "wikinews_ko.csv")
    books = pl.read_csv(data / "nanet_book_reviews.csv")
    return Sources(comments.filter(comments.str.len_bytes() > 0).to_list(),
                   _prose(wiki["내용"].to_list(), wiki["제목"].to_list()),
                   _prose(books["내용"].to_list(), (books["책제목"] + " - " + books["제목"]).to_list()))


class DocumentMaker:
    """Draws documents one by one; all randomness comes from one seeded generator."""

    def __init__(self, sources: Sources, seed: int) -> None:
        self.src = sources
        self.rng = random.Random(seed)
        self.pii = PiiPool(seed)
        self.kinds = list(KIND_WEIGHTS)
        self.cum_weights = list(_cumulative(KIND_WEIGHTS.values()))
        self.reservoir: list[dict] = []  # any fresh document (exact duplicates copy these)
        self.long_reservoir: list[dict] = []  # fresh documents long enough to near-duplicate
        self.seen = self.seen_long = 0

    def _date(self) -> str:
        r = self.rng
        day = f"20{r.randint(9, 24):02d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        return f"{day} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}"

    def _article(self, prose: Prose) -> tuple[str, list[str]]:
        """A title and paragraphs: a stretch of one source document, sometimes followed by a
        stretch of another (so documents differ although the sources are small)."""
        r = self.rng
        doc = r.randrange(len(prose.titles))
        paragraphs = self._stretch(prose, doc)
        if r.random() < 0.5:
            paragraphs += self._stretch(prose, r.randrange(len(prose.titles)))
        return prose.titles[doc], paragraphs

    def _stretch(self, prose: Prose, doc: int) -> list[str]:
        r = self.rng
        first, end = prose.doc_start[doc], prose.doc_start[doc + 1]
        start = first if r.random() < 0.5 else r.randrange(first, end)
        stop = min(end, start + r.randint(3, 40))
        paragraphs: list[str] = []
        current: list[str] = []
        for i in range(start, stop):
            if prose.paragraph_start[i] and current:
                paragraphs.append(" ".join(current))
                current = []
            current.append(prose.sentences[i])
        return [*paragraphs, " ".join(current)] if current else paragraphs

    def _comment_text(self, lines: int) -> tuple[str, list[str]]:
        r, comments = self.rng, self.src.comments
        picked = [comments[r.randrange(len(comments))] for _ in range(lines)]
        tags = []
        if r.random() < RATES["sprinkle"]:
            i = r.randrange(lines)
            picked[i] = noise.sprinkle(picked[i], r)
            tags.append("sprinkle")
        if r.random() < RATES["pii_line"]:
            picked.insert(r.randint(0, lines), noise.contact_line(r, self.pii))
            tags.append("pii_line")
        return "\n".join(picked), tags

    def fresh(self) -> tuple[str, str, list[str]]:
        r = self.rng
        kind = r.choices(self.kinds, cum_weights=self.cum_weights)[0]
        tags: list[str] = []
        if kind == "comment":
            text, tags = self._comment_text(1)
        elif kind == "thread":
            text, tags = self._comment_text(r.randint(2, 12))
        elif kind == "petition":
            text, tags = noise.petition_letter(r, self.pii, self._date()), ["pii"]
        else:
            use_longform = kind == "longform" or (kind == "html" and r.random() < 0.3)
            prose = self.src.longform if use_longform else self.src.news
            title, paragraphs = self._article(prose)
            if kind == "html":
                text, tags = noise.html_page(title, paragraphs, r, self.pii, self._date()), ["html"]
            elif kind == "news" and r.random() < RATES["boilerplate"]:
                related = [prose.titles[r.randrange(len(prose.titles))] for _ in range(3)]
                text, tags = noise.news_boilerplate(title, paragraphs, related, r, self.pii), ["boilerplate"]
            else:
                text = "\n".join([title, *paragraphs]) if r.random() < 0.5 else "\n".join(paragraphs)
        if kind != "html" and r.random() < RATES["cjk"]:
            text = noise.cjk_heavy(text.split("\n"), r)
            tags.append("cjk")
        return text, kind, tags

    def next(self, n: int) -> dict:
        r = self.rng
        roll = r.random()
        near = RATES["exact_dup"] <= roll < RATES["exact_dup"] + RATES["near_dup"]
        pool = self.long_reservoir if near else self.reservoir
        if pool and roll < RATES["exact_dup"] + RATES["near_dup"]:
            original = pool[r.randrange(len(pool))]
            text = noise.near_duplicate(original["text"], r) if near else original["text"]
            return {"id": f"gen-{n}", "text": text, "source": original["source"],
                    "noise": "near_dup" if near else "exact_dup", "dup_of": original["id"]}
        text, kind, tags = self.fresh()
        record = {"id": f"gen-{n}", "text": text, "source": kind, "noise": ",".join(tags), "dup_of": None}
        self.seen += 1
        self._keep(self.reservoir, record, self.seen)
        if len(text) >= NEAR_DUP_MIN_CHARS:
            self.seen_long += 1
            self._keep(self.long_reservoir, record, self.seen_long)
        return record

    def _keep(self, reservoir: list[dict], record: dict, seen: int) -> None:
        """Reservoir sampling: a uniform sample of everything offered so far."""
        if len(reservoir) < RESERVOIR:
            reservoir.append(record)
        elif (j := self.rng.randrange(seen)) < RESERVOIR:
            reservoir[j] = record


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


class ShardWriter:
    """Writes encoded JSONL batches into ``shards`` files of the chosen format, switching by size."""

    def __init__(self, out: Path, fmt: str, shards: int, target_bytes: int) -> None:
        self.fmt, self.shards, self.target = fmt, shards, target_bytes
        self.paths = [out] if shards == 1 else [_shard_path(out, i, shards) for i in range(shards)]
        self.index, self.handle, self.parquet = -1, None, None
        out.parent.mkdir(parents=True, exist_ok=True)

    def shard_for(self, written: int) -> int:
        return min(self.shards - 1, written * self.shards // self.target)

    def write(self, shard: int, records: list[dict], payload: bytes) -> None:
        if shard != self.index:
            self.close()
            self.index = shard
            self._open(self.paths[shard])
        if self.fmt == "parquet":
            self.parquet.write_table(pa.Table.from_pylist(records, schema=_PARQUET_SCHEMA))
        else:
            self.handle.write(payload)

    def _open(self, path: Path) -> None:
        if self.fmt == "parquet":
            self.parquet = pq.ParquetWriter(path, _PARQUET_SCHEMA, compression="zstd")
        elif self.fmt == "jsonl.gz":
            self.handle = gzip.open(path, "wb", compresslevel=3)
        elif self.fmt == "jsonl.zst":
            self._raw = open(path, "wb")  # closed in close()
            self.handle = zstandard.ZstdCompressor(level=3).stream_writer(self._raw)
        else:
            self.handle = open(path, "wb")  # closed in close()

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
            self.parquet = None
        if self.handle is not None:
            self.handle.close()  # closes the underlying file for zstd as well
            self.handle = None

    def finish(self) -> list[Path]:
        """Close, and create any shard that got nothing (empty file) so all K paths exist."""
        self.close()
        for path in self.paths:
            if not path.exists():
                self._open(path)
                self.close()
        return self.paths


_PARQUET_SCHEMA = pa.schema([("id", pa.string()), ("text", pa.string()), ("source", pa.string()),
                             ("noise", pa.string()), ("dup_of", pa.string())])


def _shard_path(out: Path, index: int, shards: int) -> Path:
    name = out.name
    stem, dot, suffix = name.partition(".")
    return out.with_name(f"{stem}-{index:05d}-of-{shards:05d}{dot}{suffix}")


def _format_of(out: Path) -> str:
    name = out.name.lower()
    for fmt in ("jsonl.zst", "jsonl.gz", "parquet"):
        if name.endswith("." + fmt):
            return fmt
    return "jsonl"


def generate(size_mb: float, out: Path, seed: int = 0, fmt: str | None = None, shards: int = 1,
             sources: Sources | None = None) -> dict:
    """Write the corpus; returns figures (documents, bytes, seconds, paths)."""
    fmt = fmt or _format_of(out)
    t0, cpu0 = time.perf_counter(), time.process_time()
    sources = sources or load_sources()
    t_load = time.perf_counter() - t0
    maker = DocumentMaker(sources, seed)
    target = int(size_mb * MB)
    writer = ShardWriter(out, fmt, shards, target)
    written = docs = 0
    while written < target:
        shard = writer.shard_for(written)
        records, lines = [], []
        for _ in range(BATCH_DOCS):
            record = maker.next(docs)
            docs += 1
            line = json.dumps(record, ensure_ascii=False) + "\n"
            records.append(record)
            lines.append(line)
            written += len(line.encode("utf-8"))
            if written >= target or writer.shard_for(written) != shard:
                break
        writer.write(shard, records, "".join(lines).encode("utf-8"))
    paths = writer.finish()
    return {"documents": docs, "bytes": written, "load_s": t_load, "total_s": time.perf_counter() - t0,
            "cpu_s": time.process_time() - cpu0, "paths": [str(p) for p in paths], "format": fmt}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, required=True,
                        help="uncompressed JSONL size, 1 MB = 2**20 bytes")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=["jsonl", "jsonl.zst", "jsonl.gz", "parquet"], default=None,
                        help="default: from the --out suffix")
    parser.add_argument("--shards", type=int, default=1,
                        help="split into K files named <stem>-0000i-of-0000K.<ext>")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        sys.exit(f"real text not found at {DATA}")
    figures = generate(args.size_mb, args.out, args.seed, args.format, max(1, args.shards))
    mb = figures["bytes"] / MB
    gen_s = figures["total_s"] - figures["load_s"]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    paths = figures["paths"]
    print(f"wrote {figures['documents']:,} documents, {mb:.1f} MB of JSONL ({figures['format']}) "
          f"to {len(paths)} file(s): {paths[0]}{' ...' if len(paths) > 1 else ''}")
    print(f"source load {figures['load_s']:.1f} s; generation {gen_s:.1f} s = {mb / gen_s:.1f} MB/s; "
          f"total {figures['total_s']:.1f} s = {mb / figures['total_s']:.1f} MB/s "
          f"(CPU {figures['cpu_s']:.1f} s = {mb / figures['cpu_s']:.1f} MB/s); peak RSS {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
