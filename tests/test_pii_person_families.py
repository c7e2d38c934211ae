"""The opt-in ``person`` type's later context families (issue 16, item 3): lists without a naming
word, names followed only by a particle, given names alone before 씨/언니/형 and as vocatives,
given names after a full mention, form labels; the look-alike words of each family untouched;
the single-text and batch paths give the same spans, and the same input the same spans."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.pii import person
from curate.pii.detect import Detector
from curate.pii.person.decide import name_in_word
from curate.pii.person.find import bare_name

PERSON = Detector(types=["person"])

FOUND = {
    "bare_list": [
        ("김민수, 이영희, 박철수가 참석했다.", ["김민수", "이영희", "박철수"]),
        ("어제 회의에는 최지훈과 정수빈이 함께 나왔다.", ["최지훈", "정수빈"]),
        ("김지영·박현우가 공동 1위를 차지했다", ["김지영", "박현우"]),
        ("수상자는 이서연, 김도현 등이다.", ["이서연", "김도현"]),
    ],
    "particle": [
        ("김철수가 말했다.", ["김철수"]),
        ("어제 이영희를 만났다.", ["이영희"]),
        ("그 일은 박민준에게 물어봤다", ["박민준"]),
        ("최수진은 끝내 대답하지 않았다.", ["최수진"]),
        ("홍길동이 왔다", ["홍길동"]),  # once a negative of tests/test_pii_detect.py (no naming word)
    ],
    "vocative": [
        ("지훈아, 밥 먹자!", ["지훈"]),
        ("민수야 어디 가?", ["민수"]),
        ("사랑하는 서연아 생일 축하해", ["서연"]),
    ],
    "given_honorific": [
        ("수진 씨, 오늘 회의 몇 시예요?", ["수진"]),
        ("지영 언니가 그러는데 내일 비 온대요", ["지영"]),
        ("민호 형이 사준 책이다", ["민호"]),
        ("현우 선배에게 물어볼게", ["현우"]),
    ],
    "first_mention": [
        ("김지훈 씨는 어제 도착했다. 지훈은 곧바로 일을 시작했다.", ["김지훈", "지훈"]),
    ],
    "form": [
        ("[이름] 김성은", ["김성은"]),
        ("예약자명 이도윤", ["이도윤"]),
        ("대표자 성명 박지민", ["박지민"]),
        ("신청인(성명): 정예준", ["정예준"]),
        ("고객 오숙자에게 안내문을 보냈다", ["오숙자"]),
    ],
}
UNTOUCHED = {
    # words that read as a surname and a syllable or two before a particle
    "particle": ["이상이 없으면 정부가 발표한다", "강남을 지나 한국이 이겼다", "조사를 받았다. 신고가 들어왔다.",
                 "전문가들은 이번에 고기를 먹었다", "문제가 많다. 유명한 배우들이 나왔다.", "이영화는 정말 재밌다",
                 "백만원은 우습나", "남의돈부터 갚아라", "노련한 배우들의 연기", "주는것입니다", "정말 이상하다",
                 "신기하다 정말"],
    "bare_list": ["정치, 경제, 사회 분야", "한국, 중국, 일본이 참석했다", "서울, 부산, 대구에서 열린다",
                  "정부와 여당이 합의했다", "감독과 배우가 인사했다", "김밥, 라면, 떡볶이를 먹었다",
                  "민수랑 영희는 내일 온대"],
    "vocative": ["좋아, 가자!", "진짜야?", "얘들아, 모여라", "친구야 고마워", "세상아 덤벼라", "이거야, 이게 정답이야"],
    "given_honorific": ["날씨가 좋아", "아저씨가 왔다", "솜씨가 좋다", "마음씨 고운 사람", "사촌 언니가 왔다",
                        "동네 형이 그랬다", "친한 선배가 알려줬다", "아버님께서 오셨다", "중국군이 철수했다"],
    "title": ["서울대 교수는 말했다", "김모 씨가 말했다", "김기자는 그렇게 썼다", "박감독님 영화 최고",
              "이번 대표는 누구"],
}


def names(text: str) -> list[str]:
    return [text[s.start:s.end] for s in PERSON.detect(text) if s.type == "person"]


@pytest.mark.parametrize(("text", "expected"), [c for cases in FOUND.values() for c in cases],
                         ids=[f"{f}-{i}" for f, cases in FOUND.items() for i in range(len(cases))])
def test_names_in_each_family(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [t for texts in UNTOUCHED.values() for t in texts],
                         ids=[f"{f}-{i}" for f, texts in UNTOUCHED.items() for i in range(len(texts))])
def test_look_alikes_of_each_family_untouched(text):
    assert names(text) == []


def test_a_hard_negative_beside_names_stays_untouched():
    text = "이상이 없다고 김철수가 말했다. 정부가 발표하자 지훈아, 하고 불렀다."
    assert names(text) == ["김철수", "지훈"]


def test_the_allow_list_holds_in_the_new_families():
    detector = Detector(types=["person"], allow=["김철수", "지훈"])
    text = "김철수가 말했다. 지훈아, 밥 먹자! 김철수, 이영희, 박민수가 왔다."
    assert [text[s.start:s.end] for s in detector.detect(text)] == ["이영희", "박민수"]


def test_name_likeness_reads_names_above_look_alikes():
    rules = person.person_rules()
    assert person.name_ratio("김민수", rules) > person.name_ratio("이상하", rules) + 4
    assert person.given_ratio("지훈", rules) > person.given_ratio("친구", rules) + 2
    assert "이영화" in rules.common  # a frequent word of real text that reads like a name
    assert person.name_ratio("김모", rules) == float("-inf")  # a name withheld


def test_particles_fit_the_sound_before_them():
    rules = person.person_rules()
    assert name_in_word("김민준이", True, rules) == "김민준"
    assert name_in_word("김민수가", True, rules) == "김민수"
    assert bare_name("김민준가", rules) is None  # 가 after a final consonant: not a particle here


def _spans_both_ways(texts: list[str]) -> tuple[list, list]:
    batch = [(r, s, e, sc) for r, s, e, _, sc in PERSON.detect_batch(pl.Series(texts, dtype=pl.Utf8)).iter_rows()]
    single = [(i, s.start, s.end, s.score) for i, t in enumerate(texts) for s in PERSON.detect(t)]
    return batch, single


def test_batch_and_single_text_paths_agree_on_the_families():
    texts = [t for cases in FOUND.values() for t, _ in cases] + [t for ts in UNTOUCHED.values() for t in ts]
    batch, single = _spans_both_ways(texts)
    assert batch == single
    assert len(batch) >= sum(len(e) for cases in FOUND.values() for _, e in cases)


PIECES = ["김민수", "이영희", "박철수", "지훈", "수진", "민수", "이상", "정부", "강남", "이영화", "한국",
          "가", "이", "는", "은", "를", "을", "와", "과", "랑", "아", "야", "도", "의", "에게",
          " ", ", ", "·", " 씨", "씨", " 님", " 언니", " 형", " 기자", " 교수", "(35)", "입니다",
          "환자 ", "성명: ", "[이름] ", "저는 ", "말했다", ".", "!", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=25).map("".join), min_size=1, max_size=4))
def test_batch_and_single_text_paths_agree_on_random_text(texts):
    batch, single = _spans_both_ways(texts)
    assert batch == single
    assert _spans_both_ways(texts) == (batch, single)  # the same input, the same spans


def test_same_spans_with_kiwis_cache_emptied():
    texts = [t for cases in FOUND.values() for t, _ in cases]
    first = _spans_both_ways(texts)
    person.clear_verdicts()
    assert _spans_both_ways(texts) == first
