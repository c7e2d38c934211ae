"""Issue 21: `curate steps` cut descriptions mid-sentence even at 250 columns, showed raw
reStructuredText backticks, and had no way to show one step in full."""

from __future__ import annotations

from typer.testing import CliRunner

from curate.cli import app
from curate.steps import get_step_class, step_names
from curate.steps.describe import first_paragraph


def _invoke(*args: str):
    return CliRunner().invoke(app, ["steps", *args], env={"COLUMNS": "250"})


def test_the_listing_shows_each_steps_first_paragraph_whole_and_plain():
    result = _invoke()
    assert result.exit_code == 0
    flat = " ".join(result.output.replace("│", " ").split())
    assert "``" not in result.output and "PydanticUndefined" not in result.output
    for name in step_names():
        last_words = " ".join(first_paragraph(get_step_class(name)).split()[-3:])
        assert last_words in flat, name  # the paragraph is not cut
    assert "Every step also takes keep_dropped_text" in flat
    assert "keep_dropped_text=False" not in flat  # the base parameter is said once, not on every row


def test_one_step_in_full_with_types_defaults_ranges_and_meanings():
    result = _invoke("dedup_fuzzy")
    assert result.exit_code == 0
    assert "threshold: float = 0.6  [>= 0.0, <= 1.0]" in result.output
    assert "min estimated Jaccard of a verified pair" in result.output
    assert "Keep rule: in every cluster the first document in input order" in result.output
    assert "benchmarks: list[Benchmark] = []" in _invoke("decontaminate").output
    assert "min_hangul_ratio: float = 0.3  [>= 0.0, <= 1.0]" in _invoke("language_filter").output
    assert "min_score: float | None = None  [>= 0.0, <= 1.0]" in _invoke("pii").output
    toxicity = _invoke("toxicity").output  # meanings written as comments in the class are shown too
    meaning = "thresholds: str | dict[str, float] = 'benchmark'\n      preset name, or p_* -> max allowed score"
    assert meaning in toxicity


def test_an_unknown_step_is_an_error_listing_the_steps():
    result = _invoke("dedupe")
    assert result.exit_code == 2 and "no step 'dedupe'; steps: boilerplate" in result.output
