"""The shipped sample corpus and the benchmark corpus generator.

The generator tests build ~2 MB from ../shared/data (skipped where that is absent);
the sample tests read samples/sample_corpus.jsonl and regenerate it. PII kinds are
checked with regexes written here, independent of the project's detector.
"""

from __future__ import annotations

import collections
import difflib
import importlib.util
import json
import re
import sys
from pathlib import Path

import faker
import pytest

from curate.io import load_texts

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SAMPLE = REPO / "samples" / "sample_corpus.jsonl"
MB = 1 << 20


def _script(path: Path):
    """Import a script that is not in a package (dataclasses need it registered in sys.modules)."""
    name = f"_script_{path.stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- generator

@pytest.fixture(scope="module")
def gen():
    if not DATA.is_dir():
        pytest.skip(f"real text not found at {DATA}")
    return _script(REPO / "benchmarks" / "generate_corpus.py")


@pytest.fixture(scope="module")
def sources(gen):
    return gen.load_sources()


@pytest.fixture(scope="module")
def corpus(gen, sources, tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("gen") / "corpus.jsonl"
    gen.generate(2, out, seed=11, sources=sources)
    return out, _read_jsonl(out)


def test_size_fields_and_ids(corpus):
    path, docs = corpus
    assert abs(path.stat().st_size - 2 * MB) < 0.1 * 2 * MB
    assert all(set(d) == {"id", "text", "source", "noise", "dup_of"} for d in docs)
    assert [d["id"] for d in docs] == [f"gen-{i}" for i in range(len(docs))]
    assert all(isinstance(d["text"], str) and d["text"] for d in docs if d["source"] != "comment")
    assert {d["source"] for d in docs} == {"comment", "thread", "news", "longform", "html", "petition"}


def test_same_seed_same_bytes_other_seed_other_bytes(gen, sources, corpus, tmp_path):
    path, _ = corpus
    gen.generate(2, tmp_path / "again.jsonl", seed=11, sources=sources)
    gen.generate(2, tmp_path / "other.jsonl", seed=12, sources=sources)
    assert (tmp_path / "again.jsonl").read_bytes() == path.read_bytes()
    assert (tmp_path / "other.jsonl").read_bytes() != path.read_bytes()


def test_noise_present_at_about_its_rate(corpus):
    _, docs = corpus
    n = len(docs)
    by_id = {d["id"]: d for d in docs}
    tagged = collections.Counter(tag for d in docs for tag in d["noise"].split(",") if tag)
    # labels first, at their rates (binomial spread on ~2,500 documents)
    assert 0.035 < tagged["exact_dup"] / n < 0.065
    assert 0.018 < tagged["near_dup"] / n < 0.045
    assert 0.003 < tagged["cjk"] / n < 0.02
    fresh = [d for d in docs if not d["dup_of"]]
    kinds = collections.Counter(d["source"] for d in fresh)
    assert 0.018 < kinds["html"] / len(fresh) < 0.045
    assert 0.01 < kinds["petition"] / len(fresh) < 0.035
    news = [d for d in fresh if d["source"] == "news"]
    assert 0.05 < sum("boilerplate" in d["noise"] for d in news) / len(news) < 0.16
    comments = [d for d in fresh if d["source"] in ("comment", "thread")]
    assert 0.02 < sum("sprinkle" in d["noise"] for d in comments) / len(comments) < 0.07
    assert 0.003 < sum("pii_line" in d["noise"] for d in comments) / len(comments) < 0.025

    # then that the labels tell the truth about the text
    for d in docs:
        if d["noise"] == "exact_dup":
            assert d["text"] == by_id[d["dup_of"]]["text"]
        elif d["noise"] == "near_dup":
            original = by_id[d["dup_of"]]["text"]
            assert d["text"] != original
            assert difflib.SequenceMatcher(None, d["text"], original, autojunk=False).quick_ratio() > 0.7
        if d["source"] == "html" and not d["dup_of"]:
            assert re.match(r"<!doctype html>|<html", d["text"], re.I) and d["text"].endswith("</html>")
        if d["source"] == "petition" and not d["dup_of"]:  # phone, e-mail, id number or plate
            assert re.search(r"0\d{1,2}[-. )]+\d{3,4}[-. ]\d{4}|\+82|010\d{8}|[a-z0-9_.]+@[a-z.]+"
                             r"|\d{6}-\d{7}|\d{2,3}[가-힣] ?\d{4}", d["text"])
    cjk_line = re.compile(r"(?:[\u3040-\u30ff\u4e00-\u9fff][^\n]*){11}")
    cjk_docs = [d for d in docs if "cjk" in d["noise"].split(",")]
    assert all(cjk_line.search(d["text"]) for d in cjk_docs)
    boilerplate = [d for d in news if "boilerplate" in d["noise"]]
    marks = re.compile(r"무단\s?전재|무단복제|ⓒ|©|Copyright")
    assert sum(bool(marks.search(d["text"])) for d in boilerplate) >= 0.8 * len(boilerplate)


def test_formats_and_shards_hold_the_same_documents(gen, sources, corpus, tmp_path):
    _, docs = corpus
    texts = [d["text"] for d in docs]
    for fmt in ("jsonl.zst", "jsonl.gz", "parquet"):
        figures = gen.generate(2, tmp_path / f"c.{fmt}", seed=11, fmt=fmt, shards=3, sources=sources)
        assert len(figures["paths"]) == 3 and all(Path(p).stat().st_size > 0 for p in figures["paths"])
        assert load_texts(str(tmp_path / f"c-*.{fmt}")).to_list() == texts


def test_output_is_readable_by_load_texts(corpus):
    path, docs = corpus
    assert load_texts(str(path)).to_list() == [d["text"] for d in docs]


# ---------------------------------------------------------------- shipped sample

@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return _read_jsonl(SAMPLE)


def test_sample_is_up_to_date(tmp_path):
    manifest = json.loads((SAMPLE.parent / "sample_corpus.manifest.json").read_text(encoding="utf-8"))
    if manifest["faker"] != faker.VERSION:
        pytest.skip(f"sample made with Faker {manifest['faker']}, this is {faker.VERSION}: names may differ")
    make_sample = _script(REPO / "samples" / "make_sample.py")
    make_sample.write(tmp_path / "sample.jsonl")
    assert (tmp_path / "sample.jsonl").read_bytes() == SAMPLE.read_bytes()


def test_sample_shape(sample):
    assert SAMPLE.stat().st_size < 1 * MB
    assert 350 <= len(sample) <= 450
    assert len({d["id"] for d in sample}) == len(sample)
    assert all(set(d) == {"id", "text", "source"} for d in sample)
    counts = collections.Counter(d["text"] for d in sample)
    assert sum(c - 1 for c in counts.values() if c > 1) >= 20  # exact duplicates
    texts = [d["text"] for d in sample]
    near = [d["text"] for d in sample if d["source"] == "near_duplicate"]
    assert len(near) >= 10
    for text in near:  # each near duplicate is an edited copy of another document
        assert any(difflib.SequenceMatcher(None, text, t, autojunk=False).quick_ratio() > 0.8
                   and difflib.SequenceMatcher(None, text, t, autojunk=False).ratio() > 0.8
                   for t in texts if t != text)
    assert sum(len(t.strip()) <= 3 for t in texts) >= 8  # very short documents
    assert sum(bool(re.fullmatch(r"[\x00-\x7f]+", t)) and len(t) > 40 for t in texts) >= 5  # English
    assert sum(t.lstrip().lower().startswith(("<!doctype html", "<html")) for t in texts) >= 15
    assert any("<script" in t and "<style" in t and "<nav" in t and "<footer" in t for t in texts)
    assert sum(bool(re.search(r"[\u4e00-\u9fff]{11,}", t)) for t in texts) >= 5  # Chinese lines
    assert sum(bool(re.search(r"[\u3040-\u30ff]{5,}", t)) for t in texts) >= 3  # Japanese lines
    assert sum(bool(re.search(r"#[가-힣]+", t)) for t in texts) >= 5  # hashtags
    assert sum("ㅋㅋ" in t for t in texts) >= 20


NEWS_BOILERPLATE = {
    "dateline": r"\([가-힣]{2}=연합뉴스\) [가-힣]{2,4} 기자 = ",
    "signoff": r"(?m)^[가-힣]{2,4} 기자 [a-z0-9_.]+@yna\.co\.kr$",
    "yonhap_copyright": r"<저작권자\(c\) 연합뉴스, 무단 전재-재배포 금지>",
    "hankook": r"(?m)^ⓒ 한국일보$",
    "copyright_line": r"(?m)^Copyright ⓒ ",
    "caption": r"/사진=연합뉴스",
    "photo_tag": r"\[사진\]",
    "related_arrow": r"(?m)^▶ ",
    "related_finger": r"(?m)^☞ ",
    "subscribe": r"(?m)^구독하기$",
    "naver_subscribe": r"네이버 메인에서 \S+ 구독",
}


def test_sample_news_boilerplate_and_sentences_that_only_mention_it(sample):
    news = "\n".join(d["text"] for d in sample if d["source"] == "news")
    for name, pattern in NEWS_BOILERPLATE.items():
        assert re.search(pattern, news), name
    # body sentences about reporters, copyright or subscriptions: must not look like boilerplate lines
    mentions = re.findall(r"(?m)^(?!.*기자 = )[^\n▶☞<\[]*[가-힣]+ (?:기자|저작권|구독)[^\n]*다\.$", news)
    assert len(mentions) >= 5


def _rrn_ok(digits: str) -> bool:
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    total = sum(int(d) * w for d, w in zip(digits[:12], weights, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _brn_ok(digits: str) -> bool:
    d = [int(c) for c in digits]
    total = sum(x * w for x, w in zip(d[:9], (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + d[8] * 5 // 10
    return (10 - total % 10) % 10 == d[9]


BANKS = "국민은행|신한은행|우리은행|하나은행|NH농협은행|IBK기업은행|카카오뱅크|토스뱅크|새마을금고|우체국"
PII_PATTERNS = {
    "phone 010-1234-5678": r"(?<!\d)010-\d{4}-\d{4}(?!\d)",
    "phone 010.1234.5678": r"(?<!\d)010\.\d{4}\.\d{4}(?!\d)",
    "phone 01012345678": r"(?<![\d+])010\d{8}(?!\d)",
    "phone +82 10-": r"\+82[ -]10-\d{4}-\d{4}",
    "phone 02-123-4567": r"(?<![\d(])02-\d{3}-\d{4}(?!\d)",
    "phone 070-": r"(?<!\d)070-\d{4}-\d{4}(?!\d)",
    "frn": r"(?<![\d-])\d{6}-[5-8]\d{6}(?!\d)",
    "email with particle": r"[a-z0-9_.]+@[a-z0-9.]+\.(?:com|net|kr)(?:으로|로|에게|입니다|이고요)",
    "url": r"https?://[a-z0-9.]+\.[a-z]{2,}/\S*",
    "www url": r"(?<![/\w])www\.[a-z0-9.]+\.[a-z]{2,}",
    "ipv4": r"(?<![\d.])(?:(?:25[0-4]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-4]|2[0-4]\d|1?\d?\d)(?![\d.])",
    "ipv6": r"(?<![0-9a-f:])[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}(?![0-9a-f:])",
    "ipv6 compressed": r"2001:db8::[0-9a-f]{1,4}:[0-9a-f]{1,4}",
    "mac": r"(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f])",
    "mention": r"(?<![\w.@])@[a-z][a-z0-9_]{2,}",
    "road address with unit": r"[가-힣]+(?:로|대로|길) \d+, \d{3}동 \d{3,4}호",
    "lot-number address": r"[가-힣]+동 \d+-\d+",
    "bank account": rf"(?:{BANKS})(?: 계좌)? \d{{3,6}}-\d{{2,6}}-\d{{2,7}}",
    "passport M12345678": r"(?<![A-Z0-9])[MSR]\d{8}(?!\d)",
    "passport M123A4567": r"(?<![A-Z0-9])[MSR]\d{3}[A-Z]\d{4}(?!\d)",
    "driver licence 11-17-174133-01": r"(?<![\d-])(?:1[1-9]|2[0-8])-\d{2}-\d{6}-\d{2}(?!\d)",
    "health insurance": r"(?<![\d-])[1-9]-\d{10}(?!\d)",
    "amex 4-6-5": r"(?<!\d)3[47]\d{2}-\d{6}-\d{5}(?!\d)",
    "plate 12가3456": r"(?<![\d가-힣])\d{2}[가-힣]\d{4}(?!\d)",
    "plate 서울12가3456": r"(?:서울|부산|경기|인천|대구|광주|대전|울산|강원|충[북남]|전[북남]|경[북남]|제주)"
                        r"\d{2}[가-힣]\d{4}",
    "plate 123가 4567": r"(?<!\d)\d{3}[가-힣] \d{4}(?!\d)",
}


def test_sample_contains_every_kind_of_fake_pii(sample):
    text = "\n".join(d["text"] for d in sample)
    missing = [name for name, pattern in PII_PATTERNS.items() if not re.search(pattern, text)]
    assert not missing, missing

    rrns = re.findall(r"(?<![\d-])(\d{2})(\d{4})-([1-4]\d{6})(?!\d)", text)
    assert any(_rrn_ok(y + md + rest) for y, md, rest in rrns)  # with a valid check digit
    # born after October 2020: random tail, so (here, deliberately) not the old check digit
    assert any(int(y) >= 20 and rest[0] in "34" and not _rrn_ok(y + md + rest) for y, md, rest in rrns)
    grouped = re.findall(r"(?<!\d)\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}(?!\d)", text)
    cards = [re.sub(r"\D", "", m) for m in grouped]
    assert cards and all(_luhn_ok(c) for c in cards)
    brns = re.findall(r"사업자(?:등록)?번호[는:]? ?(\d{3})-(\d{2})-(\d{5})", text)
    assert brns and all(_brn_ok("".join(b)) for b in brns)


def test_sample_copies_no_text_from_shared_data(sample, sources):
    real = {s for s in sources.comments if len(s) >= 12} | {s for s in sources.news.sentences if len(s) >= 20}
    lines = {line.strip() for d in sample for line in d["text"].split("\n")}
    assert not lines & real
