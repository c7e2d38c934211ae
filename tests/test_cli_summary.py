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
