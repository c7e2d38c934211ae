"""split_sentences: one sentence per line, by Polars expressions."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from curate.steps import register
from curate.steps.base import Step, StepOutput, count_lines
from curate.text.sentences import split_sentences


@register
class SplitSentences(Step):
    """Rewrite ``text`` to one sentence per line; paragraph breaks become line breaks.

    Boundaries come from punctuation (with closing quotes and brackets), ellipses,
    emoticons and laughter (ㅋㅋ, ^^), and sentence-final endings without punctuation
    (-다, -요, -죠) outside edited text and not after listed nouns, names and particles
    (바다, 주요, "남성보다"), with exceptions for connectives ("-다 보니") and quotations
    ("..."라고). Rules: rules/clean/sentences.yaml. Agreement with kiwipiepy's
    split_into_sents is measured by benchmarks/eval_sentence_split.py.
    """

    name: ClassVar[str] = "split_sentences"

    def process(self, df: pl.DataFrame) -> StepOutput:
        out = df.with_columns(split_sentences(df["text"]))
        sentences = out.select(count_lines().sum())["text"][0] or 0
        return StepOutput(out, counters={"sentences": int(sentences)})
