"""The toxicity scorer, its features and the shipped model, on hand-written Korean and on BEEP!."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from curate.toxicity import SCORE_COLUMNS, ToxicityScorer
from curate.toxicity.features import FeatureSpec, hash_batch, initials, squeeze_runs
from curate.toxicity.model_file import MODEL_FILE
from curate.toxicity.scorer import DEFAULT_MODEL_DIR

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BEEP = DATA / "beep_train.tsv"
KMHAS = DATA / "kmhas_valid.tsv"

CLEAN = "오늘 날씨가 정말 좋아서 가족들과 공원에 산책을 다녀왔어요"
HATEFUL = "이 미친놈아 꺼져라 병신같은 새끼 죽어버려"
GENDER_BIASED = "여자들은 집에서 애나 봐라 김치녀들 진짜 한심하다"


def needs_beep():
    if not BEEP.exists():
        pytest.skip(f"{BEEP} not found")


def test_score_returns_one_row_per_text_in_order():
    texts = [CLEAN, HATEFUL, "", GENDER_BIASED]
    scores = ToxicityScorer.default().score(texts)
    assert scores.columns == list(SCORE_COLUMNS)
    assert scores.height == len(texts)
    hate_sum = scores.select(pl.sum_horizontal("p_hate", "p_offensive", "p_none")).to_series().to_numpy()
    np.testing.assert_allclose(hate_sum, 1.0, atol=1e-5)
    # Each row is that text's score alone: batching (and neighbours) change nothing.
    for row, text in enumerate(texts):
        alone = ToxicityScorer.default().score([text]).row(0)
        np.testing.assert_allclose(scores.row(row), alone, atol=1e-6)


def test_hand_written_examples_rank_as_expected():
    scores = ToxicityScorer.default().score(pl.Series([CLEAN, HATEFUL, GENDER_BIASED]))
    p_none = scores["p_none"].to_list()
    assert p_none[0] > 0.8
    assert p_none[1] < 0.2 and p_none[2] < 0.2
    assert scores["p_gender_bias"][2] > 0.5 > scores["p_gender_bias"][0]


def test_long_documents_are_scored_by_sentences_not_inflated():
    """A long text is scored by its sentences (mean of the most toxic ones), not as one huge
    comment whose logits grow with its length."""
    scorer = ToxicityScorer.default()
    long_clean = ". ".join([CLEAN] * 30)
    long_hateful = ". ".join([HATEFUL] * 30)
    scores = scorer.score([CLEAN, long_clean, long_hateful])
    assert scores["p_none"][1] > 0.8 and scores["p_hate"][1] < 0.1
    assert scores["p_hate"][2] > 0.7


def test_position_grams_are_the_training_features():
    """The scorer's position-major n-grams are, text by text, the n-grams training hashed."""
    from curate.toxicity.features import position_grams

    texts = ["", "", "", CLEAN, "ㅋㅋㅋㅋ 시발", "İstanbul \x1c ΣΑΣ", HATEFUL * 3]
    batch, grams = hash_batch(texts, FeatureSpec()), position_grams(pl.Series(texts), FeatureSpec())
    ends = np.append(grams.start[1:], len(grams.bucket))
    for doc in range(len(texts)):
        mine = grams.bucket[grams.start[doc]:ends[doc]].ravel()
        assert sorted(batch.bucket[batch.doc == doc]) == sorted(mine[mine >= 0])


def _random_texts(count: int, seed: int) -> list[str | None]:
    """Short, empty, blank, emoji, control and mixed-script strings, and a few long enough to be
    scored by their sentences."""
    import random

    rng = random.Random(seed)
    alphabet = ([chr(c) for c in range(0x80)] + [chr(c) for c in range(0xAC00, 0xAC00 + 200)]
                + list("ㄱㅋㅎㅏ😀👍🏻İΣςßﬃ") + ["\u2028", "\u3000", "\xa0", "\x1c", "\0", ". ", "\n", " ", " ", "ㅋ"])
    lengths = [0, 1, 2, 3, 4, 5, 8, 20, 60, 150, 319, 320, 321, 700]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.choice(lengths))) for _ in range(count)]
    edges = ["", " ", "\t\n ", None, "\0\0\0", "ㅋ" * 40, "😀", "가" * 320, "가" * 321, ". ".join([HATEFUL] * 20)]
    return texts + edges


def _rows(scorer: ToxicityScorer, texts: list[str | None]) -> np.ndarray:
    return np.array([list(scorer.score_one(text).values()) for text in texts], dtype=np.float32)


def test_score_one_is_the_batch_score_to_the_bit():
    """The single-text path (no Polars, a dozen numpy calls) gives exactly the batch path's
    probabilities: on real comments of both corpora (a batch of more than 64 texts goes through
    Polars normalization) and on random strings, long ones included, in both schemes."""
    texts = _random_texts(400, seed=18)
    for path, load in ((BEEP, "load_beep"), (KMHAS, "load_kmhas")):
        if path.exists():
            from curate.toxicity import corpora

            texts += getattr(corpora, load)(path)["text"].sample(1500, seed=18).to_list()
    for scheme in ("beep", "kmhas"):
        scorer = ToxicityScorer.default(scheme)
        assert list(scorer.score_one(CLEAN)) == list(SCORE_COLUMNS)
        np.testing.assert_array_equal(_rows(scorer, texts), scorer.score(pl.Series(texts, dtype=pl.Utf8)).to_numpy())
        few = texts[::50]  # up to 64 texts: the batch path's Python normalization
        np.testing.assert_array_equal(_rows(scorer, few), scorer.score(few).to_numpy())
        # Before the float32 cast, which would hide a last-bit difference: the float64 logits.
        short = [text for text in texts if text is None or len(text) <= 320]
        np.testing.assert_array_equal(np.array([scorer._logits_one(text) for text in short]), scorer.logits(short))


def test_one_text_hasher_gives_the_position_grams():
    from curate.toxicity.features import OneTextHasher, position_grams

    for spec in (FeatureSpec(), FeatureSpec(bits=12, char_orders=(2, 5), initial_orders=(1,)),
                 FeatureSpec(char_orders=(1,), initial_orders=())):
        hasher = OneTextHasher(spec)
        for text in _random_texts(150, seed=5):
            expected = position_grams([text], spec).bucket.T.astype(np.int64)
            expected[expected < 0] = 1 << spec.bits
            np.testing.assert_array_equal(hasher.buckets(text), expected)
    with pytest.raises(ValueError, match="word n-grams"):
        OneTextHasher(FeatureSpec(word_orders=(1,)))


def _wikinews() -> pl.Series:
    news_path = DATA / "wikinews_ko.csv"
    if not news_path.exists():
        pytest.skip(f"{news_path} not found")
    return pl.read_csv(news_path)["내용"].drop_nulls()


def test_crime_reports_are_not_dropped_by_the_benchmark_preset():
    """Issue 18: the benchmark preset dropped 2.17% of Wikinews articles, crime reports whose
    one sentence on the crime decided the whole article. Now at most 0.5%, and the report on
    the Naju child rape case (its worst sentence scores p_hate 0.9 alone) is kept."""
    from curate.steps import get_step_class

    articles = _wikinews()
    step = get_step_class("toxicity")(thresholds="benchmark")
    out = step.process(pl.DataFrame({"id": [str(i) for i in range(len(articles))], "text": articles})).df
    dropped = out["_drop"].is_not_null() if "_drop" in out.columns else pl.Series([False] * len(out))
    assert dropped.mean() <= 0.005
    crime = out.filter(pl.col("text").str.contains("성폭행범 고종석"))
    assert len(crime) >= 1 and ("_drop" not in crime.columns or crime["_drop"].null_count() == len(crime))


def test_ngrams_never_cross_texts():
    spec = FeatureSpec()
    together = hash_batch(["가나", "다라"], spec)
    for doc, text in enumerate(["가나", "다라"]):
        alone = hash_batch([text], spec)
        assert sorted(together.bucket[together.doc == doc]) == sorted(alone.bucket)


def test_word_ngrams_are_whole_words_inside_one_text():
    words = FeatureSpec(char_orders=(), initial_orders=(), word_orders=(1, 2))
    together = hash_batch(["가나 다라", "다라  가나", "", "가나"], words)
    assert np.bincount(together.doc, minlength=4).tolist() == [3, 3, 0, 1]  # 2 words + 1 bigram each
    for doc, text in enumerate(["가나 다라", "다라  가나", "", "가나"]):
        alone = hash_batch([text], words)
        assert sorted(together.bucket[together.doc == doc]) == sorted(alone.bucket)
    first, second = (set(together.bucket[together.doc == doc]) for doc in (0, 1))
    assert len(first & second) == 2  # the same two words, but bigrams in a different order
    unigrams = FeatureSpec(char_orders=(), initial_orders=(), word_orders=(1,))
    assert hash_batch(["가나다"], unigrams).bucket[0] != hash_batch(["가나 다"], unigrams).bucket[0]


def test_log_count_ratio_favours_ngrams_of_positive_texts():
    import scipy.sparse as sp

    from curate.toxicity.train import log_count_ratio

    # Columns: only in positives, in both, only in negatives.
    features = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1], [0, 1, 1]], dtype=np.float64))
    ratio = log_count_ratio(features, np.array([True, True, False, False]))
    assert ratio[0] > 0 and ratio[2] < 0 and abs(ratio[1]) < 1e-12


def test_unlabelled_comments_leave_out_labelled_ones(tmp_path):
    from curate.toxicity.train import load_unlabelled

    path = tmp_path / "unlabelled.txt"
    path.write_text(f"{CLEAN}\n\n   \n{HATEFUL}\n{CLEAN}\n{GENDER_BIASED}\n", encoding="utf-8")
    assert load_unlabelled(path, pl.Series([HATEFUL])).to_list() == [CLEAN, GENDER_BIASED]


def test_sentiment_feature_folds_into_one_linear_model():
    """The hate model trained with the sentiment score as an extra feature equals, on any text,
    the folded weights the scorer ships: no second model at scoring time."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from curate.toxicity.train import TrainConfig, fit_hate

    rng = np.random.default_rng(0)
    features = sp.random(120, 40, density=0.3, random_state=1, format="csr")
    labels = np.array(["hate", "offensive", "none"])[rng.integers(0, 3, 120)]
    direction = rng.normal(size=40)
    config = TrainConfig(sentiment_weight=0.3)
    coef, intercept = fit_hate(features, labels, config, direction)
    extra = features @ (0.3 * direction)
    augmented = LogisticRegression(C=config.c, max_iter=5000, class_weight="balanced").fit(
        sp.hstack([features, sp.csr_matrix(extra[:, None])]).tocsr(), labels)
    fresh = sp.random(30, 40, density=0.3, random_state=2, format="csr")
    order = [list(augmented.classes_).index(name) for name in ("hate", "offensive", "none")]
    expected = augmented.decision_function(sp.hstack([fresh, sp.csr_matrix((fresh @ (0.3 * direction))[:, None])]))
    np.testing.assert_allclose(fresh @ coef.T + intercept, expected[:, order], rtol=1e-6, atol=1e-8)
    # Without a direction (or with weight 0) it is the plain model: the direction must matter.
    plain, _ = fit_hate(features, labels, config)
    assert not np.allclose(plain, coef)


def test_sentiment_reviews_are_balanced_and_exclude_middling_ratings(tmp_path):
    import gzip
    import json

    from curate.toxicity.train import load_sentiment

    ratings = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 9, 1]
    path = tmp_path / "reviews.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for k, rating in enumerate(ratings):
            out.write(json.dumps({"id": str(k), "text": f"리뷰 {k}", "rating": rating}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"id": "x", "text": "", "rating": 1}) + "\n")
    reviews = load_sentiment(path, seed=0)
    assert reviews["negative"].sum() == 4 and (~reviews["negative"]).sum() == 4
    kept = {int(text.split()[1]) for text in reviews["text"]}
    assert {0, 1, 2, 13} <= kept and not kept & {3, 4, 5, 6, 7}
    assert load_sentiment(path, seed=0).equals(reviews)


def test_runs_are_cut_to_two_and_syllables_map_to_initials():
    points = np.frombuffer("ㅋㅋㅋㅋㅋ!!!".encode("utf-32-le"), dtype=np.uint32)
    squeezed, _ = squeeze_runs(points, np.zeros(len(points), dtype=np.int64))
    assert squeezed.tobytes().decode("utf-32-le") == "ㅋㅋ!!"
    jamo = initials(np.frombuffer("시발 ok".encode("utf-32-le"), dtype=np.uint32))
    assert jamo.tobytes().decode("utf-32-le") == "ㅅㅂ ok"


def test_shipped_model_is_small():
    assert (DEFAULT_MODEL_DIR / MODEL_FILE).stat().st_size < 5_000_000


def test_held_out_quality_on_beep_and_kmhas():
    """The held-out 20% of BEEP! and of K-MHaS (never trained on), each in its own labelling
    scheme: floors a little under the measured figures (docs/results-toxicity.md)."""
    needs_beep()
    if not KMHAS.exists():
        pytest.skip(f"{KMHAS} not found")
    from curate.toxicity.evaluate import evaluate

    scorers = {scheme: ToxicityScorer.default(scheme) for scheme in ("beep", "kmhas")}
    table = evaluate({"beep": BEEP, "kmhas": KMHAS}, scorers, baseline=False)
    row = {(r["held_out"], r["model"]): r for r in table.iter_rows(named=True)}
    beep, kmhas = row[("beep", "beep")], row[("kmhas", "kmhas")]
    assert beep["hate_macro_f1"] > 0.57 and beep["toxic_roc_auc"] > 0.81 and beep["gender_bias_roc_auc"] > 0.92
    assert kmhas["binary_macro_f1"] > 0.79 and kmhas["toxic_roc_auc"] > 0.87
    assert kmhas["gender_bias_roc_auc"] > 0.93
    # (Trained on BEEP! alone, the model ranked K-MHaS's toxic comments at AUC 0.73: issue 18.)


def test_training_is_deterministic(tmp_path):
    """Two trainings on the same (small) data, self-training included, give byte-identical files."""
    needs_beep()
    from curate.toxicity.model_file import write_arrays
    from curate.toxicity.train import TrainConfig, fit, load_beep

    labelled = load_beep(BEEP)
    sample, unlabelled = labelled.head(300), labelled["text"].slice(300, 500)
    for name in ("a", "b"):
        arrays, _ = fit(sample, TrainConfig(), unlabelled)
        write_arrays(tmp_path / name / MODEL_FILE, arrays, {"sample": 300})
    assert (tmp_path / "a" / MODEL_FILE).read_bytes() == (tmp_path / "b" / MODEL_FILE).read_bytes()


@pytest.fixture(scope="module")
def retrained(tmp_path_factory):
    """`curate toxicity train` run once, as the README gives it, into a fresh directory."""
    needs_beep()
    from typer.testing import CliRunner

    from curate.toxicity.cli import app

    clean, unlabelled = DATA / "nanet_book_reviews.csv", DATA / "beep_unlabeled_comments_5.txt"
    sentiment = DATA / "nsmc_reviews.jsonl.gz"
    for path in (clean, unlabelled, KMHAS, sentiment):
        if not path.exists():
            pytest.skip(f"{path} not found")
    out = tmp_path_factory.mktemp("retrained")
    result = CliRunner().invoke(app, ["train", "--data", str(BEEP), "--kmhas", str(KMHAS), "--clean", str(clean),
                                      "--unlabelled", str(unlabelled), "--sentiment", str(sentiment),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_train_command_reproduces_the_shipped_model(retrained):
    """With the versions the model was trained with (the lock's), the same bytes; the model
    records them, so a mismatch says which library differs instead of failing on a byte."""
    from curate.toxicity.model_file import read_arrays
    from curate.toxicity.train import training_libraries

    _, meta = read_arrays(DEFAULT_MODEL_DIR / MODEL_FILE)
    if meta["trained_with"] != training_libraries():
        pytest.skip(f"byte-for-byte needs {meta['trained_with']} (requirements/lock.txt); "
                    f"installed: {training_libraries()}")
    assert (retrained / MODEL_FILE).read_bytes() == (DEFAULT_MODEL_DIR / MODEL_FILE).read_bytes()


@pytest.mark.slow
def test_retrained_model_agrees_with_the_shipped_one_on_any_versions(retrained):
    """Whatever numpy/scipy/scikit-learn are installed, the retrained model labels at least
    99.9% of the held-out comments as the shipped one does (hate class, gender and other bias
    at 0.5), and its held-out metrics are within 0.005 of the shipped model's."""
    from curate.toxicity.evaluate import evaluate, validation_part

    _, held_out = validation_part(BEEP)
    shipped = ToxicityScorer.default().score(held_out["text"]).to_numpy()
    fresh = ToxicityScorer.load(retrained).score(held_out["text"]).to_numpy()
    for name, label in {"hate class": lambda p: p[:, :3].argmax(axis=1),
                        "gender bias": lambda p: p[:, 3] > 0.5,
                        "other bias": lambda p: p[:, 4] > 0.5}.items():
        agreement = (label(shipped) == label(fresh)).mean()
        assert agreement >= 0.999, f"{name}: {agreement:.4%} of {len(held_out)} held-out comments agree"
    ours = evaluate(BEEP, baseline=False).drop("model").row(0, named=True)
    theirs = evaluate(BEEP, ToxicityScorer.load(retrained), baseline=False).drop("model").row(0, named=True)
    for metric, value in ours.items():
        if isinstance(value, str):  # the held-out set's name
            assert theirs[metric] == value
        else:
            assert abs(theirs[metric] - value) <= 0.005, (metric, value, theirs[metric])


def test_training_on_k_mhas_alone_works_for_the_cross_domain_table():
    """`curate toxicity eval --cross` trains on each corpus alone; with no BEEP! rows the beep
    scheme keeps the shared weights instead of fitting on nothing (it crashed)."""
    if not KMHAS.exists():
        pytest.skip("shared data missing")
    from curate.toxicity.evaluate import held_out_parts
    from curate.toxicity.train import TrainConfig, fit

    train, _ = held_out_parts({"kmhas": KMHAS})["kmhas"]
    arrays, _ = fit(train.head(300).select("text", "hate", "gender_bias", "other_bias", "corpus"), TrainConfig())
    assert {"coef_beep", "coef_kmhas"} <= set(arrays)
    assert all(np.isfinite(a).all() for a in arrays.values() if a.dtype.kind == "f")
