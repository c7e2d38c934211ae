"""normalize: NFC, broken-text repair, invisible characters, full-width ASCII."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

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

    def process(self, df: pl.DataFrame) -> StepOutput:
        rules = load_yaml(RULES)
        text = pl.col("text")
        counters: dict[str, int] = {}
        if self.repair_mojibake:
            suspect = df.select(text.str.contains(rules["mojibake"]["suspect"]).fill_null(False))["text"]
            if suspect.any():
                before = df.filter(suspect)["text"]
                fixed = before.map_elements(repair_mojibake, return_dtype=pl.Utf8)
                counters["mojibake_repaired"] = int((fixed != before).sum())
                df = df.with_columns(df["text"].scatter(suspect.arg_true(), fixed))
        triggers = [rules["newlines"], rules["remove"]]
        expr = text.str.replace_all(rules["newlines"], "\n").str.replace_all(rules["remove"], "")
        if self.fullwidth_to_ascii:
            mapping = _width_map(rules["width_keep"], rules["spaces"])
            expr = expr.str.replace_many(list(mapping), list(mapping.values()))
            triggers.append("[" + "".join(mapping) + "]")
        if self.nfc:
            expr = pl.when(expr.str.contains(rules["nfc_candidates"])).then(
                expr.str.normalize("NFC")).otherwise(expr)
            triggers.append(rules["nfc_candidates"])
        counters["invisible_chars_removed"] = 0

        def rewrite(rows: pl.DataFrame) -> pl.DataFrame:
            counters["invisible_chars_removed"] = int(
                rows.select(text.str.count_matches(rules["remove"]).sum()).item() or 0)
            return rows.with_columns(expr.alias("text"))

        return StepOutput(transform_matching(df, any_of(triggers), rewrite), counters=counters)
