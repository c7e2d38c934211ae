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


# Issue 15: the unpunctuated rule cut sentences after nouns, names and particles ending in 다/요.
@pytest.mark.parametrize("text", [
    "그는 부산 바다 근처에 산다",
    "바다 돌핀스는 좋은 팀이다.",
    "여성의 비율이 남성(15.2%)보다 높았다.",
    "이번 회의의 주요 안건은 예산이다.",
    "허리케인이 플로리다 남부를 지나갔다.",
    "캐나다 정부는 성명을 냈다.",
    "기시다 총리는 하네다 공항에 도착했다.",
    "이 지역은 수요 감소에 시달렸다.",
    "그는 대중가요 가수로 활동했다.",
    "이번 대회에서 최다 득점을 기록했다.",
    "비가 오는 데다 바람도 분다.",
])
def test_nouns_names_and_particles_ending_in_da_or_yo_do_not_end_a_sentence(text):
    assert split(text) == [text]


def test_predicates_without_punctuation_still_end_sentences():
    assert split("영화가 정말 재밌다 배우들 연기도 좋아요 또 볼래요") == [
        "영화가 정말 재밌다", "배우들 연기도 좋아요", "또 볼래요"]
    assert split("그는 부산 바다 근처에 산다 매일 바다를 본다") == ["그는 부산 바다 근처에 산다", "매일 바다를 본다"]


def test_the_word_list_is_data_and_only_hangul_words():
    from curate.rules import load_words
    from curate.text.sentences import _not_final_rewrite

    words = load_words("clean/not_sentence_final.txt")
    assert {"바다", "주요", "플로리다", "캐나다"} <= set(words) and len(words) > 100
    with pytest.raises(ValueError, match="Hangul words"):
        _not_final_rewrite(("바다", "a|b"))


def test_punctuation_or_laughter_after_an_unpunctuated_end_stays_with_it():
    assert not any(line.startswith(".") for line in split("교회 앞에 위치해 있다 .무궁화는 피었다."))
    assert split("여자가 너무 멋지다 , 두 사람이 사랑하게 된다") == ["여자가 너무 멋지다 , 두 사람이 사랑하게 된다"]
    assert split("기대없이 봤는데 재밌게 봤어요 ㅎㅎ") == ["기대없이 봤는데 재밌게 봤어요 ㅎㅎ"]
    assert split("최악이다 -_-;;;\n다음 줄이다") == ["최악이다 -_-;;;", "다음 줄이다"]
