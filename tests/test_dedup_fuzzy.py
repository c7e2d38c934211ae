"""dedup_fuzzy on real Korean text (wikinews, nsmc) with planted near-duplicates.

Ground truth does not come from the code under test: originals are chosen so that no
two have an exact character 5-gram Jaccard above 0.3 (computed with Python sets), and
the near-duplicates are planted copies with insertions, deletions, reordered sentences
and punctuation/spacing changes.
"""

from __future__ import annotations

import gzip
import itertools
import json
import pickle
import random
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from curate.dedup.components import component_labels
from curate.dedup.minhash import signatures
from curate.dedup.normalize import normalize_series
from curate.dedup.shingles import shingle_hashes
from curate.executors.shuffle import finished_state_in_memory, states_in_memory
from curate.steps import get_step_class

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = 20240607
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def needs_data() -> None:
    if not (DATA / "wikinews_ko.csv").exists() or not (DATA / "nsmc_reviews.jsonl.gz").exists():
        pytest.skip("../shared/data is missing")


def norm(text: str) -> str:
    return normalize_series(pl.Series([text]))[0]


def grams(text: str, n: int = 5) -> set[str]:
    t = norm(text)
    return {t[i:i + n] for i in range(len(t) - n + 1)} or {t}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b)


def wikinews() -> list[str]:
    return pl.read_csv(DATA / "wikinews_ko.csv")["내용"].to_list()


def nsmc(limit: int = 40_000) -> list[str]:
    out = []
    with gzip.open(DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line, _ in zip(fh, range(limit), strict=False):
            out.append(json.loads(line)["text"])
    return out


def distinct_originals(texts: list[str], count: int, rng: random.Random) -> list[str]:
    """``count`` texts, no two with exact 5-gram Jaccard above 0.3."""
    chosen: list[str] = []
    chosen_grams: list[set[str]] = []
    for text in rng.sample(texts, len(texts)):
        g = grams(text)
        if all(jaccard(g, other) <= 0.3 for other in chosen_grams):
            chosen.append(text)
            chosen_grams.append(g)
            if len(chosen) == count:
                break
    return chosen


# --- near-duplicate generators -------------------------------------------------------------

def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s]


def insert(text: str, donor: str, rng: random.Random) -> str:
    words = donor.split()
    budget = max(2, len(text.split()) // 10)
    start = rng.randrange(max(1, len(words) - budget))
    piece = " ".join(words[start:start + budget])
    parts = text.split(" ")
    at = rng.randrange(len(parts) + 1)
    return " ".join([*parts[:at], piece, *parts[at:]])


def delete(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    short = [i for i, s in enumerate(parts) if len(s) <= 0.12 * len(text)]
    if len(parts) >= 4 and short:
        del parts[rng.choice(short)]
        return " ".join(parts)
    words = text.split(" ")
    span = max(1, len(words) // 12)
    at = rng.randrange(max(1, len(words) - span))
    return " ".join(words[:at] + words[at + span:])


def reorder(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    if len(parts) >= 2:
        i, j = rng.sample(range(len(parts)), 2)
        parts[i], parts[j] = parts[j], parts[i]
        return " ".join(parts)
    words = text.split(" ")
    cut = rng.randrange(1, max(2, len(words)))
    return " ".join(words[cut:] + words[:cut])


def punctuation_and_spacing(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        if ch == " " and rng.random() < 0.4:
            continue  # Korean spacing errors: words run together
        if ch == "." and rng.random() < 0.5:
            out.append(rng.choice(["!", "…", " .", ".."]))
            continue
        out.append(ch)
        if "가" <= ch <= "힣" and rng.random() < 0.04:
            out.append(rng.choice([" ", ", ", "~"]))
    return "".join(out)


def near_duplicate(text: str, donor: str, kind: str, rng: random.Random) -> str:
    if kind == "insert":
        return insert(text, donor, rng)
    if kind == "delete":
        return delete(text, rng)
    if kind == "reorder":
        return reorder(text, rng)
    if kind == "punct_space":
        return punctuation_and_spacing(text, rng)
    return punctuation_and_spacing(insert(reorder(text, rng), donor, rng), rng)


KINDS = ["insert", "delete", "reorder", "punct_space", "combined"]


def planted_corpus() -> tuple[list[str], list[int]]:
    """Texts in corpus order and, per text, its group (original and its planted copies share one)."""
    rng = random.Random(SEED)
    news = [t for t in wikinews() if 200 <= len(t) <= 3000]
    reviews = sorted({t for t in nsmc() if len(t) >= 70})
    originals = distinct_originals(news, 220, rng) + distinct_originals(reviews, 220, rng)
    donors = [t for t in news + reviews if t not in set(originals)]
    items: list[tuple[str, int]] = [(t, g) for g, t in enumerate(originals)]
    for g in rng.sample(range(len(originals)), 170):
        for _ in range(rng.choice([1, 1, 2])):
            copy = near_duplicate(originals[g], rng.choice(donors), rng.choice(KINDS), rng)
            items.append((copy, g))
    rng.shuffle(items)  # a copy may come before its original: the first one is kept
    return [t for t, _ in items], [g for _, g in items]


def run_step(step, texts: list[str], batches: int = 3, shuffle_summaries: bool = False):
    df = pl.DataFrame({"id": [f"doc{i}" for i in range(len(texts))], "text": texts})
    bounds = np.linspace(0, len(texts), batches + 1).astype(int)
    frames = [df[lo:hi].with_columns(_shard=pl.lit(s, pl.Int64), _row=pl.int_range(pl.len(), dtype=pl.Int64))
              for s, (lo, hi) in enumerate(itertools.pairwise(bounds))]
    # the shuffle's partitions (3 here) change where buckets meet, never the result
    state = finished_state_in_memory(step, frames, partitions=1 if shuffle_summaries else 3)
    outputs = [step.apply(f, part) for f, part in zip(frames, states_in_memory(step, frames, 3), strict=True)]
    out = pl.concat([o.df for o in outputs])
    return out, outputs, state


@pytest.fixture(scope="module")
def corpus():
    needs_data()
    return planted_corpus()


def test_planted_copies_are_near_duplicates_and_originals_are_not(corpus):
    texts, groups = corpus
    first: dict[int, str] = {}
    sims = []
    for t, g in zip(texts, groups, strict=True):
        if g in first:
            sims.append(jaccard(grams(first[g]), grams(t)))
        else:
            first[g] = t
    # the generator makes real near-duplicates (edits of a few percent to ~20%), not rewrites
    assert np.median(sims) > 0.75 and min(sims) > 0.5


def test_precision_and_recall_on_planted_near_duplicates(corpus):
    texts, groups = corpus
    out, outputs, state = run_step(get_step_class("dedup_fuzzy")(), texts)
    removed = out["_drop"].eq("near_duplicate").fill_null(False).to_numpy()
    seen: set[int] = set()
    expected = np.zeros(len(texts), dtype=bool)
    for i, g in enumerate(groups):
        expected[i] = g in seen  # every member after the group's first in input order
        seen.add(g)
    tp = int((removed & expected).sum())
    precision = tp / max(int(removed.sum()), 1)
    recall = tp / int(expected.sum())
    assert expected.sum() > 200
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall
    # what the report gets adds up
    assert sum(o.counters["near_duplicates_removed"] for o in outputs) == removed.sum()
    assert sum(o.counters["clusters"] for o in outputs) == state.clusters.height
    assert all(set(e) == {"cluster_id", "size", "removed_ids"} for o in outputs for e in o.examples)


def test_keep_rule_is_first_in_input_order_and_batching_does_not_matter(corpus):
    texts, _ = corpus
    step = get_step_class("dedup_fuzzy")()
    one, _, _ = run_step(step, texts, batches=1)
    many, _, state = run_step(step, texts, batches=5, shuffle_summaries=True)
    assert one["_drop"].to_list() == many["_drop"].to_list()
    position = {i: k for k, i in enumerate(one["id"])}  # input order
    for kept, removed in zip(state.clusters["cluster_id"], state.clusters["removed_ids"], strict=True):
        assert all(position[kept] < position[other] for other in removed)
        assert one["_drop"][position[kept]] is None
    # what travels to workers is compact: the cluster table stays in the driver
    assert pickle.loads(pickle.dumps(state)).clusters is None


def test_same_topic_articles_are_not_removed():
    needs_data()
    news = pl.read_csv(DATA / "wikinews_ko.csv")
    # articles sharing a title word of 3+ syllables (same event, team, person) but not copies
    titles = news["제목"].to_list()
    words = [set(re.findall(r"[가-힣]{3,}", t)) for t in titles]
    pairs = [(i, j) for i in range(len(titles)) for j in range(i + 1, len(titles))
             if len(words[i] & words[j]) >= 2]
    texts = news["내용"].to_list()
    flat: list[str] = []
    for k in sorted({k for pair in pairs for k in pair}):
        # wikinews itself holds a few true copies (same article twice): leave those out
        if all(jaccard(grams(texts[k]), grams(other)) < 0.3 for other in flat):
            flat.append(texts[k])
    assert len(flat) >= 30
    out, _, _ = run_step(get_step_class("dedup_fuzzy")(), flat, batches=2)
    assert out["_drop"].null_count() == len(flat)


def test_spacing_and_punctuation_only_copies_collide_exactly():
    texts = ["서울시는 내년부터 심야 버스 노선을 열두 개로 늘린다고 밝혔다.",
             "서울시는내년부터 심야버스 노선을 열두개로 늘린다고, 밝혔다!!",
             "ＳＥＯＵＬ 서울시는 내년부터 심야 버스 노선을 열두 개로 늘린다고 밝혔다",
             "부산시는 내년부터 해안 도로의 제한 속도를 낮춘다고 발표했다."]
    sig = signatures(shingle_hashes(normalize_series(pl.Series(texts)), 5), 100, 0)
    assert (sig[0] == sig[1]).all()
    assert 0.5 < (sig[0] == sig[2]).mean() < 1.0  # the added word changes a few shingles
    assert (sig[0] == sig[3]).mean() < 0.2


def test_signature_agreement_estimates_exact_jaccard():
    needs_data()
    rng = random.Random(SEED)
    texts = [t for t in wikinews() if 400 <= len(t) <= 2000][:150]
    errors = []
    for text in texts:
        copy = delete(reorder(text, rng), rng)
        sig = signatures(shingle_hashes(normalize_series(pl.Series([text, copy])), 5), 128, 7)
        errors.append((sig[0] == sig[1]).mean() - jaccard(grams(text), grams(copy)))
    assert abs(np.mean(errors)) < 0.02  # unbiased
    assert np.std(errors) < 0.06  # about sqrt(J(1-J)/128)


def test_shingles_match_python_slicing():
    texts = pl.Series(["가나다라마바", "ab", "", "하하하하하하"])
    sh = shingle_hashes(texts, 3, short="skip")
    assert sh.sizes.tolist() == [4, 0, 0, 4]
    first = sh.hashes[:4]
    assert len(set(first.tolist())) == 4
    last = sh.hashes[4:]
    assert len(set(last.tolist())) == 1  # the same window text hashes the same
    whole = shingle_hashes(texts, 3, short="whole")
    assert whole.sizes.tolist() == [4, 1, 0, 4]


def test_components_merge_chains_and_label_by_smallest_member():
    u = np.array([7, 2, 5, 0])
    v = np.array([8, 7, 2, 9])
    assert component_labels(10, u, v).tolist() == [0, 1, 2, 3, 4, 2, 6, 2, 2, 0]


def test_parameters_are_validated():
    cls = get_step_class("dedup_fuzzy")
    with pytest.raises(ValueError):
        cls(bands=0)
    with pytest.raises(ValueError):
        cls(shingle=5)  # unknown keys are rejected


def test_copies_already_in_wikinews_are_found_and_are_real():
    needs_data()
    texts = wikinews()
    out, _, state = run_step(get_step_class("dedup_fuzzy")(), texts, batches=2)
    by_id = dict(zip(out["id"], texts, strict=True))
    assert state.clusters.height >= 1  # the source does repeat articles
    for kept, removed in zip(state.clusters["cluster_id"], state.clusters["removed_ids"], strict=True):
        for other in removed:
            assert jaccard(grams(by_id[kept]), grams(by_id[other])) >= 0.5
    exact_copies = len(texts) - len(set(texts))
    assert out["_drop"].drop_nulls().len() >= exact_copies


def test_a_document_heading_many_pairs_sends_its_signature_once():
    """The first copy of a common text heads a pair with every later copy; round 1 of the shuffle
    must not repeat its signature per pair (memory would grow with the corpus on its shard)."""
    step = get_step_class("dedup_fuzzy")()
    base = "오래된 골목의 작은 서점은 주말마다 동네 아이들에게 그림책을 읽어 주는 모임을 열었다"
    frame = pl.DataFrame({"id": [str(i) for i in range(60)], "text": [f"{base} {i}번째" for i in range(60)],
                          "_shard": [0] * 60, "_row": list(range(60))}, schema_overrides={"_shard": pl.Int64,
                                                                                          "_row": pl.Int64})
    rows, _ = step.summarize(frame, 0)
    pairs = step.reduce(rows, 0)
    mine = step.shard_result(pairs.filter(pl.col("_shard") == 0), 0)
    head_ends, tails = mine.filter(pl.col("_end") == 0), pairs.filter(pl.col("_end") == 1)
    n_pairs = tails.height
    assert n_pairs >= 59 and tails["u"].to_list().count(0) >= 30  # document 0 heads most pairs
    assert head_ends.height == head_ends["u"].n_unique() < n_pairs / 3  # its shard is told once, not per pair
    sent = step.summarize(frame, 1, mine)
    heads = sent.filter(pl.col("_end") == 0)
    assert heads.height == head_ends.height  # a signature per head, not per pair
    assert sent.filter(pl.col("_end") == 1).height == n_pairs
    verified = step.reduce(sent, 1)
    assert verified.height == n_pairs and verified["verified"].all()
    assert verified.select("u", "v").equals(tails.select("u", "v").sort(["u", "v"]))


def test_annotate_names_each_members_cluster_by_its_kept_document(corpus):
    """annotate: true writes dedup_fuzzy_cluster, the id of the document the cluster keeps, on the
    kept document and on every removed copy; null outside clusters; the same for any batching."""
    texts, _ = corpus
    step = get_step_class("dedup_fuzzy")(annotate=True)
    one, _, state = run_step(step, texts, batches=1)
    many, _, _ = run_step(step, texts, batches=4)
    assert one["dedup_fuzzy_cluster"].to_list() == many["dedup_fuzzy_cluster"].to_list()
    cluster = dict(zip(one["id"], one["dedup_fuzzy_cluster"], strict=True))
    for kept, removed in zip(state.clusters["cluster_id"], state.clusters["removed_ids"], strict=True):
        assert cluster[kept] == kept and all(cluster[other] == kept for other in removed)
    in_clusters = state.clusters["size"].sum()
    assert one["dedup_fuzzy_cluster"].is_not_null().sum() == in_clusters
    assert one["dedup_fuzzy_cluster"].null_count() == len(texts) - in_clusters > 0
    assert "dedup_fuzzy_cluster" not in run_step(get_step_class("dedup_fuzzy")(), texts[:50])[0].columns
