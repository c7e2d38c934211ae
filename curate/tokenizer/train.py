"""Train a subword model from (pieces, count) pairs and make it self-contained.

Training sees every morpheme piece as a separate word, so no merge (BPE) or
piece (unigram, WordPiece) is learnt across a morpheme boundary. Pieces are
mapped to the byte-level alphabet first (GPT-2's 256 printable stand-ins for
bytes, none of them whitespace), which lets us hand the trainer space-separated
pieces, repeated ``count`` times, through ``train_from_iterator``: the Python
API offers no word-count input, and the Rust side counts repeated words cheaply.

The saved tokenizer needs no analyzer: its pre-tokenizer is the inference word
regex plus byte-level mapping, so an eojeol is split only by the learnt
vocabulary, and the byte-level decoder restores every byte, whitespace included.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import polars as pl
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

from curate.progress import advance, counted
from curate.tokenizer.specials import SpecialTokens
from curate.tokenizer.words import WORD_PATTERN

Algorithm = Literal["bpe", "wordpiece", "unigram"]
CONTINUATION = "\u2581"  # WordPiece's continuing-subword prefix; outside the byte-level alphabet
_BYTE_TO_CHAR = pre_tokenizers.ByteLevel.alphabet()


def _byte_table() -> dict[int, str]:
    # GPT-2's bytes_to_unicode: printable Latin-1 stays, the rest shifts to 256+.
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, shift = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + shift)
            shift += 1
    return table


BYTE_LEVEL = _byte_table()  # latin-1 code point -> byte-level char; used with str.translate
CHAR_TO_BYTE = {c: b for b, c in BYTE_LEVEL.items()}


def to_byte_level(piece: str) -> str:
    return piece.encode("utf-8").decode("latin-1").translate(BYTE_LEVEL)


def training_lines(table: pl.DataFrame) -> Iterator[str]:
    """Per distinct word: its byte-level pieces joined by spaces, repeated ``count`` times."""
    exploded = table.select(pl.int_range(pl.len()).alias("_w"), "pieces", "count").explode("pieces")
    distinct = exploded["pieces"].unique().sort()
    mapped = pl.Series([to_byte_level(p) for p in distinct.to_list()], dtype=pl.Utf8)
    rows = (exploded.with_columns(pl.col("pieces").replace_strict(distinct, mapped))
            .group_by("_w", maintain_order=True).agg(pl.col("pieces").str.join(" "), pl.col("count").first()))
    lines = zip(rows["pieces"].to_list(), rows["count"].to_list(), strict=True)
    for line, count in counted(lines, "trainer reads, distinct words", rows.height, every=20_000):
        yield (line + " ") * count


def inference_pre_tokenizer() -> pre_tokenizers.PreTokenizer:
    return pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(WORD_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])


def _trainer(algorithm: Algorithm, vocab_size: int, specials: SpecialTokens, min_frequency: int):
    common = {"vocab_size": vocab_size, "special_tokens": specials.ordered(), "show_progress": False}
    if algorithm == "bpe":
        return models.BPE(), trainers.BpeTrainer(min_frequency=min_frequency, initial_alphabet=_BYTE_TO_CHAR,
                                                 **common)
    if algorithm == "wordpiece":
        model = models.WordPiece(unk_token=specials.unk or "[UNK]", continuing_subword_prefix=CONTINUATION,
                                 max_input_chars_per_word=1 << 30)
        return model, trainers.WordPieceTrainer(min_frequency=min_frequency, initial_alphabet=_BYTE_TO_CHAR,
                                                continuing_subword_prefix=CONTINUATION, **common)
    if algorithm == "unigram":
        trainer = trainers.UnigramTrainer(unk_token=specials.unk, initial_alphabet=_BYTE_TO_CHAR,
                                          max_piece_length=16, **common)
        return models.Unigram(), trainer
    raise ValueError(f"unknown algorithm {algorithm!r} (bpe, wordpiece, unigram)")


def train_from_lines(lines: Iterator[str], vocab_size: int, algorithm: Algorithm, specials: SpecialTokens,
                     min_frequency: int = 2) -> Tokenizer:
    """Train on byte-level, space-separated training words and return the inference tokenizer."""
    model, trainer = _trainer(algorithm, vocab_size, specials, min_frequency)
    tokenizer = Tokenizer(model)
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    # the trainer counts pairs as it reads, then merges with no progress to report: one step
    advance(f"{algorithm} training, task", 0, 1)
    tokenizer.train_from_iterator(lines, trainer)
    advance(f"{algorithm} training, task", 1, 1)
    if algorithm == "wordpiece":
        tokenizer = _complete_wordpiece(tokenizer, specials)
    return finish(tokenizer, algorithm, specials)


def train_from_pieces(table: pl.DataFrame, vocab_size: int, algorithm: Algorithm, specials: SpecialTokens,
                      min_frequency: int = 2) -> Tokenizer:
    return train_from_lines(training_lines(table), vocab_size, algorithm, specials, min_frequency)


def _complete_wordpiece(tokenizer: Tokenizer, specials: SpecialTokens) -> Tokenizer:
    # WordPiece only learns "▁x" for bytes seen word-internally; add the rest so no byte is ever unknown.
    vocab = tokenizer.get_vocab()
    for char in sorted(_BYTE_TO_CHAR):
        for token in (char, CONTINUATION + char):
            if token not in vocab:
                vocab[token] = len(vocab)
    model = models.WordPiece(vocab, unk_token=specials.unk or "[UNK]", continuing_subword_prefix=CONTINUATION,
                             max_input_chars_per_word=1 << 30)
    return Tokenizer(model)


def finish(tokenizer: Tokenizer, algorithm: str, specials: SpecialTokens) -> Tokenizer:
    """Inference pipeline: no normalizer, word regex + byte level, exact decoder, special tokens."""
    tokenizer.normalizer = None
    tokenizer.pre_tokenizer = inference_pre_tokenizer()
    if algorithm == "wordpiece":
        tokenizer.decoder = decoders.Sequence([decoders.Replace(CONTINUATION, ""), decoders.ByteLevel()])
    else:
        tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(specials.ordered())
    if specials.template:
        used = [t for t in specials.ordered() if t in " ".join(specials.template.values())]
        tokenizer.post_processor = processors.TemplateProcessing(
            single=specials.template.get("single"), pair=specials.template.get("pair"),
            special_tokens=[(t, tokenizer.token_to_id(t)) for t in used])
    return tokenizer


def artifact_files(tokenizer: Tokenizer, specials: SpecialTokens, meta: dict | None = None) -> dict[str, str]:
    """File name -> content: tokenizer.json plus the two small files ``transformers`` reads for roles."""
    roles = {f"{role}_token": token for role, token in specials.tokens.items()}
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False,
              "model_max_length": 512, **roles}
    files = {"tokenizer.json": tokenizer.to_str(),
             "special_tokens_map.json": json.dumps(roles, ensure_ascii=False, indent=2) + "\n",
             "tokenizer_config.json": json.dumps(config, ensure_ascii=False, indent=2) + "\n"}
    if meta is not None:
        files["training.json"] = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return files


def write_files(files: dict[str, str], out_dir: str | Path) -> Path:
    """Write each file atomically (temp file + rename), so concurrent writers of the same content are safe."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out, delete=False, suffix=".tmp") as fh:
            fh.write(content)
        os.replace(fh.name, out / name)
    return out / "tokenizer.json"


def save(tokenizer: Tokenizer, out_dir: str | Path, specials: SpecialTokens,
         meta: dict | None = None) -> Path:
    return write_files(artifact_files(tokenizer, specials, meta), out_dir)
