"""boilerplate: news bylines, copyright lines, photo captions, related-article lists, prompts."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import Step, StepOutput
from curate.text.lines import LINE, explode_lines, implode_lines, with_text
from curate.text.subset import any_of

RULES = "clean/boilerplate.yaml"


@register
class Boilerplate(Step):
    """Remove Korean news templates line by line (rules/clean/boilerplate.yaml).

    ``strip`` rules cut a byline prefix ("(서울=연합뉴스) 홍길동 기자 = ") or an inline
    photo credit off a line that goes on with body text. ``drop`` rules remove whole
    lines: reporter signatures, copyright notices, photo captions, related-article
    lists, subscription prompts. A guarded rule never removes a line that reads as an
    ordinary sentence (long enough, ends like "...했다."), so a body sentence quoting a
    reporter or discussing copyright survives. Counters: lines removed per rule.
    """

    name: ClassVar[str] = "boilerplate"

    def shortens_text(self) -> bool:
        return True

    def process(self, df: pl.DataFrame) -> StepOutput:
        rules = load_yaml(RULES)
        # Only documents where some rule could match are split into lines ((?m): the
        # line anchors of the rules hold at every line of the document).
        trigger = "(?m)" + any_of(r["pattern"] for r in (*rules["strip"], *rules["drop"]))
        suspect = df.select(pl.col("text").str.contains(trigger).fill_null(False))["text"]
        counters = {f"lines_removed_{r['name']}": 0 for r in rules["drop"]}
        counters.update(lines_removed_stripped_to_empty=0, lines_stripped=0, sentences_removed=0)
        if not suspect.any():
            return StepOutput(df, counters=counters)
        rows = suspect.arg_true()
        cleaned, counters = self._clean(df.filter(suspect), rules)
        return StepOutput(df.with_columns(df["text"].scatter(rows, cleaned["text"])), counters=counters)

    @staticmethod
    def _clean(df: pl.DataFrame, rules: dict) -> tuple[pl.DataFrame, dict[str, int]]:
        lines = explode_lines(df)
        line = pl.col(LINE)
        stripped = line
        for rule in rules["strip"]:
            stripped = stripped.str.replace_all(rule["pattern"], "")
        lines = lines.with_columns(stripped.alias("_stripped"), line.alias("_original"))
        changed = int(lines.select((pl.col("_stripped") != line).sum()).item() or 0)
        # a line that was nothing but a byline or an end mark goes entirely
        emptied = (pl.col("_stripped").str.strip_chars() == "") & (line.str.strip_chars() != "")
        lines = lines.with_columns(pl.col("_stripped").alias(LINE), emptied.alias("_emptied"))
        lines = lines.drop("_stripped")
        body = (line.str.len_chars() >= rules["body_min_chars"]) & line.str.contains(rules["body_guard"])
        # A whole-line rule sees the line as it was too, so that its counter counts the lines it
        # names ("- 끝 -" is an end mark line, though the end-mark strip also empties it).
        original = pl.col("_original")
        matches = {r["name"]: (line.str.contains(r["pattern"]) | original.str.contains(r["pattern"]))
                   & (~body if r["guarded"] else pl.lit(True)) for r in rules["drop"]}
        whole_line = pl.any_horizontal(*matches.values()).fill_null(False)
        matches["stripped_to_empty"] = pl.col("_emptied") & ~whole_line
        flags = lines.select(**{name: expr.fill_null(False) for name, expr in matches.items()})
        counters = {f"lines_removed_{name}": int(flags[name].sum()) for name in flags.columns}
        counters["lines_stripped"] = changed
        drop = flags.select(pl.any_horizontal(pl.all()))[flags.columns[0]]
        counters["sentences_removed"] = int(drop.sum())
        if counters["sentences_removed"] == 0 and changed == 0:
            return df, counters
        return with_text(df, implode_lines(lines.drop("_emptied", "_original"), ~drop)), counters
