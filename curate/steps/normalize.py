"""normalize: NFC, broken-text repair, invisible characters, full-width ASCII."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar

import polars as pl
from pydantic import Field

from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import Step, StepOutput
from curate.text.repair import repair_mojibake
from curate.text.subset import any_of, transform_matching

RULES = "clean/normalize.yaml"


def _width_map(keep: str, spaces: list[str]) -> dict[str, str]:
    mapping = {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp) not in keep}
    mapping.update(dict.fromkeys(spaces, " "))
    return mapping


@register
class Normalize(Step):
    """Make text well-formed before any other step reads it.

    In order: mojibake repair (only rows a regex flags as suspect go through Python),
    line breaks unified to "\\n", control/zero-width/replacement characters removed,
    full-width ASCII to ASCII and odd spaces to " ", then Unicode NFC (decomposed Hangul
    from macOS file names and copy-paste is composed again). Rules: rules/clean/normalize.yaml.
    """

    name: ClassVar[str] = "normalize"
    repair_mojibake: bool = True
    fullwidth_to_ascii: bool = True
    nfc: bool = True
    # Cut runs of a repeated character (ㅋㅋㅋㅋㅋ, ㅠㅠㅠㅠ, !!!!!, ~~~~; `repeat_chars` in the rules)
    # to this many, as kss's reduce_repeats does; None keeps them.
    max_repeat: Annotated[int, Field(ge=1, le=100)] | None = None

    def shortens_text(self) -> bool:
        return True

    def process(self, df: pl.DataFrame) -> StepOutput:
        rules = load_yaml(RULES)
        # One scan finds every row that some part of the step could change (mojibake or a
        # rewrite); the others, nearly all, are passed through without a second scan.
        patterns = [rules["mojibake"]["suspect"]] if self.repair_mojibake else []
        counters: dict[str, int] = {}
        touched = df.select(pl.col("text").str.contains(any_of([*patterns, *self._triggers(rules)]))
                            .fill_null(False))["text"]
        counters["invisible_chars_removed"] = 0
        if touched.any():
            changed = self._normalize(df.filter(touched), rules, counters)["text"]
            df = df.with_columns(df["text"].scatter(touched.arg_true(), changed))
        if self.max_repeat is not None:
            df = self._reduce_repeats(df, rules["repeat_chars"], counters)
        return StepOutput(df, counters=counters)

    def _reduce_repeats(self, df: pl.DataFrame, chars: str, counters: dict[str, int]) -> pl.DataFrame:
        """Each run of more than ``max_repeat`` of one character of ``chars`` cut to ``max_repeat``
        (one regex per character: Rust's engine has no back-references)."""
        n = self.max_repeat
        runs = [f"{re.escape(c)}{{{n + 1},}}" for c in chars]
        long_run = df.select(pl.col("text").str.count_matches("|".join(runs)).fill_null(0))["text"]
        counters["repeats_reduced"] = int(long_run.sum())
        if counters["repeats_reduced"] == 0:
            return df
        expr = pl.col("text")
        for char, run in zip(chars, runs, strict=True):
            expr = expr.str.replace_all(run, char * n, literal=False)
        rows = (long_run > 0).arg_true()
        return df.with_columns(df["text"].scatter(rows, df[rows].select(expr)["text"]))

    def _triggers(self, rules: dict) -> list[str]:
        """Patterns of the rows the rewrites change."""
        triggers = [rules["newlines"], rules["remove"]]
        if self.fullwidth_to_ascii:
            triggers.append("[" + "".join(_width_map(rules["width_keep"], rules["spaces"])) + "]")
        if self.nfc:
            triggers.append(rules["nfc_candidates"])
        return triggers

    def _normalize(self, df: pl.DataFrame, rules: dict, counters: dict[str, int]) -> pl.DataFrame:
        text = pl.col("text")
        if self.repair_mojibake:
            suspect = df.select(text.str.contains(rules["mojibake"]["suspect"]).fill_null(False))["text"]
            if suspect.any():
                before = df.filter(suspect)["text"]
                fixed = before.map_elements(repair_mojibake, return_dtype=pl.Utf8)
                counters["mojibake_repaired"] = int((fixed != before).sum())
                df = df.with_columns(df["text"].scatter(suspect.arg_true(), fixed))
        expr = text.str.replace_all(rules["newlines"], "\n").str.replace_all(rules["remove"], "")
        if self.fullwidth_to_ascii:
            mapping = _width_map(rules["width_keep"], rules["spaces"])
            expr = expr.str.replace_many(list(mapping), list(mapping.values()))
        if self.nfc:
            expr = pl.when(expr.str.contains(rules["nfc_candidates"])).then(
                expr.str.normalize("NFC")).otherwise(expr)
        counters["invisible_chars_removed"] = 0

        def rewrite(rows: pl.DataFrame) -> pl.DataFrame:
            counters["invisible_chars_removed"] = int(
                rows.select(text.str.count_matches(rules["remove"]).sum()).item() or 0)
            return rows.with_columns(expr.alias("text"))

        return transform_matching(df, any_of(self._triggers(rules)), rewrite)
