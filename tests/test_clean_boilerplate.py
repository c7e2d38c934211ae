"""boilerplate: news templates removed, body sentences that mention reporters or copyright kept."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from curate.steps.boilerplate import Boilerplate

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

ARTICLE = """(서울=연합뉴스) 홍길동 기자 = 정부는 23일 새 정책을 발표했다.
이 정책은 내년부터 시행된다(사진=연합뉴스).
▲ 23일 기자회견에서 발언하는 장관 /사진=뉴스1
▶ 관련기사: 정책 발표 현장
홍길동 기자 hong@yna.co.kr
<저작권자(c) 연합뉴스, 무단 전재-재배포 금지>
Copyright ⓒ 한국경제. All rights reserved.
네이버에서 연합뉴스를 구독하세요
(끝)"""


def cleaned(*texts: str):
    ids = [str(i) for i in range(len(texts))]
    return Boilerplate().process(pl.DataFrame({"id": ids, "text": list(texts)}))


def test_news_template_removed():
    result = cleaned(ARTICLE)
    assert result.df["text"].to_list() == ["정부는 23일 새 정책을 발표했다.\n이 정책은 내년부터 시행된다."]
    assert result.counters["sentences_removed"] == 7
    assert result.counters["lines_removed_copyright"] == 2
    assert result.counters["lines_stripped"] == 3  # byline, photo credit, "(끝)"


def test_body_sentences_mentioning_reporters_or_copyright_survive():
    body = [
        '김 기자는 "현장에서 취재한 홍길동 기자의 보도가 사실과 다르다"고 말했다.',
        "출판사는 무단 전재 및 재배포 금지 원칙이 지켜지지 않았다며 소송을 제기했다.",
        "이 사진은 홍길동 기자가 2019년 서울에서 찍은 것으로 알려졌다.",
        "저작권자 ⓒ 표시가 없는 자료도 보호된다고 법원은 판단했다.",
    ]
    assert cleaned("\n".join(body)).df["text"].to_list() == ["\n".join(body)]


def test_wikinews_articles_lose_little():
    if not DATA.exists():
        pytest.skip("shared data missing")
    with open(DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        texts = [row["내용"] for row in csv.DictReader(fh)]
    result = cleaned(*texts)
    before = sum(len(t) for t in texts)
    after = sum(len(t) for t in result.df["text"].to_list())
    # Wikinews has no agency templates: at most a few source lines may go, never 1% of the text.
    assert after >= 0.99 * before
    assert result.df.height == len(texts)


def test_bracket_bylines_triangle_links_and_channel_prompts():
    article = ("[매일경제 홍길동 기자]주말에는 전국에 비가 내리겠다.\n"
               "외출할 때는 우산을 챙기는 것이 좋다.\n"
               "▷ 국회, 민생법안 80건 본회의 통과\n"
               "[홍길동 기자]\n"
               "유튜브 채널 구독하고 경품 받아가세요 ▶")
    result = cleaned(article, "그는 구독자 27만 명을 보유한 유튜버로 알려졌다.")
    assert result.df["text"].to_list() == ["주말에는 전국에 비가 내리겠다.\n외출할 때는 우산을 챙기는 것이 좋다.",
                                           "그는 구독자 27만 명을 보유한 유튜버로 알려졌다."]


# Issue 15: boilerplate that survived the step in the sample and generated corpora.
PAGE = """[앵커] 오늘 국회에서는 내년도 예산안이 통과됐습니다.
정부는 23일 새 정책을 발표했다.
개막식 모습. 한국일보 자료사진
광고 | 지금 바로 확인하세요
>>
김미 숙기자 eha@khan.co.kr
ⓒ 경향신문 & 경향닷컴(www.khan.co.kr), 무단전재 및 재배포 금지
좋아요 0 │ 훈훈해요 0 │ 슬퍼요 0 │ 화나요 0 │ 후속기사 원해요 0
- 끝 -"""


@pytest.mark.parametrize(("rule", "line"), [
    ("reaction_widget", "좋아요 0 │ 훈훈해요 0 │ 슬퍼요 0 │ 화나요 0 │ 후속기사 원해요 0"),
    ("ad_line", "광고 | 지금 바로 확인하세요"),
    ("ad_line", ">>"),
    ("end_mark_line", "- 끝 -"),
    ("photo_archive_credit", "개막식 모습. 한국일보 자료사진"),
    ("reporter_signature", "김미 숙기자 eha@khan.co.kr"),
])
def test_each_new_rule_removes_its_line_and_counts_it(rule, line):
    result = cleaned(f"정부는 23일 새 정책을 발표했다.\n{line}")
    assert result.df["text"].to_list() == ["정부는 23일 새 정책을 발표했다."]
    assert result.counters[f"lines_removed_{rule}"] == 1


def test_a_realistic_page_keeps_only_its_body():
    result = cleaned(PAGE)
    body = "오늘 국회에서는 내년도 예산안이 통과됐습니다.\n정부는 23일 새 정책을 발표했다."
    assert result.df["text"].to_list() == [body]
    assert result.counters["lines_removed_end_mark_line"] == 1  # it stayed 0 while "- 끝 -" survived


def test_body_sentences_mentioning_ads_endings_or_reactions_survive():
    body = ["광고 효과를 분석한 보고서에 따르면 온라인 광고 시장은 지난해 크게 성장했다.",
            '그는 "이 싸움은 끝까지 간다, 끝이 보일 때까지"라고 말했다.',
            "좋아요",  # a one-word comment is a comment, not a widget
            "이 영화 정말 좋아요 0점 준 사람은 뭐죠",
            "그 사진은 신문사 자료사진 보관실에서 찾아낸 것이라고 한다."]
    assert cleaned(*body).df["text"].to_list() == body
