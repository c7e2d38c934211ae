"""decontaminate by benchmark adapter: every shipped adapter on a synthetic file of its layout,
the Hugging Face on-disk layouts, short items, the answer nearby, report-only mode, the report
table, and bad input. No benchmark data is shipped: every file here is written by the test,
from random Hangul words (a fixed seed), so no two items share a long n-gram by chance."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path

import datasets
import polars as pl
import pytest
from spine_util import jsonl, run, write_recipe

from curate.config import RecipeError, load_recipe
from curate.decontam.adapters import adapter_names, layout_of
from curate.decontam.readers import BenchmarkError
from curate.runner import run_in_memory
from curate.steps import get_step_class
from curate.steps.base import RunContext

RNG = random.Random(19)
LAYOUTS = ("parquet", "jsonl", "csv", "arrow")


def words(n: int = 8) -> str:
    """A random Korean-looking sentence (random syllables): unique among the test's texts."""
    return " ".join("".join(chr(0xAC00 + RNG.randrange(11172)) for _ in range(RNG.randint(2, 4)))
                    for _ in range(n)) + "."


def synthetic_rows(adapter: str, n: int = 3) -> list[dict]:
    """``n`` items with every field the adapter reads; answers point at a real choice."""
    layout = layout_of(adapter, {})
    rows = []
    for k in range(n):
        row: dict = {}
        for f in dict.fromkeys([*layout.texts, *([layout.question] if layout.question else [])]):
            row[f.split(".")[0]] = words()
        if layout.id:
            row[layout.id] = f"{adapter}-{k}"
        answer = layout.answer
        if answer is not None:
            if answer.choices:
                for c in answer.choices:
                    row[c] = words(3)
                row[answer.field] = 1 + answer.base  # the second choice
            elif answer.pattern:
                row[answer.field] = f"{words(5)} #### {40 + k}"
            elif "." in answer.field:
                head, sub = answer.field.split(".")
                row[head] = {sub: [words(2)], "answer_start": [0]}
            else:
                row[answer.field] = words(2)
        rows.append(row)
    return rows


def gold(adapter: str, row: dict) -> str:
    answer = layout_of(adapter, {}).answer
    assert answer is not None
    if answer.choices:
        return row[answer.choices[row[answer.field] - answer.base]]
    if answer.pattern:
        return row[answer.field].split("####")[1].strip()
    if "." in answer.field:
        head, sub = answer.field.split(".")
        return row[head][sub][0]
    return row[answer.field]


def write_layout(rows: list[dict], layout: str, folder: Path, split: str = "test") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if layout == "arrow":  # save_to_disk of a DatasetDict: one directory a split
        path = folder / "saved"
        datasets.DatasetDict({split: datasets.Dataset.from_list(rows)}).save_to_disk(str(path))
        return path
    frame = pl.DataFrame(rows)
    if layout == "parquet":
        path = folder / f"{split}-00000-of-00001.parquet"
        frame.write_parquet(path)
    elif layout == "jsonl":
        path = folder / f"{split}.jsonl"
        path.write_bytes(jsonl(rows))
    else:
        nested = [c for c in frame.columns if isinstance(frame[c].dtype, pl.Struct | pl.List)]
        assert not nested, "CSV holds no nested field"
        path = folder / f"{split}.csv"
        frame.write_csv(path)
    return path


def make_step(benchmarks: list[dict], **params):
    step = get_step_class("decontaminate")(benchmarks=benchmarks, **params)
    step.setup(RunContext())
    return step


def spaced(text: str) -> str:
    """The text with its spacing and final punctuation changed: the same item after normalization."""
    return text.replace(" ", "").rstrip(".") + "!!"


def test_every_shipped_adapter_is_tested_here():
    names = set(adapter_names())
    assert {"klue_ynat", "klue_sts", "klue_nli", "klue_mrc", "kobest_boolq", "kobest_copa", "kobest_wic",
            "kobest_hellaswag", "kobest_sentineg", "kmmlu", "haerae", "click", "kornat_common", "ko_gsm8k",
            "ko_winogrande", "ko_gpqa", "ko_eqbench", "ko_ifeval"} <= names


@pytest.mark.parametrize("adapter", adapter_names())
def test_each_adapter_finds_its_items_in_a_file_of_its_layout(adapter, tmp_path):
    rows = synthetic_rows(adapter)
    nested = any(isinstance(v, dict) for v in rows[0].values())
    layout = LAYOUTS[adapter_names().index(adapter) % len(LAYOUTS)]
    if layout == "csv" and nested:
        layout = "jsonl"
    path = write_layout(rows, layout, tmp_path)
    spec = layout_of(adapter, {})
    first_text = spec.texts[0].split(".")[0]
    corpus = pl.DataFrame({"id": ["hit", "clean"], "text": [
        f"{words(4)}\n{spaced(rows[1][first_text])}\n{words(4)}", f"{words(6)}\n{words(6)}"]})
    step = make_step([{"adapter": adapter, "path": str(path)}], report_only=True)
    out = step.process(corpus)
    table = out.table
    assert table is not None
    found = table.filter(pl.col("field") == spec.texts[0])
    assert found["doc_id"].to_list() == ["hit"]
    assert found["benchmark"].to_list() == [adapter] and found["split"].to_list() == ["test"]
    assert found["item_id"].to_list() == [f"{adapter}-1" if spec.id else "1"]
    assert out.df.equals(corpus)  # report_only changes nothing
    assert out.counters == {f"found_{adapter}": 1}


@pytest.mark.parametrize("adapter", [a for a in adapter_names() if layout_of(a, {}).answer is not None])
def test_the_question_with_its_gold_answer_nearby(adapter, tmp_path):
    rows = synthetic_rows(adapter)
    path = write_layout(rows, "jsonl", tmp_path)
    question = layout_of(adapter, {}).question
    assert question is not None
    with_answer = f"{rows[0][question]} 보기는 다음과 같다. 정답: {gold(adapter, rows[0])}"
    without = f"{rows[2][question]} 정답은 알려지지 않았다."
    corpus = pl.DataFrame({"id": ["qa", "q"], "text": [with_answer, without]})
    table = make_step([{"adapter": adapter, "path": str(path)}], unit="document").process(corpus).table
    assert table is not None
    kinds = {(r["doc_id"], r["field"]): r["match"] for r in table.iter_rows(named=True)}
    assert kinds[("qa", question)] == "with_answer"
    assert kinds[("q", question)] == "overlap"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_kmmlu_in_every_layout_with_its_split(layout, tmp_path):
    rows = synthetic_rows("kmmlu", 4)
    path = write_layout(rows, layout, tmp_path, split="validation")
    step = make_step([{"adapter": "kmmlu", "path": str(path)}])
    corpus = pl.DataFrame({"id": ["d"], "text": [f"{words()}\n{rows[3]['question']}"]})
    out = step.process(corpus)
    assert out.table is not None and out.table.select("split", "item_id").rows() == [("validation", "3")]
    assert out.df["text"][0].count("\n") == 0  # the item's line is removed, the other kept


def test_a_save_to_disk_dataset_directory_and_a_declared_benchmark(tmp_path):
    """A Dataset (not a dict) saved to disk, read by a benchmark the recipe declares itself."""
    rows = [{"qid": f"q{k}", "body": words(), "gold": words(2)} for k in range(3)]
    datasets.Dataset.from_list(rows, split=datasets.Split.TEST).save_to_disk(str(tmp_path / "mine"))
    step = make_step([{"name": "my_bench", "path": str(tmp_path / "mine"), "texts": ["body"],
                       "question": "body", "answer": {"field": "gold"}, "id": "qid"}])
    corpus = pl.DataFrame({"id": ["a"], "text": [f"{rows[2]['body']} 답: {rows[2]['gold']}"]})
    table = step.process(corpus).table
    assert table is not None
    assert table.select("benchmark", "split", "item_id", "match").rows() == [("my_bench", "test", "q2", "with_answer")]


def test_short_items_are_matched_whole_not_skipped(tmp_path):
    items = [{"guid": "s0", "title": "짧은 제목"}, {"guid": "s1", "title": "가나다라 마바사"},
             {"guid": "s2", "title": "가나"}, {"guid": "long", "title": words()}]
    path = tmp_path / "ynat.jsonl"
    path.write_bytes(jsonl(items))
    corpus = pl.DataFrame({"id": ["whole", "inside", "tiny"],
                           "text": ["짧은, 제목!", "오늘 본 짧은 제목 하나가 눈에 띄었다", "가나"]})
    step = make_step([{"adapter": "klue_ynat", "path": str(path)}])
    out = step.process(corpus)
    assert out.table is not None
    assert out.table.select("item_id", "match", "doc_id").rows() == [("s0", "whole", "whole")]
    assert out.df["text"].to_list() == ["", "오늘 본 짧은 제목 하나가 눈에 띄었다", "가나"]
    # a field under min_item_chars is too short to tell a copy from chance; the count says so
    assert step._index is not None and step._index.info["klue_ynat"]["all"]["too_short"] == 1
    # in document mode short items are compared with each line of a document
    doc = pl.DataFrame({"id": ["d"], "text": [f"{words()}\n짧은 제목"]})
    table = make_step([{"adapter": "klue_ynat", "path": str(path)}], unit="document").process(doc).table
    assert table is not None and table.select("item_id", "match").rows() == [("s0", "whole")]


def test_report_only_removes_nothing_and_writes_no_column(tmp_path):
    rows = synthetic_rows("klue_sts", 2)
    path = write_layout(rows, "parquet", tmp_path)
    corpus = pl.DataFrame({"id": ["a", "b"], "text": [rows[0]["sentence2"], words()]})
    step = get_step_class("decontaminate")(benchmarks=[{"adapter": "klue_sts", "path": str(path)}], report_only=True)
    step.setup(RunContext())
    kept, dead, stats = run_in_memory([step], corpus)
    assert dead.is_empty() and kept.select("id", "text").equals(corpus)
    assert "decontaminate_reason" not in kept.columns and not step.shortens_text()
    assert stats[0].counters == {"found_klue_sts": 1}
    assert stats[0].table is not None and stats[0].table["field"].to_list() == ["sentence2"]


def test_a_file_without_a_field_names_the_file_and_the_field(tmp_path):
    path = tmp_path / "kmmlu_test.csv"
    pl.DataFrame({"question": [words()], "A": ["1"], "B": ["2"], "C": ["3"], "answer": [1]}).write_csv(path)
    with pytest.raises(ValueError) as info:
        get_step_class("decontaminate")(benchmarks=[{"adapter": "kmmlu", "path": str(path)}])
    assert f"{path}: benchmark kmmlu: no field 'D'" in str(info.value)


def test_a_nested_field_that_is_not_there_names_file_and_field(tmp_path):
    path = tmp_path / "mrc.jsonl"
    path.write_bytes(jsonl([{"guid": "m0", "context": words(), "question": words(), "answers": {"start": [1]}}]))
    step = get_step_class("decontaminate")(benchmarks=[{"adapter": "klue_mrc", "path": str(path)}])
    with pytest.raises(BenchmarkError, match=f"{path}: benchmark klue_mrc: field 'answers.text'"):
        step.setup(RunContext())


def test_an_empty_benchmark_is_an_error_naming_its_file(tmp_path):
    path = tmp_path / "test.jsonl"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}: benchmark ko_ifeval has no items"):
        get_step_class("decontaminate")(benchmarks=[{"adapter": "ko_ifeval", "path": str(path)}])
    empty = tmp_path / "sts" / "test.parquet"
    empty.parent.mkdir()
    pl.DataFrame(schema={"guid": pl.Utf8, "sentence1": pl.Utf8, "sentence2": pl.Utf8}).write_parquet(empty)
    with pytest.raises(ValueError, match=f"{empty}: benchmark klue_sts has no items"):
        get_step_class("decontaminate")(benchmarks=[{"adapter": "klue_sts", "path": str(empty.parent)}])


def test_recipe_errors_name_file_line_and_key(tmp_path):
    (tmp_path / "kmmlu.jsonl").write_bytes(jsonl([{"question": words(), "answer": 1}]))
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(textwrap.dedent("""
        input: a.jsonl
        output: out
        steps:
          - step: decontaminate
            benchmarks:
              - {adapter: kmmlu, path: kmmlu.jsonl, answer: {field: answer}}
              - adapter: kmmlu2
                path: kmmlu.jsonl
        """).lstrip(), encoding="utf-8")
    with pytest.raises(RecipeError) as info:
        load_recipe(recipe)
    message = str(info.value)
    assert message.startswith(f"{recipe}:7: steps[0].benchmarks[1]: unknown benchmark adapter 'kmmlu2'")
    assert "known adapters: click," in message


def test_a_run_with_several_benchmarks_writes_the_report(tmp_path):
    """`curate run` with benchmarks by adapter: OUTPUT/reports/decontamination.parquet, a table per
    benchmark in report.html, the index built once and mapped by the workers, no benchmark text
    in the report."""
    kmmlu, copa = synthetic_rows("kmmlu", 5), synthetic_rows("kobest_copa", 4)
    kmmlu_path = write_layout(kmmlu, "csv", tmp_path / "kmmlu")
    copa_path = write_layout(copa, "arrow", tmp_path / "copa")
    records = [{"id": f"d{i}", "text": f"{words()}\n{words()}", "site": "blog" if i % 2 else "news"}
               for i in range(40)]
    records[3]["text"] += "\n" + kmmlu[0]["question"] + " 정답: " + gold("kmmlu", kmmlu[0])
    records[8]["text"] += "\n" + spaced(copa[2]["premise"])
    records[9]["text"] += "\n" + kmmlu[4]["question"]
    (tmp_path / "corpus.jsonl").write_bytes(jsonl(records))
    steps = [{"step": "decontaminate", "source_field": "site",
              "benchmarks": [{"adapter": "kmmlu", "path": str(kmmlu_path)},
                             {"adapter": "kobest_copa", "path": str(copa_path)}]}]
    report = run(write_recipe(tmp_path, ["corpus.jsonl"], steps, batch_size=10), "local", 2)
    out = tmp_path / "out"
    table = pl.read_parquet(out / "reports" / "decontamination.parquet")
    assert table.sort("doc_id").select("benchmark", "item_id", "match", "doc_id", "source").rows() == [
        ("kmmlu", "0", "with_answer", "d3", "blog"), ("kobest_copa", "2", "overlap", "d8", "news"),
        ("kmmlu", "4", "overlap", "d9", "blog")]
    summary = {b["benchmark"]: b for b in report["step_tables"]["decontaminate"]["benchmarks"]}
    assert summary["kmmlu"]["items"] == 5 and summary["kmmlu"]["contaminated"] == 2
    assert summary["kmmlu"]["by_match"] == {"with_answer": 1, "overlap": 1}
    assert summary["kmmlu"]["top_sources"] == [["blog", 2]]
    assert summary["kobest_copa"]["share"] == 0.25
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Benchmark contamination" in html and "<h3>kobest_copa</h3>" in html
    assert (out / "_state" / "shared" / "decontaminate" / "gram_hash.npy").exists()
    written = html + json.dumps(report, ensure_ascii=False)
    assert not any(row["question"] in written for row in kmmlu) and copa[2]["premise"] not in written
    assert report["records_kept"] == 40  # three lines removed, no document emptied
    # A rerun resumes; after the benchmark file changed it is refused (shards done earlier were
    # checked against the old items).
    recipe = write_recipe(tmp_path, ["corpus.jsonl"], steps, batch_size=10)
    assert run(recipe, "local", 2)["records_kept"] == 40
    with open(kmmlu_path, "a", encoding="utf-8") as fh:
        fh.write(",".join(['"새 문항"'] * len(pl.read_csv(kmmlu_path, n_rows=1).columns)) + "\n")
    with pytest.raises(RecipeError, match="holds a run of a different recipe or input"):
        run(recipe, "local", 2)
