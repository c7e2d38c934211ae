"""Morpheme-pretokenized subword tokenizer (KLUE's recipe): Kiwi cuts the training
text into morphemes, a subword model learns on those pieces, and the saved
tokenizer.json runs without Kiwi."""

from curate.tokenizer.build import TrainOptions, train_from_counts, train_from_texts
from curate.tokenizer.candidates import AnalyzerCandidate as AnalyzerTokenizer
from curate.tokenizer.pretokenize import pretokenize_counts
from curate.tokenizer.specials import SpecialTokens, load_special_tokens
from curate.tokenizer.words import merge_counts, word_counts

__all__ = ["AnalyzerTokenizer", "SpecialTokens", "TrainOptions", "load_special_tokens", "merge_counts",
           "pretokenize_counts", "train_from_counts", "train_from_texts", "word_counts"]
