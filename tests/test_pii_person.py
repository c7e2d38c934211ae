"""The opt-in ``person`` type in ordinary text (issue 16, item 3): names before 씨/님, after roles,
in self-introductions, with ages in brackets, in lists and bylines; look-alike common words and
allow-listed public figures untouched; the single-text and batch paths agree."""

from __future__ import annotations

import polars as pl
import pytest

from curate.pii.detect import Detector

PERSON = Detector(types=["person"])

FOUND = [
    ("환자 김민수 님은 내일 퇴원 예정입니다.", ["김민수"]),
    ("보호자: 이영희 (010-1234-5678로 연락)", ["이영희"]),
    ("작성자 : 박철수", ["박철수"]),
    ("안녕하세요, 저는 김민수입니다. 잘 부탁드립니다.", ["김민수"]),
    ("제 이름은 최지훈이에요", ["최지훈"]),
    ("정수빈이라고 합니다", ["정수빈"]),
    ("홍길동(35세)은 어제 병원에 입원했다.", ["홍길동"]),
    ("피해자 강서연(여·29)이 신고했다", ["강서연"]),
    ("김민수씨가 그러는데 내일 온대요", ["김민수"]),
    ("이준호군과 박서윤양이 상을 받았다", ["이준호", "박서윤"]),
    ("참석자: 김민수, 이영희, 박철수", ["김민수", "이영희", "박철수"]),
    ("(서울=연합뉴스) 윤태호 기자 = 정부는 오늘", ["윤태호"]),
    ("고객 한지민 님의 주문이 접수되었습니다", ["한지민"]),
    ("조현우 씨는 말했다. 이후 조현우가 다시 나타났다.", ["조현우", "조현우"]),
]
UNTOUCHED = [
    "정부 관계자는 이상 기후에 대비하라고 했다",
    "강남 지역 고객 정보가 유출됐다",
    "저는 학생입니다",
    "이번 대표는 누구",
    "하나님께 감사드립니다",
    "주인공 선생님이 멋있어요",
    "서울대 교수는 민주당 대표와 만났다",
    "이상한 사장님이네요",
    "태풍정보를 주시하라고 당부했다",
    "김모 씨가 말했다",
]


def names(detector: Detector, text: str) -> list[str]:
    return [text[s.start:s.end] for s in detector.detect(text) if s.type == "person"]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_names_in_ordinary_text(text, expected):
    assert names(PERSON, text) == expected


@pytest.mark.parametrize("text", UNTOUCHED)
def test_look_alike_words_untouched(text):
    assert names(PERSON, text) == []


def test_allow_listed_public_figures_are_kept():
    text = "손흥민 선수와 박지성 감독, 그리고 환자 김민수 씨"
    assert names(PERSON, text) == ["손흥민", "박지성", "김민수"]
    assert names(Detector(types=["person"], allow=["손흥민", "박지성"]), text) == ["김민수"]


def test_allow_list_reaches_the_pseudonymizer_the_step_and_other_types():
    from curate.pii.pseudonymizer import Pseudonymizer
    from curate.steps.pii import Pii

    detector = Detector(types=["phone", "person"], allow=["010-1234-5678"])
    text = "대표 전화 010-1234-5678, 담당자 김민수 010-9876-5432"
    assert [(s.type, text[s.start:s.end]) for s in detector.detect(text)] == [
        ("person", "김민수"), ("phone", "010-9876-5432")]
    kept = "손흥민 선수와 환자 김민수 씨가 만났다"
    p = Pseudonymizer(key="a-test-key-of-sixteen-bytes", types=["person"], mode="mask", allow=["손흥민"])
    assert p.pseudonymize(kept) == "손흥민 선수와 환자 [이름] 씨가 만났다"
    assert p.pseudonymize_batch([kept]) == ["손흥민 선수와 환자 [이름] 씨가 만났다"]
    step = Pii(types=["person"], mode="mask", allow=["손흥민"])
    assert step.process(pl.DataFrame({"text": [kept]})).df["text"][0] == "손흥민 선수와 환자 [이름] 씨가 만났다"


def test_batch_and_single_text_paths_agree():
    texts = [t for t, _ in FOUND] + UNTOUCHED
    batch = PERSON.detect_batch(pl.Series(texts))
    got = [(r, s, e) for r, s, e, t, _ in batch.iter_rows()]
    assert got == [(i, s.start, s.end) for i, t in enumerate(texts) for s in PERSON.detect(t)]
    assert got == [(i, s.start, s.end) for i, t in enumerate(texts) for s in PERSON.detect_unfiltered(t)]
