"""Tokenizers under evaluation, behind one small interface.

Each candidate encodes texts to ids, decodes ids, and says how many bytes of the
original each token stands for (to place tokens against morpheme boundaries).
Ours runs with or without Kiwi at inference; the baselines are plain byte-level
BPE (no pretokenization), sentencepiece BPE and unigram, and kiwipiepy's SwTokenizer.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
from tokenizers import Tokenizer

from curate.tokenizer.morphemes import load_kiwi, text_pieces
from curate.tokenizer.specials import SpecialTokens
from curate.tokenizer.train import CONTINUATION, train_from_lines, training_lines
from curate.tokenizer.words import word_counts

_BYTE_PIECE = re.compile(r"^<0x[0-9A-F]{2}>$")


class Candidate:
    name: str
    vocab_size: int
    unk_id: int | None = None
    _bytes: list[int]  # byte length of each id's token in the original text

    def encode(self, texts: list[str]) -> list[list[int]]:
        raise NotImplementedError

    def decode(self, ids: list[int]) -> str:
        raise NotImplementedError

    def token_spans(self, text: str, ids: list[int]) -> list[tuple[int, int]]:
        """(start, end) byte offsets in ``text`` of each token."""
        spans, pos = [], 0
        for i in ids:
            spans.append((pos, pos + self._bytes[i]))
            pos += self._bytes[i]
        return spans


class HFCandidate(Candidate):
    """A Hugging Face tokenizer.json, run alone (KLUE's way: no analyzer at inference)."""

    def __init__(self, tokenizer: Tokenizer, name: str):
        self.tokenizer, self.name = tokenizer, name
        self.vocab_size = tokenizer.get_vocab_size()
        unk = tokenizer.token_to_id("[UNK]")
        self.unk_id = unk
        specials = {t.content for t in tokenizer.get_added_tokens_decoder().values()}
        self._bytes = [0] * self.vocab_size
        for token, i in tokenizer.get_vocab().items():
            self._bytes[i] = (len(token.encode()) if token in specials
                              else len(token.removeprefix(CONTINUATION)))

    @classmethod
    def from_file(cls, path: str | Path, name: str = "ours") -> HFCandidate:
        return cls(Tokenizer.from_file(str(path)), name)

    def encode(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=False)


class AnalyzerCandidate(HFCandidate):
    """The same tokenizer.json with Kiwi at inference: each morpheme piece is encoded on its own,
    so no token crosses a morpheme boundary. Needs this package and kiwipiepy."""

    def __init__(self, tokenizer: Tokenizer, name: str = "ours+kiwi", n_threads: int = 1):
        super().__init__(tokenizer, name)
        self.kiwi = load_kiwi(n_threads)

    def encode(self, texts: list[str]) -> list[list[int]]:
        pieces = text_pieces(self.kiwi, texts)
        encoded = self.tokenizer.encode_batch([p or [""] for p in pieces], is_pretokenized=True,
                                              add_special_tokens=False)
        return [e.ids for e in encoded]


def plain_bpe(train_texts: pl.Series, vocab_size: int, specials: SpecialTokens) -> HFCandidate:
    """Byte-level BPE on the same inference words, without morpheme pieces."""
    counts = word_counts(train_texts)
    table = counts.select(pl.concat_list("word").alias("pieces"), "count")
    tokenizer = train_from_lines(training_lines(table), vocab_size, "bpe", specials)
    return HFCandidate(tokenizer, "plain-bpe")


class SentencePieceCandidate(Candidate):
    """sentencepiece set up for lossless text: identity normalization, whitespace kept, byte fallback."""

    def __init__(self, train_texts: pl.Series, vocab_size: int, model_type: str, n_threads: int = 2):
        import sentencepiece as spm

        self.name = f"sp-{model_type}"
        lines = [s for s in train_texts.str.split("\n").explode().drop_nulls().to_list() if s]
        with tempfile.TemporaryDirectory() as tmp:
            prefix = str(Path(tmp) / "sp")
            # Small vocabularies cannot hold 99.95% of Korean characters; byte fallback covers the rest.
            for coverage in (0.9995, 0.995, 0.98):  # sentencepiece accepts no less than 0.98
                try:
                    spm.SentencePieceTrainer.train(
                        sentence_iterator=iter(lines), model_prefix=prefix, vocab_size=vocab_size,
                        model_type=model_type, character_coverage=coverage, byte_fallback=True,
                        normalization_rule_name="identity", remove_extra_whitespaces=False,
                        add_dummy_prefix=False, allow_whitespace_only_pieces=True, split_digits=False,
                        hard_vocab_limit=False, max_sentence_length=1 << 16, num_threads=n_threads,
                        input_sentence_size=0, minloglevel=2)
                    break
                except RuntimeError as exc:
                    if "required_chars" not in str(exc):
                        raise
                    if coverage == 0.98:
                        raise ValueError(f"vocabulary of {vocab_size} too small for sentencepiece "
                                         "on this text (it must hold 98% of the characters)") from exc
            self.sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
        self.vocab_size = self.sp.get_piece_size()
        self.unk_id = self.sp.unk_id()
        self._bytes = []
        for i in range(self.vocab_size):
            piece = self.sp.id_to_piece(i)
            if self.sp.is_control(i) or self.sp.is_unknown(i):
                self._bytes.append(0)
            elif _BYTE_PIECE.match(piece):
                self._bytes.append(1)
            else:
                self._bytes.append(len(piece.replace("\u2581", " ").encode()))

    def encode(self, texts: list[str]) -> list[list[int]]:
        return self.sp.encode(texts)

    def decode(self, ids: list[int]) -> str:
        return self.sp.decode(ids)


class KiwiSwCandidate(Candidate):
    """kiwipiepy's SwTokenizer (unigram LM over Kiwi morphemes; analyzer at inference)."""

    name = "kiwi-sw"

    def __init__(self, train_texts: pl.Series, vocab_size: int, n_threads: int = 2):
        from kiwipiepy.sw_tokenizer import SwTokenizer, SwTokenizerConfig

        config = SwTokenizerConfig(fallback_byte=True, use_newline_token=True)
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "sw.json")
            # kiwi=None: passing a Kiwi instance segfaults in 0.24 (platform notes)
            self.sw = SwTokenizer.train(path, train_texts.to_list(), config, vocab_size, kiwi=None,
                                        num_workers=n_threads, show_progress=False)
        self.vocab_size = len(self.sw.vocab)
        self.unk_id = self.sw.unk_token_id

    def encode(self, texts: list[str]) -> list[list[int]]:
        return [list(ids) for ids in self.sw.encode(texts)]

    def decode(self, ids: list[int]) -> str:
        return self.sw.decode(ids)

    def token_spans(self, text: str, ids: list[int]) -> list[tuple[int, int]]:
        _, offsets = self.sw.encode(text, return_offsets=True)
        byte_at = [0]
        for char in text:
            byte_at.append(byte_at[-1] + len(char.encode()))
        return [(byte_at[s], byte_at[e]) for s, e in offsets]


def baseline_builders(train_texts: pl.Series, vocab_size: int, specials: SpecialTokens,
                      n_threads: int = 2) -> dict[str, Callable[[], Candidate]]:
    """Name -> zero-argument constructor of each baseline, all on the same texts and vocabulary size."""
    return {
        "plain-bpe": lambda: plain_bpe(train_texts, vocab_size, specials),
        "sp-bpe": lambda: SentencePieceCandidate(train_texts, vocab_size, "bpe", n_threads),
        "sp-unigram": lambda: SentencePieceCandidate(train_texts, vocab_size, "unigram", n_threads),
        "kiwi-sw": lambda: KiwiSwCandidate(train_texts, vocab_size, n_threads),
    }
