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
    from curate.text.sentences import _not_final_rule

    words = load_words("clean/not_sentence_final.txt")
    assert {"바다", "주요", "플로리다", "캐나다"} <= set(words) and len(words) > 100
    with pytest.raises(ValueError, match="Hangul words"):
        _not_final_rule(("바다", "a|b"))


def test_punctuation_or_laughter_after_an_unpunctuated_end_stays_with_it():
    assert not any(line.startswith(".") for line in split("교회 앞에 위치해 있다 .무궁화는 피었다."))
    assert split("여자가 너무 멋지다 , 두 사람이 사랑하게 된다") == ["여자가 너무 멋지다 , 두 사람이 사랑하게 된다"]
    assert split("기대없이 봤는데 재밌게 봤어요 ㅎㅎ") == ["기대없이 봤는데 재밌게 봤어요 ㅎㅎ"]
    assert split("최악이다 -_-;;;\n다음 줄이다") == ["최악이다 -_-;;;", "다음 줄이다"]


# Issue 15: Kiwi keeps a quoted passage inside the sentence that quotes it; curate cut it.
def test_a_quotation_inside_a_sentence_is_not_cut():
    assert split('그는 “우리는 이 사건을 충격적으로 보고 있다. 목표는 명백하다”라고 말했다. 다음 문장이다.') == [
        "그는 “우리는 이 사건을 충격적으로 보고 있다. 목표는 명백하다”라고 말했다.", "다음 문장이다."]
    assert split('강론에서 "북한에서 쏴야죠. 그것이 연평도 포격이에요" 라는 발언이 나왔다.') == [
        '강론에서 "북한에서 쏴야죠. 그것이 연평도 포격이에요" 라는 발언이 나왔다.']
    text = "그는 ‘한국에서 살고 싶다. 도와 달라’는 글을 썼다."
    assert split(text) == [text]


def test_a_quotation_that_stands_alone_keeps_its_sentences():
    assert split("사연이 전해졌다. “저는 꿈이 있었어요. 그런데 접게 됐네요.” 그녀의 사연에 모두 울었다.") == [
        "사연이 전해졌다.", "“저는 꿈이 있었어요.", "그런데 접게 됐네요.”", "그녀의 사연에 모두 울었다."]


def test_quotation_marks_that_do_not_pair_join_nothing():
    # An opening mark typed twice (‘법률‘) does not pair with a closing mark sentences later;
    # a quotation left open, or closed in the next paragraph, joins nothing either.
    assert split("‘상생법률‘입법을 추진 중이다. 책장을 넘겼다. 정책은 ‘건물주’와 다르다.") == [
        "‘상생법률‘입법을 추진 중이다.", "책장을 넘겼다.", "정책은 ‘건물주’와 다르다."]
    assert split("그는 “열린 인용이다. 닫히지 않는다\n\n다음 문단이다”라고 했다.") == [
        "그는 “열린 인용이다.", "닫히지 않는다", "다음 문단이다”라고 했다."]


def test_abbreviations_and_a_period_after_a_closing_quote():
    assert split("이에 Lv. 7벌레는 텐트를 쳤다. 단체는 \"한. 중. 일 3국\"의 연대다.") == [
        "이에 Lv. 7벌레는 텐트를 쳤다.", "단체는 \"한. 중. 일 3국\"의 연대다."]
    assert split('여성은 "외부와의 접촉이 없었다". 가해자는 달랐다.') == [
        '여성은 "외부와의 접촉이 없었다".', "가해자는 달랐다."]


def test_single_laughter_and_emoticons_stay_with_their_sentence():
    assert split("님들 낚이지 마세요 ㅎ 눈물의 의미는 다르다") == ["님들 낚이지 마세요 ㅎ", "눈물의 의미는 다르다"]
    assert split("30분이 너무 짧아요 ㅠ") == ["30분이 너무 짧아요 ㅠ"]
    assert split("결말이 어렵다 ㅡㅡ;; 슬프다") == ["결말이 어렵다 ㅡㅡ;;", "슬프다"]
    assert split("알아요...ㅋㅋㅋ 나름 재밌다") == ["알아요...ㅋㅋㅋ", "나름 재밌다"]
    # Laughter that opens a paragraph is not pulled into the paragraph before it.
    assert split("재밌다\n\nㅋㅋ") == ["재밌다", "ㅋㅋ"]


def test_a_rule_with_a_capture_group_is_refused(tmp_path, monkeypatch):
    from curate.rules import shipped_rules_dir

    shipped = (shipped_rules_dir() / "clean" / "sentences.yaml").read_text(encoding="utf-8")
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "sentences.yaml").write_text(
        shipped.replace("before: '\\p{Hangul}다'", "before: '(\\p{Hangul})다'"), encoding="utf-8")
    monkeypatch.setenv("CURATE_RULES_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=r"capture group .*write \(\?:\.\.\.\)"):
        split("재밌다 또 보자")
