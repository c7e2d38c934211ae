"""decontaminate on real Korean text with planted evaluation-set sentences.

The evaluation items are hand-written KLUE-STS / KoBEST-COPA style sentences
(tests/data/evals); they are planted into wikinews articles (one sentence a line) and
nsmc reviews with spacing and punctuation changes, sometimes inside a longer sentence.
Hand-written same-topic sentences and every real sentence are the negatives.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from curate.steps import get_step_class
from curate.steps.base import RunContext

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EVALS = ROOT / "tests" / "data" / "evals"
SEED = 7
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
EVAL_SETS = [
    {"name": "klue_sts_dev", "path": str(EVALS / "klue_sts_dev.jsonl"), "field": "sentence1"},
    {"name": "kobest_copa", "path": str(EVALS / "kobest_copa_test.txt")},
]
PREFIXES = ["솔직히 말하면 ", "기사에 따르면 ", "그래서 ", "어제 들은 얘기인데 "]
SUFFIXES = [" 라고 하더라.", " 정말 그랬다.", " ㅋㅋ", " (출처 생략)"]


def needs_data() -> None:
    if not (DATA / "wikinews_ko.csv").exists():
        pytest.skip("../shared/data is missing")


def sts_items() -> list[str]:
    return [json.loads(line)["sentence1"] for line in (EVALS / "klue_sts_dev.jsonl").open(encoding="utf-8")]


def copa_items() -> list[str]:
    return [s for s in (EVALS / "kobest_copa_test.txt").read_text(encoding="utf-8").splitlines() if s]


def negatives() -> list[str]:
    return [s for s in (EVALS / "same_topic_negatives.txt").read_text(encoding="utf-8").splitlines() if s]


def disguise(item: str, rng: random.Random) -> str:
    """The item with spacing and punctuation changed, sometimes inside a longer sentence."""
    out = []
    for ch in item:
        if ch == " " and rng.random() < 0.5:
            continue
        if ch in ".!?" and rng.random() < 0.7:
            out.append(rng.choice(["!!", "…", "?!", ""]))
            continue
        out.append(ch)
        if "가" <= ch <= "힣" and rng.random() < 0.08:
            out.append(rng.choice([" ", ", ", "\u00b7", "\""]))
    text = "".join(out)
    roll = rng.random()
    if roll < 0.25:
        text = rng.choice(PREFIXES) + text
    elif roll < 0.5:
        text = text + rng.choice(SUFFIXES)
    return text


def make_step(**params):
    step = get_step_class("decontaminate")(eval_sets=EVAL_SETS, **params)
    step.setup(RunContext())
    return step


def removed_lines(before: list[list[str]], after: list[str]) -> list[list[bool]]:
    """Which input lines are missing from the output (order is kept, so align greedily)."""
    flags = []
    for lines, text in zip(before, after, strict=True):
        kept = text.split("\n") if text else []
        k, doc = 0, []
        for line in lines:
            if k < len(kept) and kept[k] == line:
                doc.append(False)
                k += 1
            else:
                doc.append(True)
        assert k == len(kept)
        flags.append(doc)
    return flags


def precision_recall(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = int((predicted & truth).sum())
    return tp / max(int(predicted.sum()), 1), tp / max(int(truth.sum()), 1)


@pytest.fixture(scope="module")
def planted_news():
    """Wikinews articles, one sentence a line, with eval items and same-topic negatives planted."""
    needs_data()
    rng = random.Random(SEED)
    articles = pl.read_csv(DATA / "wikinews_ko.csv")["내용"].to_list()[:300]
    docs = [[s for s in SENTENCE_END.split(a) if s.strip()] for a in articles]
    truth = [[False] * len(d) for d in docs]
    plants = [(item, True) for item in sts_items() + copa_items() for _ in range(2)]
    plants += [(neg, False) for neg in negatives() for _ in range(2)]
    for item, contaminated in plants:
        d = rng.randrange(len(docs))
        at = rng.randrange(len(docs[d]) + 1)
        docs[d].insert(at, disguise(item, rng) if contaminated else item)
        truth[d].insert(at, contaminated)
    return docs, truth


def test_planted_eval_sentences_are_removed_line_by_line(planted_news):
    docs, truth = planted_news
    df = pl.DataFrame({"id": [f"news{i}" for i in range(len(docs))], "text": ["\n".join(d) for d in docs]})
    out = make_step().process(df)
    flags = removed_lines(docs, out.df["text"].to_list())
    predicted = np.array([f for doc in flags for f in doc])
    expected = np.array([t for doc in truth for t in doc])
    precision, recall = precision_recall(predicted, expected)
    assert expected.sum() == 100
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall
    # rows, order and other columns are untouched; counters add up per eval set
    assert out.df["id"].to_list() == df["id"].to_list()
    assert out.counters["removed_klue_sts_dev"] + out.counters["removed_kobest_copa"] == predicted.sum()
    assert out.counters["removed_klue_sts_dev"] >= 57 and out.counters["removed_kobest_copa"] >= 38
    assert out.examples and all(set(e) == {"eval_set", "id"} for e in out.examples)


def test_same_topic_sentences_and_real_news_survive(planted_news):
    docs, truth = planted_news
    clean = [[line for line, planted in zip(d, tr, strict=True) if not planted]
             for d, tr in zip(docs, truth, strict=True)]
    df = pl.DataFrame({"id": [f"n{i}" for i in range(len(clean))], "text": ["\n".join(d) for d in clean]})
    out = make_step(similarity={"threshold": 0.6}).process(df)
    assert out.df["text"].to_list() == df["text"].to_list()
    assert sum(out.counters.values()) == 0


def test_reworded_copies_need_the_similarity_option():
    reworded = [  # one or two words of an item replaced; no long n-gram survives in some
        "숙소 위치가 지하철역이랑 가까워서 이동하기가 아주 편리했습니다.",
        "호스트가 체크인 시간보다 먼저 도착해도 짐을 맡아 주셔서 고마웠어요.",
        "정부는 내년부터 청년 월세 지원 대상을 2배로 늘리기로 결정했다.",
        "밤새 눈이 엄청 내려서 아침 출근길 도로가 꽉 막혔었다.",
    ]
    df = pl.DataFrame({"id": ["r0", "r1", "r2", "r3", "neg"],
                       "text": [*reworded, "\n".join(negatives())]})
    plain = make_step().process(df)
    similar = make_step(similarity={"method": "char_ngram_cosine", "threshold": 0.6}).process(df)
    assert sum(t == "" for t in plain.df["text"]) < len(reworded)
    assert similar.df["text"].to_list() == ["", "", "", "", df["text"][4]]


def nsmc_reviews(limit: int) -> list[str]:
    out = []
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            if len(text) >= 20:
                out.append(text)
                if len(out) == limit:
                    break
    return out


def test_whole_documents_are_dropped_in_document_mode():
    needs_data()
    rng = random.Random(SEED + 1)
    reviews = nsmc_reviews(3000)
    truth = np.zeros(len(reviews), dtype=bool)
    spots = rng.sample(range(len(reviews)), 80)
    items = sts_items() + copa_items()
    for k, spot in enumerate(spots[:50]):  # one eval item each, before or after the review
        item = disguise(items[k], rng)
        reviews[spot] = f"{item} {reviews[spot]}" if k % 2 else f"{reviews[spot]} {item}"
        truth[spot] = True
    for k, spot in enumerate(spots[50:]):  # same topic, different words
        reviews[spot] = f"{reviews[spot]} {negatives()[k % 20]}"
    df = pl.DataFrame({"id": [f"r{i}" for i in range(len(reviews))], "text": reviews})
    out = make_step(unit="document").process(df)
    predicted = out.df["_drop"].eq("eval_contamination").fill_null(False).to_numpy()
    precision, recall = precision_recall(predicted, truth)
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall
    assert out.df["text"].to_list() == reviews  # document mode drops, never edits


def test_eval_sets_in_any_input_format(tmp_path):
    items = sts_items()
    pl.DataFrame({"question": items}).write_parquet(tmp_path / "sts.parquet")
    step = get_step_class("decontaminate")(
        eval_sets=[{"name": "sts_parquet", "path": str(tmp_path / "sts.parquet"), "field": "question"}])
    step.setup(RunContext())
    df = pl.DataFrame({"id": ["a", "b"], "text": [items[3].replace(" ", ""), "전혀 관계없는 문장입니다."]})
    out = step.process(df)
    assert out.df["text"].to_list() == ["", "전혀 관계없는 문장입니다."]
    assert out.counters == {"removed_sts_parquet": 1}


def test_parameters_are_validated():
    cls = get_step_class("decontaminate")
    with pytest.raises(ValueError):
        cls(eval_sets=[])
    with pytest.raises(ValueError):
        cls(eval_sets=EVAL_SETS, unit="paragraph")
    with pytest.raises(ValueError):
        cls(eval_sets=[{"name": "bad name!", "path": "x.jsonl"}])


def test_drop_false_marks_documents_and_annotate_names_the_sets(planted_news):
    """drop: false removes nothing and marks each document holding contaminated lines; annotate
    counts those lines and names their evaluation sets; the lines are the ones drop: true removes."""
    from curate.runner import run_in_memory

    docs, _ = planted_news
    df = pl.DataFrame({"id": [f"news{i}" for i in range(len(docs))], "text": ["\n".join(d) for d in docs]})
    removing = make_step(annotate=True).process(df)
    flags = removed_lines(docs, removing.df["text"].to_list())
    lines_removed = [sum(f) for f in flags]
    step = make_step(drop=False, annotate=True)
    kept, dead, stats = run_in_memory([step], df)
    assert dead.is_empty() and kept["text"].to_list() == df["text"].to_list()
    assert kept["contaminated_units"].to_list() == lines_removed == removing.df["contaminated_units"].to_list()
    marked = kept["decontaminate_reason"].is_not_null().to_list()
    assert marked == [n > 0 for n in lines_removed] and sum(marked) >= 30
    sets = kept["contaminated_by"].to_list()
    assert {tuple(s) for s in sets} >= {("klue_sts_dev",), ("kobest_copa",)}
    assert all((len(s) > 0) == m for s, m in zip(sets, marked, strict=True))
    assert stats[0].counters["found_klue_sts_dev"] == removing.counters["removed_klue_sts_dev"]
    assert step.columns_written() == ("decontaminate_reason", "contaminated_units", "contaminated_by")
