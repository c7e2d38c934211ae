"""normalize and strip_markup on hand-written and real Korean text."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from curate.steps.normalize import Normalize
from curate.steps.strip_markup import StripMarkup

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def frame(*texts: str) -> pl.DataFrame:
    return pl.DataFrame({"id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})


def normalized(*texts: str) -> list[str]:
    return Normalize().process(frame(*texts)).df["text"].to_list()


def test_nfc_composes_decomposed_hangul():
    decomposed = unicodedata.normalize("NFD", "한국어 말뭉치")
    assert decomposed != "한국어 말뭉치"
    assert normalized(decomposed) == ["한국어 말뭉치"]


def test_invisible_and_control_characters_removed_newlines_unified():
    out = normalized("뉴스\u200b입니다\ufeff\x07 끝\r\n다음 줄\r마지막\ufffd")
    assert out == ["뉴스입니다 끝\n다음 줄\n마지막"]


def test_fullwidth_ascii_to_ascii_but_compatibility_jamo_and_circled_numbers_kept():
    out = normalized("ＫＢＳ２ 뉴스！　ㅋㅋㅋ ① 항목")
    assert out == ["KBS2 뉴스! ㅋㅋㅋ ① 항목"]


def test_mojibake_repaired_only_where_redecoding_gives_hangul():
    utf8_as_cp1252 = "안녕하세요 반갑습니다".encode().decode("cp1252")
    euckr_as_latin1 = "안녕하세요".encode("cp949").decode("latin-1")
    result = Normalize().process(frame(f"인사: {utf8_as_cp1252}", f"{euckr_as_latin1} 여러분", "Café Müller"))
    assert result.df["text"].to_list() == ["인사: 안녕하세요 반갑습니다", "안녕하세요 여러분", "Café Müller"]
    assert result.counters["mojibake_repaired"] == 2


def test_real_news_unchanged_except_invisible_characters():
    if not DATA.exists():
        pytest.skip("shared data missing")
    with open(DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        texts = [row["내용"] for row in csv.DictReader(fh)][:200]
    out = normalized(*texts)
    for before, after in zip(texts, out, strict=True):
        expected = unicodedata.normalize("NFC", before.replace("\r\n", "\n"))
        expected = "".join(c for c in expected if c not in "\u200b\ufeff\u00ad")
        expected = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in expected)
        assert after.replace("\u00a0", " ") == expected.replace("\u3000", " ").replace("\u00a0", " ")


def stripped(*texts: str, **params) -> list[str]:
    return StripMarkup(**params).process(frame(*texts)).df["text"].to_list()


def test_inline_tags_entities_hashtags_and_blanks():
    out = stripped("영화 <기생충>을 봤다<br/>정말 <b>최고</b>&nbsp;&lt;3 #봉준호 #명작  추천 &#8230;")
    assert out == ["영화 <기생충>을 봤다\n정말 최고 <3 추천 …"]


def test_empty_brackets_removed_but_filled_ones_and_hanja_kept():
    out = stripped("대한민국(大韓民國)은 ( ) 민주 공화국이다 [] 「」 「헌법」 제1조")
    assert out == ["대한민국(大韓民國)은 민주 공화국이다 「헌법」 제1조"]


def test_hash_numbers_and_csharp_are_not_hashtags():
    assert stripped("C# 강좌 1위 #1 그리고 #해시태그") == ["C# 강좌 1위 #1 그리고"]


def test_whole_page_goes_through_the_parser():
    page = ("<!DOCTYPE html><html><head><title>제목</title><style>p{color:red}</style>"
            "<script>var 기자 = 1;</script></head><body><div>첫 문단은 <a href='#'>링크</a>가 있다.</div>"
            "<p>둘째&nbsp;문단 &#xAC00;나다.</p><!-- 주석 --></body></html>")
    result = StripMarkup().process(frame(page, "평범한 <i>문장</i>"))
    assert result.df["text"].to_list() == ["첫 문단은 링크가 있다.\n\n둘째 문단 가나다.", "평범한 문장"]
    assert result.counters["html_pages"] == 1


def test_reviews_with_emoticons_survive_markup_stripping():
    reviews = ["ㅋㅋㅋ 진짜 웃기다 ^^ 강추!!", "ㅠㅠ 슬퍼요... (눈물)", "별 다섯 개 :) 최고"]
    assert stripped(*reviews) == reviews


def test_page_text_removes_what_one_css_query_per_selector_removes():
    # tag names go through lexbor's element lookup and runs of simple selectors through one
    # CSS query: the text must be what removing each selector's matches in turn leaves
    from selectolax.lexbor import LexborHTMLParser

    from curate.rules import load_yaml
    from curate.text.html import page_text

    def one_by_one(html: str, selectors: tuple[str, ...]) -> str:
        tree = LexborHTMLParser(html)
        for selector in selectors:
            for node in tree.css(selector):
                node.decompose(recursive=False)
        root = tree.body or tree.root
        return "" if root is None else root.text(deep=True, separator="", strip=False)

    pages = [
        '<html><head><title>제목</title></head><body><div class="menu"><ul class="menu-list">'
        '<li class="menu">메뉴</li></ul></div><p>본문</p><SCRIPT>x()</SCRIPT><svg><text>그림</text></svg>'
        '<template><p>틀</p></template></body></html>',
        '<body><nav><div id="sidebar"><nav>안</nav></div></nav><p>남는 <b class="share-btn">공유</b> 글</p>'
        '<footer><footer>꼬리</footer></footer><ul><li>첫째</li><li>둘째</li></ul>끝</body>',
    ]
    shipped = tuple(load_yaml("clean/markup.yaml")["drop_selectors"])
    ordered = ("li:first-child", "[class*=menu]", "ul > li", "b", "li:first-child")
    for html in pages:
        for selectors in (shipped, ordered):
            assert page_text(html, selectors) == one_by_one(html, selectors)
    assert page_text(pages[1], shipped) == "남는  글첫째둘째끝"
    assert page_text(pages[1], ordered) == "안남는  글꼬리끝"


def test_parser_load_follows_the_stack_of_open_elements():
    from curate.text.html_load import parser_load

    # Balanced markup: the depth itself; well-formed siblings, implied closes and raw text stay shallow.
    assert parser_load("<div>" * 40 + "가" + "</div>" * 40, 512) == 40
    assert parser_load("<ul>" + "<li>항목<p>문단" * 2000 + "</ul>", 512) <= 3
    assert parser_load("<table>" + "<tr><td><font color=red>칸" * 2000 + "</table>", 512) <= 6
    assert parser_load("<select>" + "<option>하나</option>" * 400 + "</select>", 512) <= 512
    assert parser_load("<script>" + "<div>" * 2000 + "</script><p>끝", 512) <= 2
    # End tags that the parser ignores or that only look like tags do not count as pops.
    for unit in ("<span><div></span></div>", "<div title='</div>'>", "<div><!--</div>-->", "<td><div></td>",
                 "<div><script></div></script>", "<svg><![CDATA[></svg>]]>"):
        assert parser_load(unit * 2000, 512) > 512, unit
    # Formatting elements left open are reopened by the parser (at most three identical ones).
    assert parser_load("".join(f"<div><b id={i}></div>" for i in range(2000)), 512) > 512
    assert parser_load("<div><b id=x></div>" * 2000, 512) <= 5
    assert parser_load("<select>" + "<option>" * 4000, 512) > 512
    assert parser_load("<div " + " ".join(f"a{i}" for i in range(1000)) + ">", 512) > 512


def test_page_too_deep_for_the_parser_loses_its_tags_by_regex():
    deep = "<html><body><script>x()</script>" + "<div>" * 1000 + "깊은 글" + "</div>" * 1000 + "<p>끝</p></body></html>"
    result = StripMarkup().process(frame(deep))
    assert result.df["text"].to_list() == ["깊은 글\n\n끝"]
    assert result.counters == {"html_pages": 1, "html_pages_too_deep": 1}


def test_max_repeat_cuts_laughter_and_punctuation_runs_only():
    kept = ["전화 010-1111-1111 zzzz 2000000원", "보통 문장."]  # digits and letters are never cut
    df = pl.DataFrame({"id": ["a", "b", "c"], "text": ["재밌다ㅋㅋㅋㅋㅋㅋㅋ 최고!!!!!! ㅠㅠㅠㅠ~~~~~", *kept]})
    out = Normalize(max_repeat=3).process(df)
    assert out.df["text"].to_list() == ["재밌다ㅋㅋㅋ 최고!!! ㅠㅠㅠ~~~", *kept]
    assert out.counters["repeats_reduced"] == 4
    assert Normalize().process(df).df["text"].to_list() == df["text"].to_list()  # off unless asked
    with pytest.raises(ValueError):
        Normalize(max_repeat=0)
