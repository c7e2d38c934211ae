"""The ``toxicity`` step: columns, thresholds from presets and overrides, document and sentence units."""

from __future__ import annotations

import polars as pl
import pytest
from pydantic import ValidationError

from curate.steps import DROP, RunContext, get_step_class
from curate.toxicity import SCORE_COLUMNS

CLEAN = "오늘 날씨가 정말 좋아서 가족들과 공원에 산책을 다녀왔어요"
HATEFUL = "이 미친놈아 꺼져라 병신같은 새끼 죽어버려"
GENDER_BIASED = "여자들은 집에서 애나 봐라 김치녀들 진짜 한심하다"


def make(**params):
    step = get_step_class("toxicity")(**params)
    step.setup(RunContext())
    return step


def batch(*texts: str) -> pl.DataFrame:
    return pl.DataFrame({"id": [f"d{i}" for i in range(len(texts))], "text": list(texts),
                         "_src": ["x"] * len(texts)})


def test_document_unit_drops_hate_and_keeps_clean_text():
    out = make(thresholds="benchmark").process(batch(CLEAN, HATEFUL, CLEAN))
    frame = out.df
    assert frame.columns[:3] == ["id", "text", "_src"]  # columns it does not own pass through, in place
    assert set(SCORE_COLUMNS) <= set(frame.columns)
    assert frame[DROP].to_list() == [None, "toxic_hate", None]
    assert frame["text"].to_list() == [CLEAN, HATEFUL, CLEAN]
    assert out.counters["docs_scored"] == 3 and out.counters["docs_dropped_toxic_hate"] == 1


def test_gender_bias_threshold_alone():
    out = make(thresholds={"p_gender_bias": 0.5}).process(batch(CLEAN, GENDER_BIASED))
    assert out.df[DROP].to_list() == [None, "gender_bias"]


def test_pretrain_preset_scores_without_dropping():
    out = make(thresholds="pretrain").process(batch(CLEAN, HATEFUL))
    assert DROP not in out.df.columns or out.df[DROP].null_count() == 2
    assert out.df["p_hate"][1] > out.df["p_hate"][0]


def test_override_changes_one_key_of_the_preset():
    step = make(thresholds="benchmark", override={"p_hate": None, "p_toxic": 0.9})
    assert step.effective_thresholds() == {"p_gender_bias": 0.6, "p_toxic": 0.9}
    out = make(override={"p_hate": 1.0}, add_columns=False).process(batch(HATEFUL))
    assert out.df.columns == ["id", "text", "_src"]  # nothing above 1.0, no score columns asked for


def test_unknown_preset_or_key_is_refused():
    with pytest.raises(ValidationError):
        get_step_class("toxicity")(thresholds="strictest")
    with pytest.raises(ValidationError):
        get_step_class("toxicity")(thresholds={"p_evil": 0.5})


def test_sentence_unit_removes_only_the_offending_lines():
    document = f"{CLEAN}\n{HATEFUL}\n{CLEAN}"
    out = make(unit="sentence").process(batch(document, HATEFUL, CLEAN))
    assert out.df["text"].to_list() == [f"{CLEAN}\n{CLEAN}", "", CLEAN]
    assert out.counters["sentences_scored"] == 5
    assert out.counters["sentences_dropped_toxic_hate"] == 2
    assert out.df["p_hate"][0] > 0.7  # the document's column holds its worst sentence


def test_drop_false_keeps_every_document_and_names_the_reason_deterministically():
    from curate.config import build_steps
    from curate.runner import run_in_memory

    frame = batch(CLEAN, HATEFUL, GENDER_BIASED)
    recipe = [{"step": "toxicity", "thresholds": "benchmark", "drop": False}]
    alive, dead, stats = run_in_memory(build_steps(recipe), frame)
    assert dead.is_empty() and DROP not in alive.columns
    reasons = alive["toxicity_reason"].to_list()
    assert reasons[:2] == [None, "toxic_hate"] and reasons[2] in {"toxic_hate", "gender_bias"}
    assert not any(key.startswith("docs_dropped") for key in stats[0].counters)
    again, _, _ = run_in_memory(build_steps(recipe), frame)
    assert alive.equals(again)


def test_beep_comments_flag_more_than_news_sentences():
    """On real text: the benchmark preset flags far more BEEP! comments than plain news sentences."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not (data / "wikinews_ko.csv").exists() or not (data / "beep_train.tsv").exists():
        pytest.skip("shared data not found")
    from curate.toxicity.train import load_beep

    beep = load_beep(data / "beep_train.tsv")
    hateful = beep.filter(pl.col("hate") == "hate")["text"].head(500)
    news = pl.read_csv(data / "wikinews_ko.csv")["제목"].drop_nulls().head(500)  # headlines: one sentence each
    step = make(thresholds="benchmark")
    flagged = {}
    for name, texts in (("beep", hateful), ("news", news)):
        out = step.process(pl.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})).df
        flagged[name] = out[DROP].is_not_null().mean()
    assert flagged["beep"] > 0.3
    assert flagged["news"] < flagged["beep"] / 3


def test_runner_moves_toxic_documents_and_empty_sentences_to_the_dead_list():
    from curate.config import build_steps
    from curate.runner import run_in_memory

    steps = build_steps([{"step": "toxicity", "unit": "sentence", "thresholds": "benchmark"}])
    frame = batch(f"{CLEAN}\n{HATEFUL}", HATEFUL, CLEAN)
    alive, dead, stats = run_in_memory(steps, frame)
    assert alive["text"].to_list() == [CLEAN, CLEAN]
    assert dead["id"].to_list() == ["d1"]  # its only sentence went, so the document is empty
    assert stats[0].counters["sentences_dropped_toxic_hate"] == 2


def test_a_model_directory_enters_the_run_fingerprint(tmp_path):
    """A resume after the model changed is refused: the step declares the model's files."""
    import shutil

    from curate.toxicity.model_file import MODEL_FILE
    from curate.toxicity.scorer import DEFAULT_MODEL_DIR

    shutil.copy(DEFAULT_MODEL_DIR / MODEL_FILE, tmp_path / MODEL_FILE)
    assert get_step_class("toxicity")(model_dir=str(tmp_path)).depends_on() == [str(tmp_path / MODEL_FILE)]
    assert get_step_class("toxicity")().depends_on() == []  # the shipped model changes with curate's version
