"""Issue 17: every input field survives, with its type, nested ones included; provenance columns;
name clashes and schema drift between files."""

from __future__ import annotations

import csv
import datetime
import gzip
import json
from functools import cache

import polars as pl
import pytest
import yaml
from spine_util import REPO, SHARED_DATA, jsonl, output_bytes, read_outputs, run, write_recipe

from curate.config import RecipeError, load_recipe
from curate.io.errors import InputError

TEXTS = ["서울 시청 앞 광장에서 오늘 오후 시민 축제가 열렸다. 많은 시민이 모여 공연을 즐겼다.",
         "부산 해운대 해수욕장에 올여름 최다 인파가 몰렸다고 시는 밝혔다. 안전요원도 늘렸다.",
         "이 영화는 배우들의 연기가 훌륭하고 이야기도 탄탄해서 두 번이나 봤습니다.",
         "도서관 신간 코너에 한국 현대사를 다룬 책들이 새로 들어왔다. 대출 문의가 많다."]


@cache
def _real_texts() -> tuple[list[str], list[str]]:
    """(Wikinews articles, NSMC reviews) from ../shared/data: real text that the recipe keeps."""
    with open(SHARED_DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        news = [row["내용"] for row in csv.DictReader(fh)][:120]
    with gzip.open(SHARED_DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        reviews = [json.loads(next(fh))["text"] for _ in range(400)]
    return news, [r for r in reviews if len(r) > 40][:90]


def _news(i: int) -> dict:
    return {"id": f"n{i}", "text": _real_texts()[0][i], "url": f"https://news.example/{i}",
            "meta": {"date": f"2024-01-{1 + i % 28:02d}", "tags": ["사회", f"t{i % 3}"], "page": i % 5},
            "score": i % 7}


def _comment(i: int) -> dict:
    # drift: no url and no meta, a float score, a field the news lack
    return {"id": f"c{i}", "text": _real_texts()[1][i], "score": i / 4, "likes": [i, i + 1]}


def _corpus(tmp_path) -> list[str]:
    (tmp_path / "news.jsonl").write_bytes(jsonl([_news(i) for i in range(120)]))
    (tmp_path / "comments.jsonl").write_bytes(jsonl([_comment(i) for i in range(90)]))
    return ["news.jsonl", "comments.jsonl"]


def _pretrain_steps() -> list[dict]:
    """The shipped pretrain recipe's steps, its evaluation sets resolved, a small vocabulary."""
    steps = yaml.safe_load((REPO / "pipelines" / "pretrain.yaml").read_text(encoding="utf-8"))["steps"]
    for step in steps:
        for eval_set in step.get("eval_sets", []):
            eval_set["path"] = str(REPO / "pipelines" / eval_set["path"])
        if step["step"] == "train_tokenizer":
            step.update(vocab_size=400, min_frequency=1)
    return steps


def test_every_field_survives_the_pretrain_recipe_with_its_type(tmp_path):
    recipe = write_recipe(tmp_path, _corpus(tmp_path), _pretrain_steps(), batch_size=50)
    report = run(recipe, "local", 2)
    kept, _, _ = read_outputs(tmp_path / "out")
    assert kept.columns == ["id", "text", "score", "likes", "url", "meta"]  # first seen in input order
    assert kept.schema["meta"] == pl.Struct({"date": pl.Utf8, "tags": pl.List(pl.Utf8), "page": pl.Int64})
    assert kept.schema["score"] == pl.Float64 and kept.schema["likes"] == pl.List(pl.Int64)
    given = {r["id"]: r for r in [*map(_news, range(120)), *map(_comment, range(90))]}
    assert all(kept.filter(pl.col("id").str.starts_with(p)).height for p in ("n", "c"))
    for row in kept.iter_rows(named=True):  # each kept record carries its own input fields, values intact
        record = given[row["id"]]
        assert {k: row[k] for k in ("url", "meta", "likes")} == {k: record.get(k) for k in ("url", "meta", "likes")}
        assert row["score"] == float(record["score"])
    # every part has the one schema: readers see one table
    parts = sorted((tmp_path / "out" / "data").glob("*.parquet"))
    assert len({str(pl.read_parquet_schema(p)) for p in parts}) == 1 and len(parts) == 5
    assert pl.scan_parquet(tmp_path / "out" / "data" / "*.parquet").collect().height == kept.height
    drift = report["output_schema"]["drift"]
    assert drift["score"]["types"] == {"Float64": 2, "Int64": 3} and drift["score"]["unified"] == "Float64"
    assert drift["url"]["missing_in_parts"] == 2 and "url" in drift


@pytest.mark.ray
def test_ray_keeps_every_field_byte_for_byte_and_a_resume_too(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "metadata-test-key")  # the same fakes in every run
    recipe = write_recipe(tmp_path, _corpus(tmp_path), _pretrain_steps(), batch_size=50)
    run(recipe, "local", 2, output=str(tmp_path / "local"))
    run(recipe, "ray", 2, output=str(tmp_path / "ray"))
    assert output_bytes(tmp_path / "local") == output_bytes(tmp_path / "ray")
    # resume: two shards' last stage undone (their parts and markers gone), then the run again
    out = tmp_path / "local"
    last = max(int(p.name.split("-")[1]) for p in (out / "_state" / "done").iterdir())
    for index in (1, 3):
        (out / "_state" / "done" / f"stage-{last}" / f"part-{index:05d}.json").unlink()
        (out / "data" / f"part-{index:05d}.parquet").unlink()
    run(recipe, "local", 1, output=str(out))
    assert output_bytes(out) == output_bytes(tmp_path / "ray")


def test_jsonl_output_keeps_fields_as_written_and_a_renamed_text(tmp_path):
    records = [{"doc_id": 1, "content": TEXTS[0], "meta": {"src": "a"}},
               {"doc_id": 2, "content": TEXTS[1], "meta": {"src": "b"}, "extra": True}]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    recipe = write_recipe(tmp_path, [], [{"step": "normalize"}],
                          input={"paths": ["in.jsonl"], "text_field": "content", "id_field": "doc_id"},
                          output={"path": str(tmp_path / "out"), "format": "jsonl"})
    run(recipe)
    lines = [json.loads(line) for line in (tmp_path / "out" / "data" / "part-00000.jsonl").read_text().splitlines()]
    assert lines[0] == {"doc_id": "1", "content": TEXTS[0], "meta": {"src": "a"}, "extra": None}
    assert lines[1]["extra"] is True
    # the recipe may give the text column another name in the output
    recipe = write_recipe(tmp_path, [], [{"step": "normalize"}],
                          input={"paths": ["in.jsonl"], "text_field": "content", "id_field": "doc_id"},
                          output={"path": str(tmp_path / "out2"), "text_field": "text"})
    run(recipe)
    assert read_outputs(tmp_path / "out2")[0].columns == ["doc_id", "text", "meta", "extra"]


def test_parquet_input_keeps_nested_columns_and_input_fields_chooses(tmp_path):
    pl.DataFrame({"id": ["a", "b"], "text": TEXTS[:2], "meta": [{"k": 1, "v": ["x"]}, {"k": 2, "v": []}],
                  "date": [datetime.date(2024, 1, 2), None], "drop_me": [1.5, 2.5]},
                 ).write_parquet(tmp_path / "in.parquet")
    run(write_recipe(tmp_path, ["in.parquet"], [{"step": "noop"}]))
    kept, _, _ = read_outputs(tmp_path / "out")
    assert kept.columns == ["id", "text", "meta", "date", "drop_me"] and kept.schema["date"] == pl.Date
    assert kept["meta"].to_list() == [{"k": 1, "v": ["x"]}, {"k": 2, "v": []}]
    recipe = write_recipe(tmp_path, [], [{"step": "noop"}], input={"paths": ["in.parquet"], "fields": ["meta"]})
    run(recipe, output=str(tmp_path / "only_meta"))
    assert read_outputs(tmp_path / "only_meta")[0].columns == ["id", "text", "meta"]


def test_provenance_columns_per_input(tmp_path):
    inputs = _corpus(tmp_path)
    (tmp_path / "plain.txt").write_text(f"{TEXTS[3]}\n", encoding="utf-8")
    paths = [{"path": "news.jsonl", "add": {"source": "wikinews", "license": "CC BY 2.5"}},
             {"path": "comments.jsonl", "add": {"source": "comments", "license": "CC BY-SA 4.0"}},
             "plain.txt"]
    assert inputs == ["news.jsonl", "comments.jsonl"]
    recipe = write_recipe(tmp_path, [], [{"step": "noop"}], input={"paths": paths}, batch_size=1000)
    run(recipe)
    kept, _, _ = read_outputs(tmp_path / "out")
    counts = {(source, licence): n for source, licence, n in kept.group_by("source", "license").len().iter_rows()}
    news, comments = (kept.filter(pl.col("id").str.starts_with(p)).height for p in ("n", "c"))
    assert counts == {("wikinews", "CC BY 2.5"): news, ("comments", "CC BY-SA 4.0"): comments, (None, None): 1}
    assert kept.filter(pl.col("source") == "wikinews")["url"].null_count() == 0


def test_an_input_field_named_like_curates_own_column_is_an_error_naming_file_and_line(tmp_path):
    records = [{"id": "a", "text": TEXTS[0]}, {"id": "b", "text": TEXTS[1], "_row": 5}]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    with pytest.raises(InputError, match=r"in.jsonl:2: input field '_row' has the name of curate's bookkeeping"):
        run(write_recipe(tmp_path, ["in.jsonl"], [{"step": "noop"}]))
    # a field named like a column a step writes (toxicity's scores)
    (tmp_path / "in.jsonl").write_bytes(jsonl([{"id": "a", "text": TEXTS[0], "p_hate": 0.1}]))
    with pytest.raises(InputError, match=r"'p_hate' has the name of a column the recipe's steps write"):
        run(write_recipe(tmp_path, ["in.jsonl"], [{"step": "toxicity", "thresholds": "pretrain"}]),
            output=str(tmp_path / "out2"))
    # leaving it out makes the run go
    recipe = write_recipe(tmp_path, [], [{"step": "toxicity", "thresholds": "pretrain"}],
                          input={"paths": ["in.jsonl"], "fields": []})
    run(recipe, output=str(tmp_path / "out3"))
    assert "p_hate" in read_outputs(tmp_path / "out3")[0].columns


def test_a_provenance_column_with_curates_name_is_a_recipe_error(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(jsonl([{"text": TEXTS[0]}]))
    recipe = write_recipe(tmp_path, [], [{"step": "noop"}],
                          input={"paths": [{"path": "in.jsonl", "add": {"_src": "x"}}]})
    with pytest.raises(RecipeError, match=r"recipe.yaml:\d+: input.paths\[0\].*add.*'_src' is curate's own"):
        load_recipe(recipe)


def test_a_field_whose_type_clashes_inside_one_file_is_kept_as_text(tmp_path):
    """A struct on one line and a string on another (no common type): JSON text, nothing lost."""
    lines = [{"id": "a", "text": TEXTS[0], "meta": {"k": 1}}, {"id": "b", "text": TEXTS[1], "meta": "plain"},
             {"id": "c", "text": TEXTS[2], "meta": 3}]
    (tmp_path / "in.jsonl").write_bytes(jsonl(lines) + b'{"id": "d", "text": "\\ud800 lone", "meta": {"k": 2}}\n')
    run(write_recipe(tmp_path, ["in.jsonl"], [{"step": "noop"}]))
    kept, _, _ = read_outputs(tmp_path / "out")
    assert kept.schema["meta"] == pl.Utf8
    assert [json.loads(v) if v.startswith("{") else v for v in kept["meta"].to_list()][:3] == [{"k": 1}, "plain", "3"]



def test_a_struct_in_one_file_and_a_string_in_another_become_json_text_and_are_reported(tmp_path):
    """Schema clash between two files: each part is read with its own type, the output unifies
    them as JSON text (no common type), and the report names the column."""
    (tmp_path / "a.jsonl").write_bytes(jsonl([{"id": "a", "text": TEXTS[0], "meta": {"k": 1, "tags": ["x"]}}]))
    (tmp_path / "b.jsonl").write_bytes(jsonl([{"id": "b", "text": TEXTS[1], "meta": "plain note"}]))
    report = run(write_recipe(tmp_path, ["a.jsonl", "b.jsonl"], [{"step": "noop"}], batch_size=1))
    kept, _, _ = read_outputs(tmp_path / "out")
    assert kept.schema["meta"] == pl.Utf8 and kept["id"].to_list() == ["a", "b"]
    assert json.loads(kept["meta"][0]) == {"k": 1, "tags": ["x"]} and kept["meta"][1] == "plain note"
    assert report["output_schema"]["drift"]["meta"]["unified"] == "String"

def test_the_output_is_a_dataset_card_that_datasets_and_polars_read(tmp_path, monkeypatch):
    """Issue 17, item 4: OUTPUT/README.md in the Hugging Face format; datasets loads the output
    with its metadata, by data_dir and by the card's own configs."""
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    _corpus(tmp_path)
    paths = [{"path": "news.jsonl", "add": {"source": "wikinews", "license": "CC BY 2.5"}},
             {"path": "comments.jsonl", "add": {"source": "nsmc", "license": "CC0 1.0"}}]
    steps = [{"step": "normalize"}, {"step": "pii"}, {"step": "language_filter"}]
    recipe = write_recipe(tmp_path, [], steps, input={"paths": paths}, batch_size=100, report={"group_by": "source"})
    report = run(recipe)
    out = tmp_path / "out"
    card = (out / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---")[1])
    assert header["configs"][0]["data_files"][0]["path"] == "data/*.parquet"
    assert header["language"] == ["ko"] and header["size_categories"] == ["n<1K"] and header["license"] == "other"
    assert "| news.jsonl | wikinews | CC BY 2.5 |" in card and "| comments.jsonl | nsmc | CC0 1.0 |" in card
    assert f"| {report['records_in']:,} | {report['records_kept']:,} |" in card
    assert "PII pseudonymized" in card and "```yaml" in card and "- `meta`: Struct" in card
    kept = read_outputs(out)[0]
    loaded = datasets.load_dataset("parquet", data_dir=str(out / "data"), split="train",
                                   cache_dir=str(tmp_path / "cache"))
    assert loaded.num_rows == kept.height and set(loaded.column_names) == set(kept.columns)
    assert loaded.features["meta"]["tags"] is not None and {r["source"] for r in loaded} == {"wikinews", "nsmc"}
    by_card = datasets.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "cache2"))
    assert by_card.num_rows == kept.height
    scanned = pl.scan_parquet(out / "data" / "*.parquet").select("id", "meta", "license").collect()
    assert scanned.height == kept.height and scanned["license"].null_count() == 0
