"""split_sentences: hand-written cases and agreement with kiwipiepy on real text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl
import pytest

from curate.steps.split_sentences import SplitSentences
from curate.text.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def split(text: str) -> list[str]:
    return split_sentences(pl.Series([text])).item().split("\n")


def test_punctuation_quotes_and_ellipses():
    assert split('정부는 발표했다. "내년부터 시행한다." 장관이 말했다... 정말요? 네!') == [
        "정부는 발표했다.", '"내년부터 시행한다."', "장관이 말했다...", "정말요?", "네!"]


def test_numbers_abbreviations_and_quotations_do_not_split():
    assert split("U.S. 정부는 3.5% 올렸다. 1. 서론") == ["U.S. 정부는 3.5% 올렸다.", "1. 서론"]
    assert split('그는 "좋다." 라고 말했다.') == ['그는 "좋다." 라고 말했다.']


def test_review_endings_and_emoticons():
    assert split("재밌다 ㅋㅋ 또 보고 싶어요 ^^ 강추") == ["재밌다 ㅋㅋ", "또 보고 싶어요 ^^", "강추"]
    assert split("보다 보니 빠져든다 앞 작품들보다 훨씬 낫다") == [
        "보다 보니 빠져든다", "앞 작품들보다 훨씬 낫다"]


def test_unspaced_sentence_end_and_paragraphs():
    assert split("냈다.다만 아쉽다\n\n\n  둘째 문단이다.") == ["냈다.", "다만 아쉽다", "둘째 문단이다."]


def test_splitter_only_touches_blanks():
    text = "가나다. 라마바!  사아자?\t차카타 ㅋㅋ 파하\n끝"
    assert re.sub(r"\s", "", split_sentences(pl.Series([text])).item()) == re.sub(r"\s", "", text)


def test_step_counts_sentences_and_keeps_columns():
    df = pl.DataFrame({"id": ["a", "b"], "text": ["하나다. 둘이다.", "셋"], "_shard": [0, 0]})
    out = SplitSentences().process(df)
    assert out.df.columns == df.columns
    assert out.df["text"].to_list() == ["하나다.\n둘이다.", "셋"]
    assert out.counters == {"sentences": 3}


def _boundaries(pieces: list[str]) -> set[int]:
    ends, count = set(), 0
    for piece in pieces[:-1]:
        count += len(re.sub(r"\s", "", piece))
        ends.add(count)
    return ends


def test_agrees_with_kiwi_on_wikinews():
    if not DATA.exists():
        pytest.skip("shared data missing")
    kiwipiepy = pytest.importorskip("kiwipiepy")
    with open(DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        texts = [row["내용"] for row in csv.DictReader(fh)][:40]
    kiwi = kiwipiepy.Kiwi(num_workers=1)
    gold = [_boundaries([s.text for s in sents]) for sents in kiwi.split_into_sents(texts)]
    pred = [_boundaries(t.split("\n")) for t in split_sentences(pl.Series(texts)).to_list()]
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    precision, recall = tp / sum(map(len, pred)), tp / sum(map(len, gold))
    assert 2 * precision * recall / (precision + recall) > 0.9
