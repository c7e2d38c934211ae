"""strip_markup: HTML (whole pages through a real parser), entities, hashtags, empty brackets, blanks."""

from __future__ import annotations

import html
from typing import ClassVar

import polars as pl

from curate.rules import load_yaml
from curate.steps import register
from curate.steps.base import Step, StepOutput
from curate.text.html import page_text
from curate.text.html_load import parser_load
from curate.text.subset import any_of, transform_matching

RULES = "clean/markup.yaml"


@register
class StripMarkup(Step):
    """Remove markup and typographic noise, as KLUE did for its crawled sources.

    Documents that look like whole pages (a ``<html>``/``<body>`` marker or at least
    ``page_min_tags`` tags) are parsed with selectolax (scripts and styles dropped,
    block tags become line breaks); the rest lose inline tags by regex, as do pages
    nested deeper than ``page_max_depth`` (the parser's time grows with the square
    of the depth; counted as ``html_pages_too_deep``). Then HTML
    entities, hashtags, empty brackets (``()``, ``[]``, ``「」`` ...) and runs of blanks.
    Rules: rules/clean/markup.yaml.
    """

    name: ClassVar[str] = "strip_markup"
    hashtags: bool = True
    empty_brackets: bool = True

    def shortens_text(self) -> bool:
        return True

    def process(self, df: pl.DataFrame) -> StepOutput:
        rules = load_yaml(RULES)
        counters = {"html_pages": 0}

        def markup(rows: pl.DataFrame) -> pl.DataFrame:
            rows = self._pages(rows, rules, counters)
            return self._inline(rows, rules)

        df = transform_matching(df, "[<&]", markup)
        text = pl.col("text")
        expr, triggers = text, [r"^\s|\s$"]
        if self.hashtags:
            expr = expr.str.replace_all(rules["hashtag"], rules["hashtag_replace"])
            triggers.append(rules["hashtag"])
        if self.empty_brackets:
            expr = expr.str.replace_all(rules["empty_brackets"], "")
            triggers.append(rules["empty_brackets"])
        for pattern, replacement in rules["blank_rewrites"]:
            expr = expr.str.replace_all(pattern, replacement)
            triggers.append(pattern)
        df = transform_matching(df, any_of(triggers),
                                lambda rows: rows.with_columns(expr.str.strip_chars().alias("text")))
        return StepOutput(df, counters=counters)

    @staticmethod
    def _pages(df: pl.DataFrame, rules: dict, counters: dict[str, int]) -> pl.DataFrame:
        """Whole pages through selectolax; block tags become line breaks first."""
        text = pl.col("text")
        is_page = df.select((text.str.contains(rules["page_marker"])
                             | (text.str.count_matches(r"<[a-zA-Z/!]") >= rules["page_min_tags"])
                             ).fill_null(False))["text"]
        if not is_page.any():
            return df
        rows = is_page.arg_true()
        pages = df[rows].select(text.str.replace_all(rules["block_tag"], "\n$0"))["text"].to_list()
        drop, limit = tuple(rules["drop_selectors"]), rules["page_max_depth"]
        # A page too deep for the parser keeps its tags (and block line breaks) for _inline's regexes.
        deep = [parser_load(page, limit) > limit for page in pages]
        extracted = pl.Series([page if too_deep else page_text(page, drop)
                               for page, too_deep in zip(pages, deep, strict=True)], dtype=pl.Utf8)
        counters["html_pages"] += len(rows)
        if any(deep):
            counters["html_pages_too_deep"] = counters.get("html_pages_too_deep", 0) + sum(deep)
        return df.with_columns(df["text"].scatter(rows, extracted))

    @staticmethod
    def _inline(df: pl.DataFrame, rules: dict) -> pl.DataFrame:
        """Inline tags by regex, common entities by a replacement table, the rest by html.unescape."""
        text = pl.col("text")
        expr = text.str.replace_all(rules["line_break_tags"], "\n")
        for pattern in rules["tag_patterns"]:
            expr = expr.str.replace_all(pattern, "")
        entities = rules["entities"]
        df = df.with_columns(expr.str.replace_many(list(entities), list(entities.values())).alias("text"))
        has_entity = df.select(text.str.contains(rules["entity_rest"]).fill_null(False))["text"]
        if has_entity.any():
            rows = has_entity.arg_true()
            df = df.with_columns(df["text"].scatter(rows, df["text"][rows].map_elements(
                html.unescape, return_dtype=pl.Utf8)))
        return df
