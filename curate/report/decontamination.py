"""The contamination report: per benchmark, items checked and found, how, and where from.

Read from ``OUTPUT/reports/decontamination.parquet`` (one row per document, item, match and
field) with a lazy scan, so memory follows the number of contaminated items, not the corpus.
Benchmark names, splits, counts and corpus sources only: never benchmark text.
"""

from __future__ import annotations

from html import escape
from typing import Any

import polars as pl

from curate.decontam.hits import MATCH_KINDS

TOP_SOURCES = 5


def summarize(table: pl.LazyFrame, counts: dict[str, dict[str, dict[str, int]]], names: list[str]) -> dict[str, Any]:
    """Per benchmark (recipe order): items, contaminated items, share, items by match kind, the
    sources with the most contaminated items, and the same per split."""
    items = table.select("benchmark", "split", "item_id", "match", "source").unique().collect()
    out = []
    for name in names:
        mine = items.filter(pl.col("benchmark") == name)
        splits = counts.get(name, {})
        checked = sum(s.get("items", 0) for s in splits.values())
        found = mine.select("split", "item_id").unique().height
        kinds = {k: mine.filter(pl.col("match") == k).select("split", "item_id").unique().height
                 for k in MATCH_KINDS}
        sources = (mine.filter(pl.col("source").is_not_null()).select("source", "split", "item_id").unique()
                   .group_by("source").len().sort(["len", "source"], descending=[True, False]).head(TOP_SOURCES))
        out.append({
            "benchmark": name, "items": checked, "contaminated": found,
            "share": round(found / checked, 6) if checked else 0.0,
            "by_match": {k: v for k, v in kinds.items() if v},
            "top_sources": [[s, n] for s, n in sources.iter_rows()],
            "too_short": sum(s.get("too_short", 0) for s in splits.values()),
            "splits": {split: {"items": c.get("items", 0),
                               "contaminated": mine.filter(pl.col("split") == split)["item_id"].n_unique()}
                       for split, c in sorted(splits.items())},
        })
    return {"benchmarks": out}


def render(tables: dict[str, dict[str, Any]]) -> str:
    """report.html's section: a table per benchmark of every decontaminate step."""
    parts = []
    for label, table in tables.items():
        if table.get("step") != "decontaminate":
            continue
        parts.append(f"<h2>Benchmark contamination ({escape(label)})</h2><p>{table['rows']:,} matches in "
                     f"<code>{escape(table['path'])}</code></p>")
        for b in table.get("benchmarks", []):
            kinds = ", ".join(f"{escape(k)} {n:,}" for k, n in b["by_match"].items()) or "-"
            sources = ", ".join(f"{escape(str(s))} ({n:,})" for s, n in b["top_sources"]) or "-"
            splits = "".join(f"<tr><td>{escape(split)}</td><td>{s['items']:,}</td><td>{s['contaminated']:,}</td>"
                             f"<td>{_share(s['contaminated'], s['items'])}</td></tr>"
                             for split, s in b["splits"].items())
            short = f" ({b['too_short']:,} item fields too short to match)" if b["too_short"] else ""
            parts.append(
                f"<h3>{escape(b['benchmark'])}</h3><table><tr><th>items checked</th><th>contaminated</th>"
                f"<th>share</th><th>items by match</th><th>top sources (items)</th></tr>"
                f"<tr><td>{b['items']:,}{short}</td><td>{b['contaminated']:,}</td>"
                f"<td>{_share(b['contaminated'], b['items'])}</td><td>{kinds}</td><td>{sources}</td></tr></table>"
                f"<table><tr><th>split</th><th>items</th><th>contaminated</th><th>share</th></tr>{splits}</table>")
    return "".join(parts)


def _share(found: int, checked: int) -> str:
    return f"{100 * found / checked:.2f}%" if checked else "-"
