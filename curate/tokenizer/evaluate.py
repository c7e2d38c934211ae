"""Side-by-side evaluation of tokenizers on held-out text.

Metrics (all over the same texts):
- round_trip: share of texts with decode(encode(text)) == text, byte for byte;
- tokens_per_eojeol, tokens_per_char: eojeol = a run of non-space characters;
- boundary_crossing: share of tokens whose byte span strictly contains a morpheme cut
  inside an eojeol (cuts: Kiwi on the whole text; eojeol and space edges excluded);
- unk_rate: share of tokens that are the unknown token;
- vocab_use: share of the vocabulary used at least once;
- encode_mb_s: encoding speed (one call over all texts).
"""

from __future__ import annotations

import bisect
import time
from dataclasses import asdict, dataclass

import polars as pl

from curate.tokenizer.candidates import Candidate
from curate.tokenizer.morphemes import load_kiwi, text_pieces


@dataclass
class Scores:
    name: str
    vocab_size: int
    round_trip: float
    tokens_per_eojeol: float
    tokens_per_char: float
    boundary_crossing: float
    unk_rate: float
    vocab_use: float
    encode_mb_s: float
    tokens: int

    def row(self) -> dict:
        return asdict(self)


def morpheme_cuts(texts: list[str], n_threads: int = 1) -> list[list[int]]:
    """Byte offsets of the morpheme cuts inside eojeols, per text (sorted)."""
    kiwi = load_kiwi(n_threads)
    cuts: list[list[int]] = []
    for pieces in text_pieces(kiwi, texts):
        inside, pos, previous = [], 0, None
        for piece in pieces:
            if previous is not None and not piece[0].isspace() and not previous.isspace():
                inside.append(pos)
            pos += len(piece.encode())
            previous = piece
        cuts.append(inside)
    return cuts


def _crossing(spans: list[tuple[int, int]], cuts: list[int]) -> int:
    crossing = 0
    for start, end in spans:
        k = bisect.bisect_right(cuts, start)
        if k < len(cuts) and cuts[k] < end:
            crossing += 1
    return crossing


def score(candidate: Candidate, texts: list[str], cuts: list[list[int]]) -> Scores:
    candidate.encode(texts[:8])  # warm-up: thread pools, lazy loads
    t0 = time.perf_counter()
    encoded = candidate.encode(texts)
    seconds = time.perf_counter() - t0
    exact = sum(candidate.decode(ids) == text for ids, text in zip(encoded, texts, strict=True))
    n_tokens = sum(len(ids) for ids in encoded)
    crossing = sum(_crossing(candidate.token_spans(text, ids), c)
                   for text, ids, c in zip(texts, encoded, cuts, strict=True))
    unk = sum(ids.count(candidate.unk_id) for ids in encoded) if candidate.unk_id is not None else 0
    used = len({i for ids in encoded for i in ids})
    series = pl.Series(texts, dtype=pl.Utf8)
    eojeols = int(series.str.count_matches(r"\S+").sum() or 0)
    chars = int(series.str.len_chars().sum() or 0)
    mb = int(series.str.len_bytes().sum() or 0) / 1e6
    return Scores(candidate.name, candidate.vocab_size, exact / max(1, len(texts)),
                  n_tokens / max(1, eojeols), n_tokens / max(1, chars), crossing / max(1, n_tokens),
                  unk / max(1, n_tokens), used / max(1, candidate.vocab_size), mb / max(seconds, 1e-9),
                  n_tokens)


def evaluate(candidates: list[Candidate], texts: list[str], n_threads: int = 1) -> pl.DataFrame:
    cuts = morpheme_cuts(texts, n_threads)
    return pl.DataFrame([score(c, texts, cuts).row() for c in candidates])


def to_markdown(table: pl.DataFrame) -> str:
    columns = table.columns
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in table.iter_rows():
        cells = [f"{v:.4f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
