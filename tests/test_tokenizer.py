"""Morpheme-pretokenized tokenizer: pieces, training, byte-exact round trip, inference without Kiwi."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from itertools import islice
from pathlib import Path

import polars as pl
import pytest
import regex
from locked import skip_unless_locked
from tokenizers import Tokenizer

from curate.tokenizer.candidates import AnalyzerCandidate, HFCandidate
from curate.tokenizer.evaluate import _crossing, morpheme_cuts, score
from curate.tokenizer.morphemes import load_kiwi, text_pieces
from curate.tokenizer.pretokenize import cut_eojeols, pretokenize_counts
from curate.tokenizer.rare import cut_rare, load_suffixes
from curate.tokenizer.specials import load_special_tokens
from curate.tokenizer.train import save, train_from_pieces
from curate.tokenizer.words import WORD_PATTERN, merge_counts, word_counts

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REVIEWS = DATA / "nsmc_reviews.jsonl.gz"

HANDWRITTEN = [
    "나는  밥을 먹었다.\n그리고 집에 갔다",  # double space, newline
    "  앞뒤 공백  ",
    "영화 진짜 재밌었어요ㅋㅋㅋㅋ ^^ 10점 만점에 10점!!",
    "탭\t구분\t\t문장\r\n윈도우 줄바꿈",
    "English words, digits 12345 and 3.14 mixed with 한국어",
    "이모티콘 😀🎬 그리고 한자 映畵 와 전각　공백",
    "어제 공부를 했다. 오늘도 했다!",
    "[CLS] 특수 토큰처럼 보이는 글자 [SEP]",
    "",
]


def reviews(n: int, skip: int = 0) -> list[str]:
    if not REVIEWS.exists():
        pytest.skip(f"{REVIEWS} missing")
    with gzip.open(REVIEWS, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in islice(fh, skip, skip + n)]


@pytest.fixture(scope="module")
def train_texts() -> pl.Series:
    return pl.Series(reviews(1000) + HANDWRITTEN, dtype=pl.Utf8)


@pytest.fixture(scope="module")
def heldout() -> list[str]:
    texts = reviews(600, skip=5000)
    assert sum("  " in t for t in texts) >= 10  # real reviews with double spaces are part of the test
    return texts + HANDWRITTEN


@pytest.fixture(scope="module")
def pieces_table(train_texts) -> pl.DataFrame:
    return pretokenize_counts(word_counts(train_texts), n_workers=1)


@pytest.fixture(scope="module")
def bpe(pieces_table) -> Tokenizer:
    return train_from_pieces(pieces_table, 800, "bpe", load_special_tokens())


def test_word_table_counts_every_regex_word(train_texts):
    counts = word_counts(train_texts)
    expected = Counter(w for t in train_texts.to_list() for w in regex.findall(WORD_PATTERN, t))
    assert dict(zip(counts["word"].to_list(), counts["count"].to_list(), strict=True)) == dict(expected)
    halves = merge_counts([word_counts(train_texts.head(700)), word_counts(train_texts.slice(700))])
    assert halves.equals(counts)


def test_pieces_are_slices_of_the_surface(pieces_table):
    assert (pieces_table["pieces"].list.join("") == pieces_table["word"]).all()
    by_word = dict(zip(pieces_table["word"].to_list(), pieces_table["pieces"].to_list(), strict=True))
    assert by_word["  "] == ["  "]


def test_kiwi_cuts_are_surface_morphemes(pieces_table):
    """Where Kiwi cuts is its model's choice (locked); that the cut is a slice of the surface,
    never a lemma such as 하 + 었, is ours."""
    skip_unless_locked("kiwipiepy", "kiwipiepy-model")
    by_word = dict(zip(pieces_table["word"].to_list(), pieces_table["pieces"].to_list(), strict=True))
    assert by_word[" 했다."] == [" 했", "다", "."]
    assert by_word[" 먹었다."] == [" 먹", "었", "다", "."]
    assert text_pieces(load_kiwi(1), ["공부를 했다."])[0] == ["공부", "를", " 했", "다", "."]


def test_text_pieces_cut_in_context_and_join_back():
    kiwi = load_kiwi(1)
    texts = ["어제 공부를 했다.  오늘은\n쉬었다", *HANDWRITTEN]
    for text, pieces in zip(texts, text_pieces(kiwi, texts), strict=True):
        assert "".join(pieces) == text


@pytest.mark.parametrize("algorithm", ["bpe", "wordpiece", "unigram"])
def test_round_trip_is_byte_exact_without_analyzer(pieces_table, heldout, algorithm):
    tokenizer = train_from_pieces(pieces_table, 800, algorithm, load_special_tokens())
    encoded = tokenizer.encode_batch(heldout, add_special_tokens=False)
    decoded = tokenizer.decode_batch([e.ids for e in encoded], skip_special_tokens=False)
    failures = [t for t, d in zip(heldout, decoded, strict=True) if t != d]
    assert failures == []
    unk = tokenizer.token_to_id("[UNK]")
    assert not any(unk in e.ids for e in encoded)


def test_analyzer_mode_round_trips_and_never_crosses_a_morpheme(bpe, heldout):
    texts = heldout[:300]
    cuts = morpheme_cuts(texts)
    plain = score(HFCandidate(bpe, "ours"), texts, cuts)
    with_kiwi = score(AnalyzerCandidate(bpe), texts, cuts)
    assert plain.round_trip == 1.0 and with_kiwi.round_trip == 1.0
    assert with_kiwi.boundary_crossing == 0.0
    assert 0.0 <= plain.boundary_crossing < 0.05  # merges were learnt inside morphemes only


def test_crossing_counts_tokens_that_strictly_contain_a_cut():
    assert _crossing([(0, 3), (3, 6), (6, 9)], [3, 6]) == 0
    assert _crossing([(0, 4), (4, 9)], [3, 6]) == 2
    assert _crossing([(0, 9)], [3, 6]) == 1


def test_saved_tokenizer_needs_neither_kiwi_nor_curate(bpe, tmp_path):
    save(bpe, tmp_path, load_special_tokens())
    probe = "영화 진짜  재밌었어요ㅋㅋ\n^^ 10점!"
    code = ("import sys; sys.modules['kiwipiepy'] = None; sys.modules['curate'] = None\n"
            "from tokenizers import Tokenizer\n"
            f"t = Tokenizer.from_file({str(tmp_path / 'tokenizer.json')!r})\n"
            f"s = {probe!r}\n"
            "e = t.encode(s)\n"
            "assert e.tokens[0] == '[CLS]' and e.tokens[-1] == '[SEP]', e.tokens\n"
            "assert t.decode(e.ids, skip_special_tokens=True) == s\n"
            "print(len(e.ids))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 3


def test_transformers_fast_tokenizer_loads_it(bpe, tmp_path, heldout):
    transformers = pytest.importorskip("transformers")
    save(bpe, tmp_path, load_special_tokens())
    fast = transformers.PreTrainedTokenizerFast.from_pretrained(str(tmp_path))
    assert fast.cls_token == "[CLS]" and fast.pad_token_id == 0
    for text in heldout[:200]:
        ids = fast(text, add_special_tokens=False)["input_ids"]
        assert fast.decode(ids, clean_up_tokenization_spaces=False) == text


def test_special_tokens_are_configurable(pieces_table, heldout):
    specials = load_special_tokens({"tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>"},
                                    "template": {"single": "<s> $A </s>"}})
    tokenizer = train_from_pieces(pieces_table, 600, "bpe", specials)
    assert [tokenizer.token_to_id(t) for t in ("<pad>", "<unk>", "<s>", "</s>")] == [0, 1, 2, 3]
    assert tokenizer.token_to_id("[CLS]") is None
    encoding = tokenizer.encode(heldout[0])
    assert encoding.tokens[0] == "<s>" and encoding.tokens[-1] == "</s>"


def test_training_is_deterministic(pieces_table):
    first = train_from_pieces(pieces_table, 700, "bpe", load_special_tokens()).to_str()
    second = train_from_pieces(pieces_table.sample(fraction=1.0, shuffle=True, seed=3), 700, "bpe",
                               load_special_tokens()).to_str()
    assert first == second


def test_spawn_pool_gives_the_same_pieces(monkeypatch, train_texts):
    import curate.tokenizer.pretokenize as pretokenize

    eojeols = sorted({w.strip() for t in train_texts.to_list()[:400] for w in t.split()} - {""})[:1500]
    monkeypatch.setattr(pretokenize, "SLICE", len(eojeols) // 3 + 1)
    assert cut_eojeols(eojeols, n_workers=2) == cut_eojeols(eojeols, n_workers=1)


# Rare eojeols (issue 13): cut by rules instead of Kiwi.

def test_rare_rules_cut_at_classes_syllables_or_suffixes():
    words = ["영화에서는", "영화...", "(웃음)", "010-1234-5678,", "jang@nate.com으로", "TV동물농장", "映畵를", "😀🎬"]
    cut = {rule: cut_rare(pl.Series(words), rule).to_list() for rule in ("syllables", "suffixes", "runs", "whole")}
    assert cut["syllables"] == [["영", "화", "에", "서", "는"], ["영", "화", "..."], ["(", "웃", "음", ")"],
                                ["010-1234-5678", ","], ["jang@nate.com", "으", "로"], ["TV", "동", "물", "농", "장"],
                                ["映畵", "를"], ["😀🎬"]]
    assert cut["suffixes"][:2] == [["영화", "에서", "는"], ["영화", "..."]]
    assert cut["suffixes"][4] == ["jang@nate.com", "으로"]
    assert cut["runs"][:2] == [["영화에서는"], ["영화", "..."]]
    assert cut["whole"] == [[w] for w in words]
    assert "는" in load_suffixes() and "에서" in load_suffixes()
    with pytest.raises(ValueError):
        cut_rare(pl.Series(words), "kiwi")  # type: ignore[arg-type]


def test_rare_rule_pieces_join_back(train_texts):
    eojeols = sorted({w for t in [*train_texts.to_list(), *HANDWRITTEN] for w in t.split()})
    odd = ["a\u0301b", "\u200b구", "ㅋㅋㅋ!!ㅎ", "x" * 300, "가" * 300, "\x00\x7f", "😀가😀"]
    eojeols += odd
    for rule in ("syllables", "suffixes", "runs", "whole"):
        pieces = cut_rare(pl.Series(eojeols), rule).to_list()
        assert ["".join(p) for p in pieces] == eojeols
        assert all(all(p) for p in pieces)  # no empty piece
    assert cut_rare(pl.Series([], dtype=pl.Utf8)).to_list() == []


def test_rare_eojeols_skip_kiwi_below_the_threshold(monkeypatch):
    import curate.tokenizer.pretokenize as pretokenize

    sent: list[str] = []

    def fake_kiwi(eojeols, *args, **kwargs):
        sent.extend(eojeols)
        return list(eojeols)  # whole, so the test can tell Kiwi's rows from the rule's

    monkeypatch.setattr(pretokenize, "cut_eojeols", fake_kiwi)
    long = "가" * 120
    counts = pl.DataFrame({"word": ["영화에서는", " 영화에서는", " 학교에서는", "  ", " " + long, "\n"],
                           "count": [1, 2, 2, 5, 1, 1]})
    table = pretokenize_counts(counts, n_workers=1, analyse_min_count=3)
    # 영화에서는: 1 + 2 = 3 over its two words -> Kiwi; 학교에서는: 2 -> the rule; long ones never see Kiwi's
    # model (iter_pieces slices them) but take its path, as before.
    assert sent == [long, "영화에서는"]
    by_word = dict(zip(table["word"].to_list(), table["pieces"].to_list(), strict=True))
    assert by_word == {"영화에서는": ["영화에서는"], " 영화에서는": [" 영화에서는"],
                       " 학교에서는": [" 학", "교", "에", "서", "는"], "  ": ["  "], " " + long: [" " + long],
                       "\n": ["\n"]}
    assert table["count"].to_list() == counts["count"].to_list()
    sent.clear()
    pretokenize_counts(counts, n_workers=1, analyse_min_count=1)
    assert sorted(sent) == sorted([long, "영화에서는", "학교에서는"])  # 1: Kiwi for all, as before issue 13


def test_rare_rule_tokenizer_round_trips(train_texts, heldout):
    table = pretokenize_counts(word_counts(train_texts), n_workers=1, analyse_min_count=3)
    assert (table["pieces"].list.join("") == table["word"]).all()
    tokenizer = train_from_pieces(table, 800, "bpe", load_special_tokens())
    encoded = tokenizer.encode_batch(heldout, add_special_tokens=False)
    decoded = tokenizer.decode_batch([e.ids for e in encoded], skip_special_tokens=False)
    assert [t for t, d in zip(heldout, decoded, strict=True) if t != d] == []
