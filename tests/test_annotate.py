"""Issue 17, item 2: steps annotate instead of dropping; a `filter` step drops by a SQL condition;
annotate-then-filter keeps what the one-shot recipe keeps."""

from __future__ import annotations

import csv
import gzip
import json

import polars as pl
import pytest
from spine_util import SHARED_DATA, jsonl, output_bytes, read_outputs, run, write_recipe

from curate.config import RecipeError, load_recipe
from curate.runner import run_in_memory
from curate.steps.language_filter import LanguageFilter
from curate.steps.pii import Pii


def _corpus(tmp_path) -> list[str]:
    """Real news and reviews, some English, some copies: every filter has something to do."""
    with open(SHARED_DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        news = [row["내용"] for row in csv.DictReader(fh)][:80]
    with gzip.open(SHARED_DATA / "nsmc_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        reviews = [json.loads(next(fh))["text"] for _ in range(120)]
    english = [f"This is an English review number {i}, which the language filter drops." for i in range(10)]
    texts = news + reviews + english + news[:5]  # five exact copies
    records = [{"id": f"d{i}", "text": t, "source": "news" if i < 80 else "reviews"} for i, t in enumerate(texts)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    return ["in.jsonl"]


ONE_SHOT = [{"step": "dedup_exact"}, {"step": "dedup_fuzzy"},
            {"step": "language_filter", "min_hangul_ratio": 0.5},
            {"step": "quality_filter"},
            {"step": "toxicity", "thresholds": "benchmark", "add_columns": False}]
ANNOTATE = [{"step": "dedup_exact", "drop": False}, {"step": "dedup_fuzzy", "drop": False, "annotate": True},
            {"step": "language_filter", "min_hangul_ratio": 0.5, "drop": False, "annotate": True},
            {"step": "quality_filter", "drop": False},
            {"step": "toxicity", "thresholds": "benchmark", "drop": False}]
WHERE = ("dedup_exact_reason is null and dedup_fuzzy_reason is null and language_filter_reason is null "
         "and quality_filter_reason is null "
         "and toxicity_reason is null")


def test_annotate_then_filter_keeps_what_the_one_shot_recipe_keeps(tmp_path):
    inputs = _corpus(tmp_path)
    one_shot = run(write_recipe(tmp_path, inputs, ONE_SHOT, batch_size=70), output=str(tmp_path / "one"))
    annotated = run(write_recipe(tmp_path, inputs, ANNOTATE, batch_size=70), output=str(tmp_path / "annotated"))
    assert annotated["records_kept"] == 215 and annotated["records_dropped"] == 0
    flagged = {k: v for s in annotated["steps"] for k, v in s["counters"].items() if k.startswith("flagged_")}
    assert flagged["flagged_duplicate_document"] == 5 and flagged["flagged_not_korean"] >= 10
    out = read_outputs(tmp_path / "annotated")[0]
    assert {"hangul_ratio", "p_hate", "toxicity_reason", "source", "dedup_fuzzy_cluster"} <= set(out.columns)
    copies = out.filter(pl.col("dedup_fuzzy_reason").is_not_null())  # at least the five exact copies
    assert copies.height >= 5 and copies["dedup_fuzzy_cluster"].is_in(out["id"].implode()).all()
    assert out.filter(pl.col("text").str.starts_with("This is an English"))["hangul_ratio"].max() == 0.0
    # a second recipe reads the first one's output and only filters
    second = tmp_path / "second"
    second.mkdir()
    recipe = write_recipe(second, [str(tmp_path / "annotated" / "data" / "*.parquet")],
                          [{"step": "filter", "where": WHERE}])
    filtered = run(recipe)
    kept_once, kept_twice = read_outputs(tmp_path / "one")[0], read_outputs(second / "out")[0]
    assert filtered["records_kept"] == one_shot["records_kept"] < 215
    assert kept_twice.select("id", "text").equals(kept_once.select("id", "text"))
    assert kept_twice["source"].to_list() == kept_once["source"].to_list()  # the input's field, both ways



def test_annotations_and_kept_dropped_text_are_the_same_on_ray(tmp_path):
    """Cluster ids travel with the dedup state's parts; review text with the dropped lists."""
    junk = [{"id": f"j{i}", "text": f"같은 줄이 반복됩니다 {i}\n" * 6, "source": "junk"} for i in range(3)]
    (tmp_path / "junk.jsonl").write_bytes(jsonl(junk))
    inputs = [*_corpus(tmp_path), "junk.jsonl"]
    steps = [*ANNOTATE[:3], {"step": "quality_filter", "annotate": True, "keep_dropped_text": True},
             ANNOTATE[-1]]
    recipe = write_recipe(tmp_path, inputs, steps, batch_size=40)
    run(recipe, "local", 2, output=str(tmp_path / "local"))
    run(recipe, "ray", 2, output=str(tmp_path / "ray"))
    assert output_bytes(tmp_path / "local") == output_bytes(tmp_path / "ray")
    kept, dropped, _ = read_outputs(tmp_path / "ray")
    assert kept["dedup_fuzzy_cluster"].is_not_null().sum() >= 10 and "digit_ratio" in kept.columns
    by_quality = dropped.filter(pl.col("step") == "quality_filter")
    assert by_quality["id"].to_list() == ["j0", "j1", "j2"] and by_quality["text"].null_count() == 0

def test_filter_by_source_and_score(tmp_path):
    inputs = _corpus(tmp_path)
    steps = [{"step": "toxicity", "thresholds": "pretrain"},
             {"step": "filter", "where": "source = 'news' or p_hate < 0.2", "reason": "hateful_review"}]
    report = run(write_recipe(tmp_path, inputs, steps))
    kept, dropped, _ = read_outputs(tmp_path / "out")
    assert kept.filter(pl.col("source") == "reviews")["p_hate"].max() < 0.2
    assert kept.filter(pl.col("source") == "news").height == 80  # news stay, whatever their score
    assert kept.filter(pl.col("source") == "news")["p_hate"].max() > 0.2
    assert set(dropped["reason"]) == {"hateful_review"} and report["records_dropped"] == dropped.height > 0


def test_a_bad_condition_is_a_recipe_error_with_its_line(tmp_path):
    recipe = write_recipe(tmp_path, _corpus(tmp_path), [{"step": "noop"}, {"step": "filter", "where": "p_hate <"}])
    with pytest.raises(RecipeError, match=r"recipe.yaml:\d+: steps\[1\].where: .*not a SQL condition"):
        load_recipe(recipe)
    recipe = write_recipe(tmp_path, _corpus(tmp_path), [{"step": "noop"}, {"step": "filter", "where": "p_hat < 0.8"}])
    line = next(i for i, text in enumerate(recipe.read_text().splitlines(), 1) if "step: filter" in text)
    with pytest.raises(RecipeError, match=rf"recipe.yaml:{line}: steps\[1\]: where: no column 'p_hat'.*source"):
        run(recipe)


def test_two_steps_may_not_write_one_column(tmp_path):
    steps = [{"step": "language_filter", "drop": False}, {"step": "language_filter", "drop": False}]
    with pytest.raises(RecipeError, match=r"steps\[1\]: writes column 'language_filter_reason', as steps\[0\]"):
        load_recipe(write_recipe(tmp_path, _corpus(tmp_path), steps))


def test_pii_counts_by_type_per_document_never_values():
    df = pl.DataFrame({"id": ["a", "b", "c"],
                       "text": ["연락처 010-2345-6789, 메일 hong@example.com, 010-9876-5432",
                                "개인정보가 없는 문장입니다.", "서버 IP 192.168.10.24"]})
    kept, _, stats = run_in_memory([Pii(annotate=True, key_env="CURATE_TEST_NO_KEY")], df)
    assert kept["pii_phone"].to_list() == [2, 0, 0] and kept["pii_email"].to_list() == [1, 0, 0]
    assert kept["pii_ipv4"].to_list() == [0, 0, 1] and kept.schema["pii_phone"] == pl.UInt32
    assert "010-2345-6789" not in kept["text"][0]
    assert stats[0].counters == {"pii_email": 1, "pii_ipv4": 1, "pii_phone": 2}



def test_a_batch_without_pii_counts_zero_per_row_and_per_group():
    """Regression: with no PII in a batch every count column was a one-row literal, and the
    report's per-group sum failed to broadcast it against the batch."""
    df = pl.DataFrame({"id": ["a", "b"], "text": ["개인정보가 없는 문장입니다.", "이것도 없습니다."],
                       "_group": ["news", "web"]})
    out = Pii(annotate=True, key_env="CURATE_TEST_NO_KEY").process(df)
    assert out.df["pii_phone"].to_list() == [0, 0] and out.df.height == 2
    assert out.by_group == {"news": {}, "web": {}}


def test_quality_measures_are_written_and_agree_with_its_reasons():
    """quality_filter annotate: true writes the line-duplication, symbol and digit measures; the
    reasons are the same with or without them, and each measured reason is its measure over the limit."""
    with open(SHARED_DATA / "wikinews_ko.csv", encoding="utf-8") as fh:
        news = [row["내용"] for row in csv.DictReader(fh)][:60]
    planted = ["같은 줄이 반복됩니다\n" * 6 + "마지막 줄", "★ ☆ ♥ ♡ ◆ ◇ ■ □ " * 4 + "기호가 많은 글",
               "1 2 3 4 5 6 7 8 9 숫자"]  # the ratios count runs of symbols or digits
    df = pl.DataFrame({"id": [f"d{i}" for i in range(63)], "text": news + planted})
    from curate.steps.quality_filter import QualityFilter

    plain = QualityFilter(drop=False)
    measured = QualityFilter(drop=False, annotate=True)
    kept_plain, _, _ = run_in_memory([plain], df)
    kept, _, _ = run_in_memory([measured], df)
    assert kept["quality_filter_reason"].to_list() == kept_plain["quality_filter_reason"].to_list()
    assert {"dup_line_fraction", "dup_line_char_fraction", "symbol_ratio", "digit_ratio"} <= set(kept.columns)
    assert not any(c.startswith("_dup") or c.startswith("_repetitive") for c in kept_plain.columns)
    reasons = kept["quality_filter_reason"].to_list()
    assert reasons[60:] == ["repetitive_lines", "symbol_ratio", "digit_ratio"]
    for column, limit, reason in (("symbol_ratio", measured.max_symbol_ratio, "symbol_ratio"),
                                  ("digit_ratio", measured.max_digit_ratio, "digit_ratio")):
        over = kept.filter(pl.col(column) > limit)
        assert over.height >= 1 and over["quality_filter_reason"].null_count() == 0
        assert (kept.filter(pl.col("quality_filter_reason") == reason)[column] > limit).all()
    assert kept["dup_line_fraction"][60] == pytest.approx(5 / 7)

def test_language_share_is_written_only_when_asked():
    df = pl.DataFrame({"id": ["a", "b"], "text": ["한국어 문장입니다", "mostly English 한"]})
    plain, _, _ = run_in_memory([LanguageFilter(min_hangul_ratio=0.0)], df)
    assert "hangul_ratio" not in plain.columns and "_hangul_ratio" not in plain.columns
    kept, _, _ = run_in_memory([LanguageFilter(min_hangul_ratio=0.0, annotate=True)], df)
    assert kept["hangul_ratio"].to_list() == [1.0, pytest.approx(1 / 14)]  # 1 Hangul letter of 14


def test_the_report_counts_by_source(tmp_path):
    """Issue 17, item 3: kept, dropped by reason, bytes and PII by type for each source."""
    records = [{"id": f"n{i}", "text": f"{i}번째 기사입니다. 문의는 010-2345-{6000 + i} 으로 연락 바랍니다.",
                "source": "news"} for i in range(30)]
    records += [{"id": f"c{i}", "text": "English comment only" if i % 3 == 0 else f"댓글 {i}번째 남깁니다 좋아요",
                 "source": "comments"} for i in range(40)]
    records += [{"id": "x", "text": "출처가 없는 문서입니다. 궁금한 점은 담당자에게 메일 hong@example.com 로 "
                                    "보내 주시기 바랍니다"}]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records) + b"{broken\n")
    steps = [{"step": "pii"}, {"step": "language_filter", "min_hangul_ratio": 0.5}, {"step": "dedup_exact"}]
    report = run(write_recipe(tmp_path, ["in.jsonl"], steps, batch_size=25, report={"group_by": "source"}))
    groups = report["by_group"]["values"]
    assert report["by_group"]["field"] == "source" and list(groups) == ["comments", "news", "(missing)"]
    news, comments, missing = groups["news"], groups["comments"], groups["(missing)"]
    assert news["records_in"] == 30 and news["kept"] == 30 and news["counters"] == {"pii_phone": 30}
    assert comments["dropped"] == {"language_filter: not_korean": 14} and comments["kept"] == 26
    assert missing == {**missing, "records_in": 1, "kept": 1, "counters": {"pii_email": 1}}
    assert sum(g["records_in"] for g in groups.values()) == report["records_in"] - report["records_quarantined"]
    assert sum(g["kept"] for g in groups.values()) == report["records_kept"]
    assert news["bytes_out"] > 0 and comments["bytes_in"] > comments["bytes_out"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "By source (3 values)" in html and "language_filter: not_korean 14" in html
    assert "_group" not in read_outputs(tmp_path / "out")[0].columns


def test_many_sources_are_capped_with_the_rest_as_other(tmp_path):
    records = [{"id": str(i), "text": f"문서 {i}번입니다", "site": f"site{i % 7}"} for i in range(70)]
    (tmp_path / "in.jsonl").write_bytes(jsonl(records))
    report = run(write_recipe(tmp_path, ["in.jsonl"], [{"step": "noop"}],
                              report={"group_by": "site", "max_groups": 3}))
    values = report["by_group"]["values"]
    assert list(values) == ["site0", "site1", "site2", "(other)"] and values["(other)"]["records_in"] == 40
