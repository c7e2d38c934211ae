"""Issue 21: the CLI summary printed "(0.0 MB/s)" for the bundled sample corpus."""

from __future__ import annotations

import re

from spine_util import jsonl, write_recipe
from typer.testing import CliRunner

from curate.cli import app


def test_a_small_run_reports_a_speed_that_is_not_zero(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(jsonl([{"id": str(i), "text": "작은 말뭉치의 문장입니다."} for i in range(50)]))
    recipe = write_recipe(tmp_path, ["in.jsonl"], [{"step": "normalize"}], workers=1)
    result = CliRunner().invoke(app, ["run", str(recipe), "--quiet"])
    assert result.exit_code == 0, result.output
    speed = re.search(r"\(([0-9.e+-]+) MB/s\)", result.output)
    assert speed is not None and float(speed.group(1)) > 0, result.output


def test_progress_counts_shards_partitions_and_groups_by_name(tmp_path):
    """Issue 21: every bar said "shards", the reduce and route phases of a global step too."""
    from curate.cli import progress_unit

    assert progress_unit("stage 0: normalize … quality_filter (9 steps)") == "shards"
    assert progress_unit("dedup_documents: shuffle r0 map") == "shards"
    assert progress_unit("dedup_documents: shuffle r0 reduce") == "partitions"
    assert progress_unit("dedup_documents: shuffle r0 route") == "groups"
    assert progress_unit("dedup_fuzzy: shuffle r1 finish") == "task"
    # a count from inside a task names its own unit, last (curate/progress.py)
    assert progress_unit("train_tokenizer r0 reduce ↳ Kiwi, distinct words") == "words"
    assert progress_unit("train_tokenizer r0 finish ↳ bpe training, task") == "task"
    (tmp_path / "in.jsonl").write_bytes(jsonl([{"id": str(i), "text": f"문장 {i % 7}번입니다."} for i in range(50)]))
    recipe = write_recipe(tmp_path, ["in.jsonl"], [{"step": "dedup_exact"}], workers=1)
    result = CliRunner().invoke(app, ["run", str(recipe)])
    assert result.exit_code == 0, result.output
    assert re.search(r"shuffle r0 reduce .*partitions", result.output), result.output
    assert re.search(r"stage 0: .* shards", result.output), result.output


def test_a_long_bar_description_is_cut_in_the_middle_to_leave_the_counts_whole():
    """At 80 columns the counts and times were cut ("1…", "0:0…") by stage and phase names."""
    from curate.cli import _fit

    description = "train_tokenizer r0 reduce ↳ Kiwi, distinct words"
    assert _fit(description, 60) == description
    cut = _fit(description, 28)
    assert len(cut) == 28 and cut.startswith("train_t") and cut.endswith("Kiwi, distinct words")
