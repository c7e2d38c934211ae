"""The optional Hugging Face scorer, on tiny classifiers built and saved here (nothing is
downloaded): label mapping by name, batching, the n-gram model for missing columns, the step."""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np
import polars as pl
import pytest

from curate.steps import DROP, RunContext, get_step_class
from curate.toxicity import SCORE_COLUMNS, ToxicityScorer
from curate.toxicity.hf_scorer import HFToxicityScorer

# Checked without importing: torch is imported only when these tests run, not at collection.
pytestmark = pytest.mark.skipif(find_spec("torch") is None or find_spec("transformers") is None,
                                reason="the optional extra 'hf' (torch, transformers) is not installed")

TEXTS = ["오늘 날씨가 정말 좋아서 산책을 다녀왔어요", "이 미친놈아 꺼져라", "", "영화 재밌네요 ㅋㅋ 배우 연기 최고",
         "정부 발표에 따르면 내년 예산은 늘어난다"]


def save_classifier(directory, id2label: dict[int, str], favour: str | None = None, multi_label: bool = False):
    """A one-layer BERT with a word-level tokenizer built from TEXTS; with ``favour``, the
    classifier's bias makes that label win on every text."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    words = sorted({word for text in TEXTS for word in text.split()})
    vocab = {token: k for k, token in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *words])}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                        special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]")
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=160, num_labels=len(id2label),
                        id2label=id2label, label2id={name: k for k, name in id2label.items()},
                        problem_type="multi_label_classification" if multi_label else "single_label_classification")
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    if favour is not None:
        label2id = {name: k for k, name in id2label.items()}
        with torch.no_grad():
            model.classifier.bias.fill_(-20.0)
            model.classifier.bias[label2id[favour]] = 20.0
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def test_labels_map_by_name_not_position(tmp_path):
    # "hate" is id 0 in one model and id 2 in the other: p_hate must follow the name.
    for k, id2label in enumerate(({0: "hate", 1: "offensive", 2: "none"}, {0: "none", 1: "offensive", 2: "hate"})):
        scorer = HFToxicityScorer(save_classifier(tmp_path / str(k), id2label, favour="hate"), device="cpu")
        scores = scorer.score(TEXTS)
        assert scores.columns == list(SCORE_COLUMNS) and scores.height == len(TEXTS)
        assert scores["p_hate"].min() > 0.99 and scores["p_none"].max() < 0.01


def test_missing_columns_come_from_the_ngram_model_and_rows_keep_their_order(tmp_path):
    scorer = HFToxicityScorer(save_classifier(tmp_path, {0: "none", 1: "offensive", 2: "hate"}), device="cpu",
                              batch_size=2)
    scores = scorer.score(pl.Series(TEXTS))
    builtin = ToxicityScorer.default().score(TEXTS)
    assert scores.select("p_gender_bias", "p_other_bias").equals(builtin.select("p_gender_bias", "p_other_bias"))
    hate = scores.select("p_hate", "p_offensive", "p_none").to_numpy()
    np.testing.assert_allclose(hate.sum(axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(hate, builtin.select("p_hate", "p_offensive", "p_none").to_numpy(), atol=1e-3)
    # Batches of 2 with padding give each text what it gets alone, in input order.
    alone = np.concatenate([scorer.score([text]).select("p_hate", "p_offensive", "p_none").to_numpy()
                            for text in TEXTS])
    np.testing.assert_allclose(hate, alone, atol=1e-5)


def test_multi_label_model_reads_sigmoids_and_explicit_label_mapping(tmp_path):
    directory = save_classifier(tmp_path, {0: "LABEL_0", 1: "LABEL_1"}, favour="LABEL_1", multi_label=True)
    with pytest.raises(ValueError, match="LABEL_0"):
        HFToxicityScorer(directory, device="cpu")
    with pytest.raises(ValueError, match="unknown columns"):
        HFToxicityScorer(directory, labels={"LABEL_1": "p_sexism"}, device="cpu")
    scorer = HFToxicityScorer(directory, labels={"LABEL_0": "p_other_bias", "LABEL_1": "p_gender_bias"},
                              device="cpu")
    scores = scorer.score(TEXTS)
    # Sigmoids, not a softmax: both near their bias (0 and 1), independently.
    assert scores["p_gender_bias"].min() > 0.99 and scores["p_other_bias"].max() < 0.01


def test_a_path_that_is_not_a_saved_model_is_refused_without_downloading(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloaded"):
        HFToxicityScorer("beomi/KcELECTRA-base", device="cpu")
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        HFToxicityScorer(tmp_path, device="cpu")


def test_toxicity_step_with_hf_model_drops_what_it_flags(tmp_path):
    def build(**params):
        step = get_step_class("toxicity")(**params)
        step.setup(RunContext())
        return step

    directory = save_classifier(tmp_path, {0: "none", 1: "offensive", 2: "hate"}, favour="hate")
    step = build(hf_model=str(directory), device="cpu", thresholds={"p_hate": 0.7})
    out = step.process(pl.DataFrame({"text": TEXTS})).df
    assert out[DROP].to_list() == ["toxic_hate"] * len(TEXTS)
    none_model = save_classifier(tmp_path / "none", {0: "none", 1: "offensive", 2: "hate"}, favour="none")
    step = build(hf_model=str(none_model), device="cpu", thresholds={"p_hate": 0.7})
    out = step.process(pl.DataFrame({"text": TEXTS})).df
    assert DROP not in out.columns or out[DROP].null_count() == len(TEXTS)


def test_eval_command_scores_a_local_model_on_the_held_out_part(tmp_path):
    from pathlib import Path

    from typer.testing import CliRunner

    from curate.toxicity.cli import app

    beep = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "beep_train.tsv"
    if not beep.exists():
        pytest.skip(f"{beep} not found")
    directory = save_classifier(tmp_path, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, favour="LABEL_0")
    result = CliRunner().invoke(app, ["eval", "--data", str(beep), "--no-baseline", "--hf-model", str(directory),
                                      "--hf-labels", "LABEL_0=p_none,LABEL_1=p_offensive,LABEL_2=p_hate"])
    assert result.exit_code == 0, result.output
    assert "HFToxicityScorer" in result.output


def test_evaluation_of_a_local_model_uses_its_scores_and_the_ngram_bias_columns(tmp_path):
    from pathlib import Path

    from curate.toxicity.evaluate import evaluate

    beep = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "beep_train.tsv"
    if not beep.exists():
        pytest.skip(f"{beep} not found")
    directory = save_classifier(tmp_path, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, favour="LABEL_0")
    scorer = HFToxicityScorer(directory, labels={"LABEL_0": "p_none", "LABEL_1": "p_offensive", "LABEL_2": "p_hate"},
                              device="cpu")
    ours = evaluate(beep, scorer, baseline=False).row(0, named=True)
    builtin = evaluate(beep, baseline=False).row(0, named=True)
    # It says "none" for every comment: it ranks nothing (toxic ROC-AUC 0.5) and its macro-F1 is
    # the none class's F1 over three (about 0.2); the bias columns are the n-gram model's.
    assert ours["toxic_roc_auc"] == 0.5 and ours["hate_macro_f1"] < 0.3
    assert ours["gender_bias_roc_auc"] == builtin["gender_bias_roc_auc"]


@pytest.mark.ray
def test_hf_model_on_ray_writes_what_the_local_executor_writes(tmp_path):
    """On a cluster without GPUs the actors reserve none (asking would wait for ever) and score
    on the CPU; the output is the local executor's, byte for byte."""
    from spine_util import jsonl, output_bytes, run, write_recipe

    directory = save_classifier(tmp_path / "model", {0: "none", 1: "offensive", 2: "hate"})
    records = [{"id": f"d{i}", "text": TEXTS[i % len(TEXTS)] + f" {i}"} for i in range(60)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    # An untrained model's p_hate differ in the sixth decimal: the median splits the texts, and
    # equal bytes need the same floats on both executors.
    direct = HFToxicityScorer(directory, device="cpu").score([r["text"] for r in records])["p_hate"]
    threshold = float(np.median(direct.to_numpy()))
    steps = [{"step": "toxicity", "hf_model": str(directory), "thresholds": {"p_hate": threshold}}]
    recipe = write_recipe(tmp_path, ["in.jsonl"], steps, batch_size=20)
    local = run(recipe, "local", 1, output=str(tmp_path / "local"))
    on_ray = run(recipe, "ray", 2, output=str(tmp_path / "ray"))
    assert output_bytes(tmp_path / "local") == output_bytes(tmp_path / "ray")
    assert local["records_in"] == on_ray["records_in"] == 60
    # What was dropped is what the model itself scores over the threshold.
    assert 0 < on_ray["records_dropped"] == int((direct > threshold).sum()) < 60


def test_a_model_with_every_column_needs_no_ngram_scoring(tmp_path):
    class Refusing:
        def score(self, texts):
            raise AssertionError("the n-gram model was asked for columns the HF model gives")

    labels = {0: "none", 1: "offensive", 2: "hate", 3: "gender_bias", 4: "other_bias"}
    scorer = HFToxicityScorer(save_classifier(tmp_path, labels, favour="gender_bias", multi_label=True),
                              device="cpu", fallback=Refusing())
    scores = scorer.score(TEXTS)
    assert scores.columns == list(SCORE_COLUMNS) and scores.height == len(TEXTS)
    assert scores["p_gender_bias"].min() > 0.99 and scores["p_hate"].max() < 0.01
