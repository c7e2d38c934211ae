"""The detector's fast paths give exactly what the plain patterns give: anchored pattern search
(`anchor` in rules/pii/types/<type>.yaml) against ``regex.finditer`` on the eval sets, hand-made edge
cases and random strings built from the pieces the patterns look for; the Polars pass that lets
rows skip the hard negatives never skips a row where one matches."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.pii.detect import Detector
from curate.pii.detect_rules import compiled_rules

EVAL_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "pii_eval"

ANCHORED = [(t.name, p) for t in compiled_rules()[0].values() for p in t.patterns if p.anchor is not None]

EDGE_CASES = [
    "서울특별시    강남구  테헤란로 123 4층",
    "제주특별자치도\t\u3000서귀포시 중앙로 12-3 (서귀동)",
    "경기도 수원시 팔달구 매산로 1, 101동 1203호",
    "주소: 충청남도 천안시 동남구 목천읍  삼방로 95",
    "주소는 종로1가 12 입니다, 배송지 역삼동 123-45호",
    "주소 가나다라마바사아자차카타파하거리 12번지",
    "주소 대로변3길 12번길 34",
    "주소 제주특별자치도   마산합포구 해안로 12",  # the longest 시/도 and 시/군/구 names: 11 back
    "주소 가나다라마읍  가나다라마바사아자차카타거리 12",  # the longest 읍/면 and road name: 19 back
    "주소 가나다라마면 가나다라마바사아동 산 12-3",
    "주소: 산골면 어느리 산 12-3번지",
    "차량 12가3456나7890가 서울12가 3456, 부산 123나4567와 100배 1000배",
    "12가3456 34나5678 56다7890",
    "서울12가3456서울34나5678",
]

# pieces of the things the anchored patterns match, to be strung together at random
PIECES = ["서울", "서울특별시", "경기도", "강남구", "수원시", "팔달구", "중구", "군", "시", "구", " ", "  ",
          "\t", "\u3000", "로", "길", "거리", "동", "리", "가", "산", "지하", "읍", "면", "번지", "12",
          "3", "4567", "-", "층", "호", "(", ")", "역삼", "테헤란", "가", "나", "배", "a", "으", ","]


def eval_texts() -> list[str]:
    texts = []
    for name in ("eval_set.jsonl", "eval_set_person.jsonl", "eval_set_phone_rep.jsonl"):
        with (EVAL_DIR / name).open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh]
    return texts


def spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def test_some_patterns_are_anchored():
    assert {type_name for type_name, _ in ANCHORED} >= {"address", "vehicle_plate"}


@pytest.mark.parametrize(("type_name", "pattern"), ANCHORED, ids=[f"{t}.{p.name}" for t, p in ANCHORED])
def test_anchored_search_equals_plain_search(type_name, pattern):
    texts = eval_texts() + EDGE_CASES
    hits = 0
    for text in texts:
        expected = spans(pattern.regex.finditer(text))
        assert spans(pattern.finditer(text)) == expected, (type_name, pattern.name, text)
        hits += bool(expected)
    assert hits >= 5  # the comparison covers real matches, not only empty results


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_anchored_search_equals_plain_search_on_random_strings(text):
    for _, pattern in ANCHORED:
        assert spans(pattern.finditer(text)) == spans(pattern.regex.finditer(text))


NEGATIVE_EDGE_CASES = [
    "ISBN 978-89-1234-567-8", "isbn: 89-1234-567-X", "İSBN 978-89-1234-567-8", "ıSBN 978-89-1234-567-8",
    "IſBN 8912345678",
    "v1.2.3", "V 2.0.1", "ver.3.1", "Version 10.2", "VERSİON 1.2", "verſion 1.2", "버전 3.1.4",
    "version2.0", "업데이트 v12.0.1 이후 010-1234-5678로 문의",
]


def test_hard_negative_candidate_keeps_every_row_a_hard_negative_matches_in():
    _, hard_negatives, branches, _ = compiled_rules()
    texts = eval_texts() + NEGATIVE_EDGE_CASES
    flagged = pl.Series(texts).to_frame("text").select(
        pl.any_horizontal(pl.col("text").str.contains(b) for b in branches)
    ).to_series().to_list()
    matched = [any(p.search(t) for p in hard_negatives) for t in texts]
    assert sum(matched) >= 50  # the eval sets hold ISBNs and versions
    missed = [t for t, m, f in zip(texts, matched, flagged, strict=True) if m and not f]
    assert missed == []
    assert sum(flagged) < len(texts) / 2  # and it does skip rows


@pytest.mark.parametrize("text", NEGATIVE_EDGE_CASES)
def test_hard_negatives_hold_on_the_batch_path(text):
    detector = Detector()
    carrier = f"주문 안내 {text} 연락처 010-2345-6789"
    assert detector.detect(carrier) == detector.detect_unfiltered(carrier)


# One text without a Polars frame (issue 16): the same spans as the batch path, on every eval
# text and on random strings of digits, separators, letters and Hangul (Unicode digits and
# full-width forms included, where the two regex engines could read a class differently).
SINGLE_PIECES = ["010", "-", " - ", "–", "‐", "ㅡ", " ", ".", "．", "＠", "ｈｏｎｇ",
                 "1234", "5678", "@", "example", ".com", "hong", "주민번호",
                 "850315", "1234566", "계좌", "신한", "110", "카드", "4571", "연락처", "０１０", "٠١٢", "192.168.",
                 "0.1", ":", "ab", "CD", "서울시", "강남구", "테헤란로", "12", "호", "동", "www.", "http://", "\n"]


def test_one_text_gives_the_batch_paths_spans_on_the_eval_sets():
    detector = Detector(types=list(compiled_rules()[0]))
    texts = eval_texts()
    batch = detector.detect_batch(pl.Series(texts))
    by_row: dict[int, list] = {}
    for row, start, end, type_, score in batch.iter_rows():
        by_row.setdefault(row, []).append((start, end, type_, score))
    found = 0
    for row, text in enumerate(texts):
        single = [(s.start, s.end, s.type, s.score) for s in detector.detect(text)]
        assert single == by_row.get(row, []), text
        found += bool(single)
    assert found > 500


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SINGLE_PIECES), max_size=30).map("".join))
def test_one_text_gives_the_batch_paths_spans_on_random_strings(text):
    detector = _ALL_TYPES
    batch = [(s, e, t, sc) for _, s, e, t, sc in detector.detect_batch(pl.Series([text])).iter_rows()]
    assert [(s.start, s.end, s.type, s.score) for s in detector.detect(text)] == batch


_ALL_TYPES = Detector(types=list(compiled_rules()[0]))


@pytest.mark.parametrize("text", ["010@192.168.example", "a@1.2.3.example.com 입니다", "０１０\n-1234566호"])
def test_one_text_and_the_batch_path_agree_where_candidates_once_fell_short(text):
    """Cases a 100,000-string stress run found: a candidate narrower than its pattern (numeric
    domain labels; a line break inside a phone number's separator)."""
    batch = [(s, e, t, sc) for _, s, e, t, sc in _ALL_TYPES.detect_batch(pl.Series([text])).iter_rows()]
    assert [(s.start, s.end, s.type, s.score) for s in _ALL_TYPES.detect(text)] == batch != []
