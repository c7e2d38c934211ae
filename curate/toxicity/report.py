"""``curate toxicity eval --html``: the evaluation tables and a reliability curve of p_toxic per
held-out part and model (inline SVG, no script, no download), so a reader sees whether a
threshold means the same share of toxic texts on one corpus as on the other."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import polars as pl

from curate.toxicity.evaluate import held_out_parts, reliability

_SIZE, _PAD = 240, 30
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.iter_rows())
    return f"<table><tr>{head}</tr>{body}</table>"


def _curve_svg(title: str, curves: dict[str, pl.DataFrame]) -> str:
    """Mean predicted (x) against share toxic (y) per bin; the diagonal is perfect calibration."""
    def xy(x: float, y: float) -> str:
        return f"{_PAD + x * _SIZE:.1f},{_PAD + (1 - y) * _SIZE:.1f}"

    parts = [f'<svg width="{_SIZE + 2 * _PAD + 260}" height="{_SIZE + 2 * _PAD}" role="img">',
             f'<text x="{_PAD}" y="16" font-size="13">{html.escape(title)}</text>',
             f'<rect x="{_PAD}" y="{_PAD}" width="{_SIZE}" height="{_SIZE}" fill="none" stroke="#999"/>',
             f'<polyline points="{xy(0, 0)} {xy(1, 1)}" stroke="#bbb" stroke-dasharray="4" fill="none"/>']
    for k, (name, table) in enumerate(curves.items()):
        used = table.filter(pl.col("texts") > 0)
        points = " ".join(xy(x, y) for x, y in zip(used["mean_predicted"], used["share_positive"], strict=True))
        colour = _COLOURS[k % len(_COLOURS)]
        parts.append(f'<polyline points="{points}" stroke="{colour}" fill="none" stroke-width="2"/>')
        parts.append(f'<text x="{_SIZE + 2 * _PAD}" y="{_PAD + 14 + 16 * k}" font-size="11" fill="{colour}">'
                     f'{html.escape(name)}</text>')
    parts.append(f'<text x="{_PAD}" y="{_SIZE + _PAD + 20}" font-size="11">predicted p_toxic (bins of 0.1) '
                 f'against the share of toxic comments</text></svg>')
    return "".join(parts)


def write_report(path: Path, table: pl.DataFrame, cross_table: pl.DataFrame | None,
                 corpora: dict[str, Path], scorers: dict[str, object]) -> None:
    sections = ["<h2>Held-out parts</h2>", _table(table)]
    if cross_table is not None:
        sections += ["<h2>Cross-domain (trained on one corpus alone)</h2>", _table(cross_table)]
    sections.append("<h2>Calibration of p_toxic = 1 - p_none</h2>")
    for corpus, (_, held_out) in held_out_parts(corpora).items():
        truth = (held_out["hate"] != "none").to_numpy()
        curves = {}
        for name, scorer in scorers.items():
            p_toxic = 1.0 - scorer.score(held_out["text"])["p_none"].to_numpy().astype(np.float64)
            curves[name] = reliability(np.clip(p_toxic, 0, 1), truth)
        sections.append(_curve_svg(f"{corpus} held-out ({len(held_out):,} comments)", curves))
    Path(path).write_text("<!doctype html><meta charset='utf-8'><title>curate toxicity eval</title>"
                          "<style>body{font-family:sans-serif} td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
                          "</style><h1>curate toxicity eval</h1>" + "".join(sections), encoding="utf-8")
