"""cjk_filter, language_filter, length_filter and quality_filter on real and hand-written Korean."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import polars as pl
import pytest

from curate.steps.cjk_filter import CjkFilter
from curate.steps.language_filter import LanguageFilter
from curate.steps.length_filter import LengthFilter
from curate.steps.quality_filter import QualityFilter

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def frame(*texts: str) -> pl.DataFrame:
    return pl.DataFrame({"id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})


def reasons(step, *texts: str) -> list[str | None]:
    out = step.process(frame(*texts))
    df = out if isinstance(out, pl.DataFrame) else out.df
    return df["_drop"].to_list()


def reviews(n: int) -> list[str]:
    if not DATA.exists():
        pytest.skip("shared data missing")
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for _, line in zip(range(n), fh, strict=False)]


def news() -> list[str]:
    if not DATA.exists():
        pytest.skip("shared data missing")
    with open(DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        return [row["내용"] for row in csv.DictReader(fh)]


def test_cjk_filter_drops_chinese_and_japanese_sentences_keeps_hanja_word():
    text = ("대한민국(大韓民國)은 민주공화국이다.\n"
            "東京都は日本の首都であり人口が多い。\n"
            "中华人民共和国成立于一九四九年十月一日。\n"
            "ㅋㅋ 재밌다")
    out = CjkFilter().process(frame(text))
    assert out.df["text"].to_list() == ["대한민국(大韓民國)은 민주공화국이다.\nㅋㅋ 재밌다"]
    assert out.counters == {"sentences_removed": 2}
    assert CjkFilter(max_cjk=3).process(frame(text)).df["text"].to_list() == ["ㅋㅋ 재밌다"]


def test_language_filter():
    assert reasons(LanguageFilter(), "2002 월드컵!! 최고 ㅋㅋ", "This is an English sentence about Seoul.",
                   "!!! 123", "ㅋㅋㅋㅋ", "삼성전자(Samsung Electronics)가 새 스마트폰을 발표했다.",
                   "Seoul is the capital of Korea (대한민국).") == [
        None, "not_korean", "not_korean", None, None, "not_korean"]


def test_language_filter_keeps_real_korean():
    texts = reviews(3000)
    dropped = [t for t, r in zip(texts, reasons(LanguageFilter(), *texts), strict=True) if r]
    assert len(dropped) < 0.02 * len(texts)
    assert all(sum("가" <= c <= "힣" for c in t) < len(t) / 2 for t in dropped)


def test_length_filter_documents_and_sentences():
    step = LengthFilter(min_chars=5, max_chars=30, min_sentence_chars=4)
    out = step.process(frame("ㅋㅋ\n정말 재밌는 영화였다", "짧다", "가" * 40))
    assert out.df["text"].to_list() == ["정말 재밌는 영화였다", "", "가" * 40]
    assert out.df["_drop"].to_list() == [None, "too_short", "too_long"]
    assert out.counters == {"sentences_removed": 2}


def test_length_filter_klue_setting_on_news():
    texts = news()[:100]
    out = LengthFilter(min_chars=200).process(frame(*texts))
    short = [len(t.strip()) < 200 for t in texts]
    assert [r == "too_short" for r in out.df["_drop"].to_list()] == short


def test_quality_filter_catches_repetition_and_junk():
    spam = "\n".join(["지금 바로 클릭하세요 무료 쿠폰 지급"] * 6 + ["오늘의 뉴스입니다"])
    ngram = "OO노잼" * 40
    table = "2019 2020 2021\n153 161 178\n100 200 300"
    symbols = "★☆★ ♥♡♥ ◆◇◆ ※ ▷ ▶ ◀ ○ ●"
    ok = ("무거운 소재임에도 잘 풀어 좋은 영화를 만들어 냈다. "
          "다만 초반이 살짝 다큐멘터리 같았다 ㅋㅋ 그래도 강추 ^^")
    assert reasons(QualityFilter(), spam, ngram, table, symbols, ok) == [
        "repetitive_lines", "repetitive_ngrams", "digit_ratio", "symbol_ratio", None]


def test_quality_filter_keeps_nearly_all_news_and_most_reviews():
    texts = news()
    dropped = sum(r is not None for r in reasons(QualityFilter(), *texts))
    assert dropped <= 0.01 * len(texts)
    sample = reviews(5000)
    dropped = sum(r is not None for r in reasons(QualityFilter(), *sample))
    assert dropped <= 0.03 * len(sample)


def test_quality_filter_rules_switch_off():
    step = QualityFilter(max_digit_ratio=None, max_symbol_ratio=None)
    assert reasons(step, "1 | 2 | 3 | 4") == [None]


def test_quality_filter_repeated_paragraphs():
    repeated = "\n\n".join(["같은 문단이 여러 번 나오면 반복으로 본다"] * 3 + ["첫 문단은 다르다"])
    step = QualityFilter(max_duplicate_line_fraction=None, max_duplicate_line_char_fraction=None)
    assert reasons(step, repeated, "서로 다른 첫 문단이다\n\n서로 다른 둘째 문단이다") == [
        "repetitive_paragraphs", None]


def test_code_point_classes_count_what_the_regex_counts():
    # one look-up per character must give Polars' own count_matches, astral characters,
    # empty and null texts included
    from curate.text.codepoints import class_bits, code_points, run_class, run_counts

    texts = pl.Series(["★☆ 2019년 ... 𝟙𝟚𝟛 😀😀 ㅋㅋ!!", "", None, "12 34\n56", "!!!\t???\u3000…",
                       "가나다" * 50, "😀", "٣٤ ½ Ⅻ"])
    codes, offsets = code_points(texts)
    patterns = [r"[^\p{L}\p{N}\s]+", r"\p{N}+", r"\s+"]
    classes = tuple(run_class(p) for p in patterns)
    assert None not in classes and run_class(r"\d{2}") is None and run_class(r"[a]|[b]+") is None
    bits = class_bits(codes, classes)
    for bit, pattern in enumerate(patterns):
        expected = texts.str.count_matches(pattern).fill_null(0).to_list()
        assert run_counts((bits & (1 << bit)).astype(bool), offsets).tolist() == expected


def test_quality_filter_ratios_match_regex_definition():
    texts = ["가나다라 ★★ 마바사 ☆ 아자차 ◆", "숫자 1 2 3 4 5 6 7", "𝟙𝟚 𝟛𝟜 가", "   ", ""]
    step = QualityFilter(top_ngram_max_coverage={}, max_symbol_ratio=0.2, max_digit_ratio=0.3)
    no_blanks = pl.Series(texts).str.replace_all(r"[ \n\t\r\u3000\u00a0]", "").str.len_chars()
    symbols = pl.Series(texts).str.count_matches(r"[^\p{L}\p{N}\s]+")
    digits = pl.Series(texts).str.count_matches(r"\p{N}+")
    expected = [("symbol_ratio" if n and s / n > 0.2 else "digit_ratio" if n and d / n > 0.3 else None)
                for n, s, d in zip(no_blanks, symbols, digits, strict=True)]
    assert reasons(step, *texts) == expected == ["symbol_ratio", "digit_ratio", "digit_ratio", None, None]


def test_quality_filter_ngram_rule_reads_first_non_blank_characters():
    # the rule judges the first ngram_max_chars non-blank characters of documents with at
    # least ngram_min_chars of them: the same verdicts as the texts stripped and cut by hand
    from curate.text.ngrams import exceeds_ngram_coverage

    plain = "무거운 소재임에도 잘 풀어 좋은 영화를 만들어 냈다.\n다만 초반이 살짝 다큐멘터리 같았다"
    texts = [plain + " ㅋㅋ ㅋ" * 40,  # repetitive, but past the first 40 non-blank characters
             "ㅋㅋ ㅋ" * 40 + plain, "짧다 ㅋㅋㅋㅋ", plain, "", "\u3000" + plain.replace(" ", "\u00a0")]
    limits = {2: 0.2, 3: 0.18, 4: 0.16}
    step = QualityFilter(top_ngram_max_coverage=limits, ngram_min_chars=20, ngram_max_chars=40,
                         max_symbol_ratio=None, max_digit_ratio=None, max_duplicate_line_fraction=None,
                         max_duplicate_line_char_fraction=None)
    cut = pl.Series(texts).str.replace_all(r"[ \n\t\r\u3000\u00a0]", "").str.slice(0, 40).to_list()
    judged = [len(t) >= 20 for t in cut]
    over = exceeds_ngram_coverage(cut, limits)
    expected = ["repetitive_ngrams" if j and o else None for j, o in zip(judged, over, strict=True)]
    assert reasons(step, *texts) == expected == [None, "repetitive_ngrams", None, None, None, None]


def test_ngram_pruning_gives_the_verdicts_of_every_coverage():
    # the bucket bound and the count bounds only skip work: the verdicts are those of the
    # top n-gram coverage computed for every text and every n
    import numpy as np

    from curate.text.ngrams import exceeds_ngram_coverage, top_ngram_coverage

    rng = np.random.default_rng(0)
    syllables = [chr(0xAC00 + i) for i in rng.integers(0, 400, 60)] + list("ㅋㅎ.!😀")
    texts = []
    for _ in range(3000):
        words = rng.choice(syllables, size=int(rng.integers(1, 400)))
        if rng.random() < 0.3:  # some texts repeat a piece of themselves
            words = np.concatenate([words, np.tile(words[:int(rng.integers(1, 6))], int(rng.integers(1, 80)))])
        texts.append("".join(words))
    texts += ["", "ㅋ", "ㅋㅋ"]
    for limits in ({2: 0.2, 3: 0.18, 4: 0.16}, {1: 0.1, 3: 0.05}, {2: 0.0}):
        coverage = top_ngram_coverage(texts, list(limits))
        expected = np.any([coverage[n] > limit for n, limit in limits.items()], axis=0)
        assert (exceeds_ngram_coverage(texts, limits) == expected).all()
        assert 0 < expected.sum() < len(texts) or limits == {2: 0.0}


def test_ngram_coverage_of_a_text_does_not_depend_on_its_neighbours():
    # a text too short for any 4-gram once leaked "hits" into the next text's coverage
    from curate.text.ngrams import top_ngram_coverage

    text = "갆곘괒겝괃과겸곌!갠갱괌괣굁괃곘걆국걦괒굔괃괒곌굖감굖괱걷격괄갃"
    alone = top_ngram_coverage([text], [2, 4])
    after_short = top_ngram_coverage(["ㅋㅋㅋ", text], [2, 4])
    assert alone[4][0] == after_short[4][1] == 4 / len(text)
    assert alone[2][0] == after_short[2][1] == 2 / len(text)
