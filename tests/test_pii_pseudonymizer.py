"""The Pseudonymizer: modes, keyed consistency, no leaks, batch == single."""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import polars as pl
import pytest

from curate.pii import Pseudonymizer, key_from_env_or_file
from curate.pii.keys import KeyFileError
from curate.pii.type_code.rrn import rrn_valid

KEY = b"test-key-0123456789"

# A realistic customer-service complaint with many kinds of PII; every value is listed below.
TEXT = (
    "안녕하세요. 지난주 주문 건으로 연락드립니다. 제 연락처는 010-2345-6789이고 "
    "회사 번호는 02-312-4567입니다. 이메일은 hong.gildong@naver.com으로 보내주세요. "
    "주민등록번호 900101-1234568 을 요구하셔서 불쾌했습니다. "
    "환불은 신한은행 계좌 110-245-124678 로 부탁드립니다. 카드번호 4111-1111-1111-1111 결제분입니다. "
    "다시 한 번 010-2345-6789 로 연락 주세요."
)
VALUES = {
    "phone": ["010-2345-6789", "02-312-4567"],
    "email": ["hong.gildong@naver.com"],
    "rrn": ["900101-1234568"],
    "bank_account": ["110-245-124678"],
    "card": ["4111-1111-1111-1111"],
}


@pytest.fixture(scope="module")
def pseudonymizer():
    return Pseudonymizer(key=KEY)


def test_detect_returns_spans_over_the_values(pseudonymizer):
    spans = pseudonymizer.detect(TEXT)
    found = {(s.type, TEXT[s.start:s.end]) for s in spans}
    for pii_type, values in VALUES.items():
        for value in values:
            assert (pii_type, value) in found


def test_leak_no_original_value_survives(pseudonymizer):
    out = pseudonymizer.pseudonymize(TEXT)
    for values in VALUES.values():
        for value in values:
            assert value not in out
            assert re.sub(r"\D", "", value) not in re.sub(r"\D", "", out) or "@" in value
    assert out.startswith("안녕하세요. 지난주 주문 건으로 연락드립니다.")  # the prose is untouched


def test_repeated_value_gets_same_fake(pseudonymizer):
    out = pseudonymizer.pseudonymize(TEXT)
    mobiles = re.findall(r"010-\d{4}-\d{4}", out)
    assert len(mobiles) == 2 and mobiles[0] == mobiles[1]
    rrn = re.search(r"\d{6}-\d{7}", out)
    assert rrn and rrn_valid(rrn.group(0))


def test_consistency_across_instances_calls_and_formats():
    a, b = Pseudonymizer(key=KEY), Pseudonymizer(key=KEY)
    assert a.pseudonymize(TEXT) == b.pseudonymize(TEXT) == a.pseudonymize(TEXT)
    hyphen = a.pseudonymize("연락처 010-2345-6789 입니다")
    bare = a.pseudonymize("연락처 01023456789 입니다")
    fake_hyphen = re.search(r"010-\d{4}-\d{4}", hyphen).group(0)
    assert fake_hyphen.replace("-", "") == re.search(r"010\d{8}", bare).group(0)


def test_different_key_or_no_key_gives_different_fakes():
    base = Pseudonymizer(key=KEY).pseudonymize(TEXT)
    assert Pseudonymizer(key=b"another key, 16+ bytes").pseudonymize(TEXT) != base
    unkeyed = Pseudonymizer()
    assert not unkeyed.keyed and unkeyed.pseudonymize(TEXT) != base


def test_key_never_in_output_or_repr():
    key = b"super-secret-key-value"
    p = Pseudonymizer(key=key, mode="hash")
    out = p.pseudonymize(TEXT + " key: super-secret")
    assert key.decode() not in out and key.decode() not in repr(p)


def test_mask_mode_uses_tags_and_overrides():
    out = Pseudonymizer(key=KEY, mode="mask").pseudonymize(TEXT)
    assert out.count("[전화번호]") == 3 and "[이메일]으로" in out and "[주민등록번호]" in out
    custom = Pseudonymizer(key=KEY, mode="mask", tags={"phone": "<PHONE>"}).pseudonymize(TEXT)
    assert custom.count("<PHONE>") == 3 and "[이메일]" in custom


def test_hash_mode_is_keyed_and_consistent():
    out = Pseudonymizer(key=KEY, mode="hash").pseudonymize(TEXT)
    hashes = re.findall(r"\[전화번호:([0-9a-f]{8})\]", out)
    assert len(hashes) == 3 and hashes[0] == hashes[2] != hashes[1]
    other = Pseudonymizer(key=b"second-key-0123456789", mode="hash").pseudonymize(TEXT)
    assert re.findall(r"\[전화번호:([0-9a-f]{8})\]", other)[0] != hashes[0]


def test_remove_sentence_mode_drops_private_sentences_only():
    p = Pseudonymizer(key=KEY, mode="remove_sentence")
    out = p.pseudonymize(TEXT)
    assert out == "안녕하세요. 지난주 주문 건으로 연락드립니다."
    lines = ("오늘 날씨가 좋네요\n문의는 010-2345-6789 로 주세요\n"
             "홈페이지는 https://www.example.com 입니다\n감사합니다")
    kept, counts = p.pseudonymize_batch([lines], return_counts=True)
    assert kept == ["오늘 날씨가 좋네요\n홈페이지는 https://www.example.com 입니다\n감사합니다"]
    assert counts["sentences_removed"] == 1 and counts["phone"] == 1


def test_batch_equals_single_and_series_roundtrip(pseudonymizer):
    texts = [TEXT, "개인정보 없는 문장입니다.", "", "문의: help@daum.net / 010-9876-5432", TEXT]
    singles = [pseudonymizer.pseudonymize(t) for t in texts]
    assert Pseudonymizer(key=KEY).pseudonymize_batch(texts) == singles  # fresh instance: no shared cache
    series = pl.Series("body", [*texts, None])
    out = Pseudonymizer(key=KEY).pseudonymize_batch(series)
    assert isinstance(out, pl.Series) and out.name == "body"
    assert out.to_list() == [*singles, None]


def test_batch_counts_by_type_without_values(pseudonymizer):
    _, counts = pseudonymizer.pseudonymize_batch([TEXT, TEXT], return_counts=True)
    assert counts["phone"] == 6 and counts["email"] == 2 and counts["rrn"] == 2
    assert all(isinstance(k, str) and "@" not in k and not any(c.isdigit() for c in k) for k in counts)


def test_types_restrict_what_is_replaced():
    out = Pseudonymizer(key=KEY, types=["email"]).pseudonymize(TEXT)
    assert "hong.gildong@naver.com" not in out and "010-2345-6789" in out


def test_min_score_leaves_low_confidence_spans():
    scores = [s.score for s in Pseudonymizer(key=KEY).detect(TEXT)]
    cut = sorted(set(scores))[len(set(scores)) // 2]  # a threshold inside the observed range
    strict = Pseudonymizer(key=KEY, min_score=cut)
    kept = strict.detect(TEXT)
    assert kept and len(kept) == sum(sc >= cut for sc in scores) < len(scores)
    assert all(s.score >= cut for s in kept)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="mode"):
        Pseudonymizer(key=KEY, mode="shred")
    with pytest.raises(ValueError, match="unknown PII type"):
        Pseudonymizer(key=KEY, types=["phone", "blood_type"])


def test_types_as_one_string_and_unknown_types_listing_the_valid_ones():
    """Issue 16: types="person" was read letter by letter ("unknown PII type(s): p, e, r…")."""
    assert Pseudonymizer(key=KEY, types="person").types == ["person"]
    assert Pseudonymizer(key=KEY, types="phone, email").types == ["phone", "email"]
    for bad in ("persn", ["phone", "blood_type"]):
        message = r"unknown PII type\(s\): '(persn|blood_type)'; valid types: phone, "
        with pytest.raises(ValueError, match=message) as err:
            Pseudonymizer(key=KEY, types=bad)
        assert "person" in str(err.value) and "vehicle_plate" in str(err.value)
    with pytest.raises(ValueError, match="valid types: phone"):
        Pseudonymizer(key=KEY, tags={"blood_type": "[혈액형]"})


def test_key_from_file_and_env(tmp_path, monkeypatch):
    key_file = tmp_path / "key.txt"
    key_file.write_text("file-key-0123456789\n")
    assert key_from_env_or_file(key_file) == b"file-key-0123456789"
    monkeypatch.setenv("CURATE_PII_KEY", "env-key-0123456789")
    assert key_from_env_or_file() == b"env-key-0123456789"
    monkeypatch.delenv("CURATE_PII_KEY")
    assert key_from_env_or_file() is None
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(KeyFileError, match=r"empty\.txt"):
        key_from_env_or_file(empty)
    with pytest.raises(KeyFileError, match=r"missing\.txt"):
        key_from_env_or_file(tmp_path / "missing.txt")


EVAL_SET = Path(__file__).resolve().parents[1] / "benchmarks" / "pii_eval" / "eval_set.jsonl"


def test_eval_set_fakes_leak_nothing_and_are_found_again_as_the_same_types():
    """Every value of the PII eval set (17 types, many written forms, particles attached):
    pseudonymized, no original survives, and the detector finds the same types again in place."""
    if not EVAL_SET.exists():
        pytest.skip("PII eval set not built")
    rows = [json.loads(line) for line in EVAL_SET.open(encoding="utf-8")]
    rows = [r for r in rows if r["spans"]]
    texts = [r["text"] for r in rows]
    p = Pseudonymizer(key=KEY)
    out = p.pseudonymize_batch(texts)
    for row, new in zip(rows, out, strict=True):
        for span in row["spans"]:
            assert row["text"][span["start"]:span["end"]] not in new
    before = p.detect_batch(pl.Series(texts)).group_by("row").agg(pl.col("type")).sort("row")
    after = p.detect_batch(pl.Series(out)).group_by("row").agg(pl.col("type")).sort("row")
    assert before["row"].to_list() == after["row"].to_list()
    assert before["type"].to_list() == after["type"].to_list()


# ---------------------------------------------------------------- gaps closed: 지번 + particle,
# IPv6-literal URLs, representative numbers, spaced licence numbers


@pytest.mark.parametrize(
    ("text", "value", "tail"),
    [
        ("어제 서울특별시 강남구 역삼동 123-45에서 만났다", "서울특별시 강남구 역삼동 123-45", "에서 만났다"),
        ("그 가게는 서울특별시 강남구 역삼동 123번지에 있어요", "서울특별시 강남구 역삼동 123번지", "에 있어요"),
        ("택배는 경기도 양평군 양평읍 양근리 12-3으로 보내요", "경기도 양평군 양평읍 양근리 12-3", "으로 보내요"),
        ("모임은 서울 종로구 종로1가 12-3에서 합니다", "서울 종로구 종로1가 12-3", "에서 합니다"),
    ],
)
def test_lot_address_with_particle_replaced_whole_and_particle_kept(pseudonymizer, text, value, tail):
    out = pseudonymizer.pseudonymize(text)
    head = text[: text.index(value)]
    assert out.startswith(head) and out.endswith(tail)
    fake = out[len(head) : len(out) - len(tail)]
    assert value not in out and fake != value
    # still a lot-number address: region, a 동/리/가 town, a lot number with no leading zero
    lot = r"[가-힣]+ [가-힣]+(?: [가-힣]+)? [가-힣0-9]+(동|리|가) [1-9]\d*(-[1-9]\d*)?(번지)?"
    assert re.fullmatch(lot, fake), fake
    assert ("번지" in fake) == ("번지" in value)


@pytest.mark.parametrize(
    "url",
    ["http://[2001:db8::1]:8080/a", "https://[2404:6800:4004:80b::200e]/login?next=%2Fhome", "http://[FE80::1]/"],
)
def test_ipv6_literal_url_fake_is_a_well_formed_url(url):
    from urllib.parse import urlsplit

    text = f"관리 서버 {url} 로 접속하세요"
    for key in (KEY, b"another-key-0123456789", b"third-key-0123456789"):
        p = Pseudonymizer(key=key)
        assert [s.type for s in p.detect(text)] == ["url"]  # one url span, not an ipv6 inside it
        out = p.pseudonymize(text)
        assert url not in out and out.startswith("관리 서버 ") and out.endswith(" 로 접속하세요")
        fake = out[len("관리 서버 ") : -len(" 로 접속하세요")]
        parts, original = urlsplit(fake), urlsplit(url)
        assert parts.scheme == original.scheme and parts.port == original.port
        assert parts.netloc.startswith("[") and "]" in parts.netloc
        host = ipaddress.IPv6Address(parts.hostname)
        assert host in ipaddress.IPv6Network("2001:db8::/32")
        assert parts.hostname != original.hostname.lower()
        assert [s.type for s in p.detect(out)] == ["url"]  # the fake is found again as a url


def test_representative_numbers_left_alone_by_default_and_faked_when_opted_in():
    text = "고객센터 1588-1234로 전화주세요. 제 번호는 010-2345-6789입니다."
    out = Pseudonymizer(key=KEY).pseudonymize(text)
    assert "1588-1234" in out and "010-2345-6789" not in out
    opted = Pseudonymizer(key=KEY, types=["phone", "phone_rep"])
    faked = opted.pseudonymize(text)
    assert "1588-1234" not in faked and re.search(r"고객센터 1588-\d{4}로 전화주세요", faked)
    assert Pseudonymizer(key=KEY, types=["phone_rep"], mode="mask").pseudonymize(text).startswith(
        "고객센터 [대표번호]로"
    )
    # not private: remove_sentence keeps the sentence that only holds a business number
    removed = Pseudonymizer(key=KEY, types=["phone", "phone_rep"], mode="remove_sentence").pseudonymize(text)
    assert removed == "고객센터 1588-1234로 전화주세요."
    # 1588-1600년 is a span of years, even for a user who asked for representative numbers
    assert opted.pseudonymize("1588-1600년 사이의 기록") == "1588-1600년 사이의 기록"


def test_spaced_licence_number_faked_in_the_same_form(pseudonymizer):
    for text, value in (("운전면허번호 11 12 345678 90입니다", "11 12 345678 90"),
                        ("면허증 서울 12 345678 90로 확인", "서울 12 345678 90")):
        out = pseudonymizer.pseudonymize(text)
        assert value not in out
        assert re.fullmatch(r"(운전면허번호 \d\d|면허증 [가-힣]{2}) \d\d \d{6} \d\d(입니다|로 확인)", out), out


# ---------------------------------------------------------------- lone surrogates and keys


def test_lone_surrogate_is_repaired_and_counted(pseudonymizer):
    text = "a\ud800b 연락처 010-2345-6789 \udfff"
    out = pseudonymizer.pseudonymize(text)
    assert out.startswith("a\ufffdb 연락처 010-") and out.endswith(" \ufffd") and "2345-6789" not in out
    assert [s.type for s in pseudonymizer.detect(text)] == ["phone"]
    assert [s.type for s in pseudonymizer._detector.detect(text)] == ["phone"]
    batch, counts = pseudonymizer.pseudonymize_batch([text, "평범한 문장", None], return_counts=True)
    assert batch == [out, "평범한 문장", None] and counts == {"phone": 1, "surrogates_replaced": 2}


@pytest.mark.parametrize(("key", "error", "says"), [
    (5, TypeError, "int"), (0, TypeError, "int"), (1.5, TypeError, "float"), ([1] * 16, TypeError, "list"),
    ("s", ValueError, "str of 1 byte"), (b"", ValueError, "bytes of 0 bytes"), ("", ValueError, "str of 0 bytes"),
    (b"fifteen-bytes!!", ValueError, "bytes of 15 bytes"), ("키" * 5, ValueError, "str of 15 bytes"),
])
def test_bad_keys_are_refused_with_what_was_given_but_not_the_value(key, error, says):
    with pytest.raises(error, match=says) as caught:
        Pseudonymizer(key=key)
    value = key.decode() if isinstance(key, bytes) else key
    assert "16" in str(caught.value)
    assert not isinstance(value, str) or len(value) < 3 or value not in str(caught.value)


def test_str_key_is_its_utf8_bytes_and_none_draws_a_random_key():
    key = "열여섯 바이트 이상의 키"
    assert Pseudonymizer(key=key).pseudonymize(TEXT) == Pseudonymizer(key=key.encode()).pseudonymize(TEXT)
    assert Pseudonymizer(key=bytearray(KEY)).pseudonymize(TEXT) == Pseudonymizer(key=KEY).pseudonymize(TEXT)
    assert not Pseudonymizer(key=None).keyed


def test_short_key_from_file_or_env_is_refused(tmp_path, monkeypatch):
    short = tmp_path / "short.key"
    short.write_text("  tiny-key \n")
    with pytest.raises(KeyFileError, match=r"short\.key.* 8 bytes.* 16") as caught:
        key_from_env_or_file(short)
    assert "tiny" not in str(caught.value)
    monkeypatch.setenv("SHORT_KEY", "tiny-key")
    with pytest.raises(ValueError, match=r"\$SHORT_KEY.* 8 bytes.* 16") as caught:
        key_from_env_or_file(env="SHORT_KEY")
    assert "tiny" not in str(caught.value)
