"""Issue 20: instruction data from labelled Korean datasets (curate instruct and the instruct step).

Synthetic files in the KLUE/KoBEST layouts (field names of the decontamination adapters) check
balance, split discipline, template coverage, a planted evaluation item refused, byte-identical
reruns, the layouts read by `datasets` and a chat template, and bad task files naming file,
line and key. The shipped mixed task file runs on ../shared/data when it is there.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
from spine_util import REPO, SHARED_DATA

from curate.config import RecipeError, build_steps
from curate.instruct.build import build
from curate.instruct.spec import definition_of, load_tasks, task_names
from curate.instruct.template import render
from curate.runner import run_in_memory
from curate.steps.base import RunContext

RNG = random.Random(20)


def words(n: int = 6) -> str:
    """A Korean-looking sentence of random syllables, unique among the test's texts."""
    return " ".join("".join(chr(0xAC00 + RNG.randrange(11172)) for _ in range(3)) for _ in range(n)) + "."


def nli_rows(n: int, prefix: str) -> list[dict]:
    return [{"guid": f"{prefix}-{i}", "source": "wiki", "premise": words(), "hypothesis": words(), "label": i % 3}
            for i in range(n)]


def copa_rows(n: int) -> list[dict]:
    return [{"premise": words(), "question": ["원인", "결과"][i % 2], "alternative_1": words(4),
             "alternative_2": words(4), "label": (i // 2) % 2} for i in range(n)]


def write_jsonl(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def data(tmp_path):
    """KLUE-NLI as Hub Parquet files (train and validation in one folder), KoBEST COPA as JSONL
    with its test split apart; one COPA test item is planted in the COPA training file."""
    nli = tmp_path / "klue_nli"
    nli.mkdir()
    pl.DataFrame(nli_rows(60, "train")).write_parquet(nli / "train-00000-of-00001.parquet")
    validation = nli_rows(9, "validation")
    pl.DataFrame(validation).write_parquet(nli / "validation-00000-of-00001.parquet")
    copa_test = copa_rows(4)
    train = copa_rows(40)
    train[7] = {**train[7], "premise": copa_test[2]["premise"]}  # an evaluation item leaked into training data
    write_jsonl(train, tmp_path / "copa" / "copa_train.jsonl")
    write_jsonl(copa_test, tmp_path / "evals" / "copa_test.jsonl")
    wic_test = [{"word": "배", "context_1": words(), "context_2": words(), "label": 1} for _ in range(3)]
    write_jsonl(wic_test, tmp_path / "evals" / "wic_test.jsonl")
    return {"dir": tmp_path, "validation_ids": [r["guid"] for r in validation], "planted": train[7]["premise"]}


TASKS = """\
seed: 7
system: 한국어로 답하세요.
max_per_label: 12
tasks:
  - {task: klue_nli, path: klue_nli}
  - {task: kobest_copa, path: copa, max_examples: 30}
evaluation:
  - {adapter: kobest_copa, path: evals/copa_test.jsonl, seen: true}
  - {adapter: kobest_wic, path: evals/wic_test.jsonl, seen: false}
steps:
  - step: dedup_exact
"""


def write_tasks(directory: Path, text: str = TASKS) -> Path:
    path = directory / "tasks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_balance_split_discipline_template_coverage_and_a_planted_item_refused(data):
    out = data["dir"] / "out"
    report = build(load_tasks(write_tasks(data["dir"])), out)
    examples = pl.read_parquet(out / "alpaca" / "train.parquet")
    # evaluation splits never become training examples
    assert set(examples["source_split"]) == {"train"}
    assert not set(examples["source_id"]) & set(data["validation_ids"])
    assert report["tasks"]["klue_nli"]["left_out"] == {"evaluation_split": 9}
    # the planted evaluation item is refused, by the decontamination, and named in refused.parquet
    assert not examples["input"].str.contains(data["planted"], literal=True).any()
    refused = pl.read_parquet(out / "refused.parquet")
    assert refused.filter(pl.col("step") == "decontaminate")["task"].to_list() == ["kobest_copa"]
    assert {b["name"]: b["refused"] for b in report["evaluation"]} == {"kobest_copa": 1, "kobest_wic": 0}
    # caps: 12 per label (NLI: 3 labels x 12 of 20); COPA: 30 at most, labels in turn
    nli = examples.filter(pl.col("task") == "klue_nli")
    assert sorted(nli["label"].value_counts()["count"].to_list()) == [12, 12, 12]
    copa = examples.filter(pl.col("task") == "kobest_copa")
    assert copa.height == 23  # 20 rows a label, 12 of each within the caps, the planted one refused
    assert set(copa["label"]) == {"0", "1"}
    # every template used, as often as any other within one, in each task and within each label
    for task in ("klue_nli", "kobest_copa"):
        rows = examples.filter(pl.col("task") == task)
        per_template = rows["template_id"].value_counts()["count"]
        assert rows["template_id"].n_unique() == len(definition_of(task, {}).templates) == 5
        assert per_template.max() - per_template.min() <= 1
    per_label = nli.group_by("label", "template_id").len().group_by("label").agg(
        (pl.col("len").max() - pl.col("len").min()).alias("spread"))
    assert per_label["spread"].max() <= 1
    # answers read as the task's labels: NLI's 함의/중립/모순, COPA's the chosen alternative
    assert set(nli["label"]) == {"함의", "중립", "모순"}
    assert all(lab in out_ for lab, out_ in zip(nli["label"], nli["output"], strict=True))
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| klue_nli | 함의 | 12 |" in md and "| kobest_copa | unseen" not in md


def test_the_same_task_file_gives_the_same_bytes(data):
    path = write_tasks(data["dir"])
    first, second = data["dir"] / "a", data["dir"] / "b"
    build(load_tasks(path), first)
    build(load_tasks(path), second)
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(names) == 10  # 3 layouts x 2 formats, refused, report.json/md, README.md
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_layouts_load_with_datasets_and_render_with_a_chat_template(data):
    datasets = pytest.importorskip("datasets")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers

    out = data["dir"] / "out"
    build(load_tasks(write_tasks(data["dir"])), out)
    messages = datasets.load_dataset("parquet", data_files=str(out / "messages" / "train.parquet"), split="train")
    alpaca = datasets.load_dataset("json", data_files=str(out / "alpaca" / "train.jsonl"), split="train")
    pairs = datasets.load_dataset("parquet", data_files=str(out / "prompt_completion" / "train.parquet"),
                                  split="train")
    assert len(messages) == len(alpaca) == len(pairs) > 0
    assert [m["role"] for m in messages[0]["messages"]] == ["system", "user", "assistant"]
    assert set(alpaca.column_names) >= {"instruction", "input", "output", "task", "template_id", "source_id"}
    # a tokenizer made here (nothing downloaded), with a ChatML-style template
    backend = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]")
    tokenizer.chat_template = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
                               "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
    example = messages[0]["messages"]
    text = tokenizer.apply_chat_template(example, tokenize=False)
    assert text.startswith("<|system|>\n한국어로 답하세요.") and example[2]["content"] in text
    prompt = tokenizer.apply_chat_template(example[:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|assistant|>\n") and example[1]["content"] in prompt
    # the layouts hold the same examples in the same order
    assert pairs[0]["prompt"] == example[1]["content"] and pairs[0]["completion"] == example[2]["content"]


BAD = [
    ("tasks:\n  - {task: klue_nli, path: klue_nli, splitz: [train]}\n", 2, "tasks[0].splitz: unknown key"),
    ("tasks:\n  - {task: klue_nl, path: klue_nli}\n", 2, "tasks[0]: unknown task 'klue_nl'"),
    ("tasks:\n  - task: klue_nli\n    path: klue_nli\n    splits: [train, validation]\n", 4,
     "tasks[0].splits: validation is an evaluation split"),
    ("tasks:\n  - task: klue_nli\n    path: klue_nli\n    templates:\n      - {id: a, instruction: '{premis}'}\n",
     2, "tasks[0]: template a: unknown placeholder {premis}"),
    ("tasks:\n  - {task: klue_nli, path: klue_nli}\nevaluation:\n"
     "  - {adapter: kobest_copa, path: evals/copa_test.jsonl, seen: true}\n", 4,
     "evaluation[0].seen: kobest_copa is declared seen, but no task trains on it"),
    ("tasks:\n  - {task: kobest_copa, path: copa}\nevaluation:\n"
     "  - {adapter: kobest_copa, path: evals/copa_test.jsonl,\n     seen: false}\n", 5,
     "evaluation[0].seen: kobest_copa is declared unseen, but task 'kobest_copa' trains on it"),
    ("tasks:\n  - {task: klue_nli, path: klue_nli}\nsteps:\n  - step: split_sentences\n", 4,
     "steps[0]: split_sentences cannot run over instruction examples"),
    ("tasks:\n  - {task: klue_nli, path: nowhere}\n", 2, "tasks[0].path: no such file or directory"),
    ("seed: 1\nseed: 2\ntasks: []\n", 2, "seed: duplicate key"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[m.split(":")[0] + f"-{i}" for i, (_, _, m)
                                                                 in enumerate(BAD)])
def test_a_bad_task_file_names_the_file_the_line_and_the_key(data, text, line, message):
    path = write_tasks(data["dir"], text)
    with pytest.raises(RecipeError) as info:
        load_tasks(path)
    assert f"{path}:{line}: {message}" in str(info.value)


def test_a_templates_file_that_is_not_yaml_names_itself_and_its_line(data):
    (data["dir"] / "bad_templates.yaml").write_text("templates:\n  - {id: a, instruction: [\n", encoding="utf-8")
    path = write_tasks(data["dir"],
                       "tasks:\n  - {task: klue_nli, path: klue_nli, templates_file: bad_templates.yaml}\n")
    with pytest.raises(RecipeError) as info:
        load_tasks(path)
    assert f"{path}:2: tasks[0]: " in str(info.value) and "bad_templates.yaml:3: not YAML" in str(info.value)


def test_a_file_without_a_split_in_its_name_needs_one_and_a_test_file_is_never_read(tmp_path):
    write_jsonl([{"sentence": words(), "label": 1}], tmp_path / "reviews.jsonl")
    write_jsonl([{"sentence": words(), "label": 1}], tmp_path / "sentineg_test.jsonl")
    from curate.decontam.readers import BenchmarkError

    with pytest.raises(BenchmarkError, match="cannot tell the file's split from its name; say which it is"):
        build(load_tasks(write_tasks(tmp_path, "tasks:\n  - {task: kobest_sentineg, path: reviews.jsonl}\n")),
              tmp_path / "o1")
    with pytest.raises(BenchmarkError, match="the file's name says test"):
        build(load_tasks(write_tasks(tmp_path, "tasks:\n  - {task: kobest_sentineg, path: sentineg_test.jsonl, "
                                               "split: train}\n")), tmp_path / "o2")


@pytest.mark.parametrize("task", task_names())
def test_every_shipped_task_has_five_templates_that_render(task):
    definition = definition_of(task, {})
    assert len(definition.templates) >= 5
    columns = {p: p for p in definition.fields}
    row = pl.DataFrame({p: [words(4)] for p in definition.fields})
    if definition.label:
        answers = list((definition.label.map or {"x": "{" + next(iter(definition.fields)) + "}"}).values())
        row = row.with_columns(pl.lit(row.select(render(answers[0], columns))[0, 0]).alias("label"))
        columns["label"] = "label"
    for t in definition.templates:
        rendered = row.select(render(t.instruction, columns), render(t.input, columns).alias("i"),
                              render(t.output, columns).alias("o"))
        assert "{" not in "".join(rendered.row(0)), t.id


def test_particles_follow_the_last_syllable():
    frame = pl.DataFrame({"w": ["경제", "IT과학", "결과", "원인", "생활문화", "3.7"]})
    got = frame.select(render("{w:으로/로} {w:이/가} {w:을/를}", {"w": "w"}))[:, 0].to_list()
    assert got == ["경제로 경제가 경제를", "IT과학으로 IT과학이 IT과학을", "결과로 결과가 결과를",
                   "원인으로 원인이 원인을", "생활문화로 생활문화가 생활문화를", "3.7로 3.7이 3.7을"]


def test_the_instruct_step_in_a_recipe():
    steps = build_steps([{"step": "instruct", "task": "kobest_sentineg", "text_field": "sentence",
                          "split_field": "split", "layout": "messages"}])
    frame = pl.DataFrame({"id": list("abcd"), "text": [words() for _ in range(4)], "label": [1, 0, 2, 1],
                          "split": ["train", "train", "train", "validation"]})
    for step in steps:
        step.setup(RunContext(seed=3))
    kept, dead, stats = run_in_memory(steps, frame)
    assert dict(zip(dead["id"], dead["reason"], strict=True)) == {"c": "label_not_mapped", "d": "evaluation_split"}
    assert kept["label"].to_list() == ["긍정", "부정"] and kept["task"].to_list() == ["kobest_sentineg"] * 2
    for row in kept.iter_rows(named=True):
        user, answer = row["messages"][0]["content"], row["messages"][1]["content"]
        assert row["text"] == user and frame.filter(pl.col("id") == row["id"])["text"][0] in user
        assert row["label"] in answer
    assert sum(stats[0].counters.values()) == 2


@pytest.mark.skipif(not (SHARED_DATA / "beep_train.tsv").exists(), reason="needs ../shared/data")
def test_the_shipped_mixed_task_file_builds_from_shared_data(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from curate.cli import _mount_subapps, app

    monkeypatch.setenv("CURATE_PII_KEY", "a test key of sixteen bytes or more")
    _mount_subapps()
    result = CliRunner().invoke(app, ["instruct", str(REPO / "pipelines/instruct/kit19_local.yaml"),
                                      "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    made = {task: t["examples"] for task, t in report["tasks"].items()}
    assert set(made) == {"nsmc_sentiment", "beep_hate", "wikinews_title"} and min(made.values()) > 500
    assert report["by_label"]["nsmc_sentiment"].keys() == {"긍정", "부정"}
    assert max(report["by_label"]["beep_hate"].values()) <= 1000
    assert report["tasks"]["nsmc_sentiment"]["left_out"]["label_not_mapped"] > 0  # ratings 5-8


def test_lengths_in_tokens_of_a_given_tokenizer(data):
    from tokenizers import Tokenizer, models, pre_tokenizers

    backend = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.save(str(data["dir"] / "tokenizer.json"))
    report = build(load_tasks(write_tasks(data["dir"])), data["dir"] / "out", str(data["dir"] / "tokenizer.json"))
    assert report["lengths"]["unit"] == "tokens"
    answer = report["lengths"]["answer"]["klue_nli"]
    assert 1 <= answer["min"] <= answer["p50"] <= answer["max"] <= 3  # 함의 / 정답: 함의 / 함의입니다.
