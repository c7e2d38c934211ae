"""report.html: one self-contained page (inline SVG, no scripts, nothing fetched)."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from curate.report.decontamination import render as render_contamination

_CSS = """
body{font-family:system-ui,-apple-system,'Noto Sans KR',sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em}td,th{padding:.25em .7em;text-align:right;border-bottom:1px solid #eee}
td:first-child,th:first-child,td.text,th.text{text-align:left}.tiles{display:flex;gap:1em;flex-wrap:wrap}
.tile{background:#f5f7fa;border-radius:6px;padding:.6em 1em}.tile b{display:block;font-size:1.4em}
.kept b{color:#1a7f37}.dropped b{color:#b35900}.quarantined b{color:#b3261e}.warn{color:#b35900}
svg text{font-size:11px;fill:#333}
"""
# a global step's phases, as report.json's global_phases names their seconds
_PHASES = ("map", "reduce", "route", "finish")


def _bars(rows: list[tuple[str, float]], unit: str = "", width: int = 900, color: str = "#4a7bd0") -> str:
    """Horizontal bar chart: one labelled bar per row."""
    if not rows:
        return "<p>(nothing)</p>"
    top = max(v for _, v in rows) or 1
    bar_h, label_w = 18, 230
    height = bar_h * len(rows) + 4
    parts = [f'<svg width="{width}" height="{height}" role="img">']
    for i, (label, value) in enumerate(rows):
        y = i * bar_h
        w = (width - label_w - 120) * value / top
        parts.append(f'{_label(label, label_w - 6, y + 13)}'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" fill="{color}"/>'
                     f'<text x="{label_w + w + 5:.1f}" y="{y + 13}">{_fmt(value)}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _breakable(text: str) -> str:
    """A table cell's text, escaped; a long one (a path, a long step label) may break after a
    separator, so that the table fits the page without cutting words anywhere."""
    out = escape(text)
    return re.sub(r"([/_.\-])(?=.)", r"\1<wbr>", out) if len(text) > 20 else out


def _label(text: str, x: int, y: int) -> str:
    """A bar's label, right-aligned before the bar; a long one (a source URL, a long step label)
    is cut to what fits the label column, whole on hover."""
    shown, width = "", 0.0
    for ch in text:
        width += 11.0 if ord(ch) >= 0x1100 else 6.5  # 11 px font: Hangul and CJK about twice Latin
        if width > x - 12:
            shown = shown[:-1] + "\u2026"
            break
        shown += ch
    return f'<text x="{x}" y="{y}" text-anchor="end"><title>{escape(text)}</title>{escape(shown)}</text>'


def _bin_label(bins: list[int], b: int) -> str:
    """A length bin as the range it holds: 0, 1-2, 3-6, 7-14, ... (the last one open)."""
    low = bins[b]
    if b + 1 >= len(bins):
        return f"{_fmt(low)}+"
    high = bins[b + 1] - 1
    return _fmt(low) if high == low else f"{_fmt(low)}-{_fmt(high)}"


def _histogram(bins: list[int], before: list[int], after: list[int], width: int = 900) -> str:
    """Paired columns per length bin, before (grey) and after (blue), on a count axis; each
    column's count on hover."""
    last = max([i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a or b] or [0])
    first = min([i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a or b] or [0])
    idx = list(range(first, last + 1))
    top = max([*before, *after, 1])
    left, plot_h, pad = 70, 160, 12  # pad: room above the axis for the top tick's label
    col_w = (width - left - 10) / max(len(idx), 1)
    parts = [f'<svg width="{width}" height="{plot_h + pad + 48}" role="img">',
             f'<g transform="translate(0 {pad})">',
             f'<line x1="{left - 4}" y1="0" x2="{left - 4}" y2="{plot_h}" stroke="#999"/>',
             f'<text x="12" y="{plot_h / 2:.0f}" transform="rotate(-90 12 {plot_h / 2:.0f})" '
             'text-anchor="middle">documents</text>']
    for tick in sorted({0, top // 2, top}):
        y = plot_h - plot_h * tick / top
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>'
                     f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#eee"/>')
    for j, b in enumerate(idx):
        x = left + j * col_w
        for k, (series, color, name) in enumerate(((before, "#bbb", "input"), (after, "#4a7bd0", "output"))):
            h = plot_h * series[b] / top
            parts.append(f'<rect x="{x + k * col_w / 2.4:.1f}" y="{plot_h - h:.1f}" width="{col_w / 2.6:.1f}" '
                         f'height="{h:.1f}" fill="{color}"><title>{name}: {series[b]:,} documents of '
                         f'{_bin_label(bins, b)} characters</title></rect>')
        parts.append(f'<text x="{x + col_w / 2:.1f}" y="{plot_h + 14}" text-anchor="middle">'
                     f'{_bin_label(bins, b)}</text>')
    parts.append(f'<text x="{left}" y="{plot_h + 34}">document length, characters; '
                 'grey = input, blue = output</text></g></svg>')
    return "".join(parts)


def _fmt(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def render_html(report: dict[str, Any]) -> str:
    steps = report["steps"]
    tiles = "".join(
        f'<div class="tile {cls}">{label}<b>{report[key]:,}</b></div>'
        for key, label, cls in (("records_in", "records in", ""), ("records_kept", "kept", "kept"),
                                ("records_dropped", "dropped", "dropped"),
                                ("records_quarantined", "quarantined", "quarantined")))
    phases = report.get("global_phases", {})
    rows = "".join(
        f"<tr><td>{_breakable(s['step'])}</td><td>{s['rows_in']:,}</td><td>{s['rows_out']:,}</td>"
        f"<td>{s['bytes_in'] / 1e6:,.2f}</td><td>{s['bytes_out'] / 1e6:,.2f}</td>"
        f"<td>{s['seconds']:,.2f}</td><td>{_global_seconds(phases.get(s['step']))}</td>"
        f"<td>{_speed(s, phases)}</td></tr>" for s in steps)
    pii = sorted(((k.removeprefix("pii_"), float(v)) for s in steps if s["step"].split(".")[0] == "pii"
                  for k, v in s["counters"].items() if k.startswith("pii_")), key=lambda kv: -kv[1])
    reasons = [(f"{s['step']}: {r}", float(n)) for s in steps for r, n in s["drops"].items()]
    counters = "".join(f"<tr><td>{_breakable(s['step'])}</td><td class=\"text\">{_breakable(k)}</td><td>{v:,}</td></tr>"
                       for s in steps for k, v in s["counters"].items())
    hist = report["length_histogram"]
    warnings = "".join(f'<li class="warn">{escape(w)}</li>' for w in report["warnings"])
    quarantine = [(k, float(v)) for k, v in report["quarantine_errors"].items()]
    inputs = "".join(f"<tr><td>{_breakable(f['file'])}</td><td>{f.get('records_in', 0):,}</td>"
                     f"<td>{f.get('kept', 0):,}</td><td>{f.get('dropped', 0):,}</td>"
                     f"<td>{f.get('quarantined', 0):,}</td></tr>" for f in report["inputs"])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>curate report: {escape(report['recipe'])}</title><style>{_CSS}</style></head><body>
<h1>curate run report</h1>
<p>{escape(report['recipe'])} &middot; executor {escape(report['executor'])} ({report['workers']} workers)
&middot; {report['shards']:,} shard{'' if report['shards'] == 1 else 's'}
&middot; {report['seconds']:,.1f} s{_invocations(report)} &middot;
{report['bytes_in'] / 1e6:,.1f} MB in, {report['bytes_out'] / 1e6:,.1f} MB out</p>
<div class="tiles">{tiles}</div>
{f'<h2>Warnings</h2><ul>{warnings}</ul>' if warnings else ''}
<h2>Records through the steps</h2>{_bars([(s['step'], float(s['rows_out'])) for s in steps], color='#1a7f37')}
<h2>Steps</h2><table><tr><th>step</th><th>records in</th><th>records out</th><th>MB in</th><th>MB out</th>
<th>seconds</th><th>global s</th><th>MB/s</th></tr>{rows}</table>
<p>seconds: the step's work on the shards; global s: its global phases (shuffle map, reduce, route,
finish), summed over the workers' tasks; MB/s: input MB over both.</p>
<h2>Throughput per step (MB/s of input per busy worker)</h2>
{_bars([(s['step'], _mbps(s, phases)) for s in steps if s['step'] != 'read'])}
{_global_table(phases)}
{_nodes_table(report.get('nodes', {}))}
<h2>Drop reasons</h2>{_bars(reasons, color='#b35900')}
{render_contamination(report.get('step_tables', {}))}
{f"<h2>PII found, by type</h2>{_bars(pii, color='#7b4ad0')}" if pii else ''}
<h2>Document length, before and after</h2>{_histogram(hist['bin_lower_chars'], hist['before'], hist['after'])}
<h2>Step counters</h2><table><tr><th>step</th><th class="text">counter</th><th>value</th></tr>{counters}</table>
<h2>Quarantine</h2>{_bars(quarantine, color='#b3261e')}
{_groups_section(report.get('by_group'))}
<h2>Inputs</h2><table><tr><th>file</th><th>in</th><th>kept</th><th>dropped</th><th>quarantined</th></tr>
{inputs}</table>
</body></html>
"""


def _global_table(phases: dict[str, dict[str, float]]) -> str:
    """Each global step's shuffle: partitions, rows shuffled, seconds per phase (map, reduce, route
    or finish: all tasks on the workers)."""
    if not phases:
        return ""
    def tables(p: dict[str, Any]) -> str:
        return "; ".join(f"{_breakable(t['path'])} ({t['rows']:,} rows)" for t in p.get("tables", {}).values())

    rows = "".join(
        f"<tr><td>{_breakable(name)}</td><td>{p.get('partitions', 0):,}</td><td>{p.get('shuffled_rows', 0):,}</td>"
        + "".join(f"<td>{p.get(k, 0):,.2f}</td>" for k in _PHASES)
        + f"<td class=\"text\">{tables(p)}</td><td>{'yes' if p.get('resumed') else 'no'}</td></tr>"
        for name, p in phases.items())
    return ("<h2>Global steps</h2><table><tr><th>step</th><th>partitions</th><th>rows shuffled</th>"
            + "".join(f"<th>{k} s</th>" for k in _PHASES)
            + f"<th class=\"text\">tables</th><th>resumed</th></tr>{rows}</table>"
            + "<p>resumed: the step's state came from an earlier run of this output, not this one.</p>"
            + "".join(f'<p class="warn">{escape(name)}: {escape(note)}</p>'
                      for name, p in phases.items() for note in p.get("notes", [])))


def _nodes_table(nodes: dict[str, dict[str, Any]]) -> str:
    """What each node did, and the largest peak memory of a worker there."""
    if not nodes:
        return ""
    rows = "".join(
        f"<tr><td>{_breakable(name)}</td><td>{n['shard_stages']:,}</td><td>{n['bytes_in'] / 1e6:,.1f}</td>"
        f"<td>{n['shuffle_tasks']:,}</td><td>{n['peak_rss_mb']:,}</td></tr>" for name, n in nodes.items())
    return ("<h2>Nodes</h2><table><tr><th>node</th><th>shard stages</th><th>MB parsed</th>"
            f"<th>shuffle tasks</th><th>largest worker peak MB</th></tr>{rows}</table>")


def _groups_section(by_group: dict[str, Any] | None) -> str:
    """Counts per value of report.group_by: a table, and kept vs dropped as stacked bars."""
    if not by_group:
        return ""
    values = by_group["values"]
    counters = sorted({k for v in values.values() for k in v["counters"]})
    rows = "".join(
        f"<tr><td>{_breakable(g)}</td><td>{v['records_in']:,}</td><td>{v['kept']:,}</td><td>{v['dropped_total']:,}</td>"
        f"<td>{v['bytes_in'] / 1e6:,.2f}</td><td>{v['bytes_out'] / 1e6:,.2f}</td>"
        f"<td>{escape(', '.join(f'{r} {n:,}' for r, n in v['dropped'].items()))}</td>"
        + "".join(f"<td>{v['counters'].get(c, 0):,}</td>" for c in counters) + "</tr>"
        for g, v in values.items())
    head = "".join(f"<th>{escape(c)}</th>" for c in counters)
    return (f"<h2>By {escape(by_group['field'])} ({by_group['groups']:,} values)</h2>"
            f"{_stacked(values)}<table><tr><th>{escape(by_group['field'])}</th><th>in</th><th>kept</th>"
            f"<th>dropped</th><th>MB in</th><th>MB out</th><th>dropped by step: reason</th>{head}</tr>{rows}</table>")


def _stacked(values: dict[str, dict[str, Any]], width: int = 900) -> str:
    """One bar per group: kept (green) then dropped (orange), to scale with the largest group."""
    top = max((v["kept"] + v["dropped_total"] for v in values.values()), default=0) or 1
    bar_h, label_w = 18, 230
    parts = [f'<svg width="{width}" height="{bar_h * len(values) + 4}" role="img">']
    for i, (group, v) in enumerate(values.items()):
        y, scale = i * bar_h, (width - label_w - 160) / top
        kept_w, dropped_w = v["kept"] * scale, v["dropped_total"] * scale
        parts.append(f'{_label(group, label_w - 6, y + 13)}'
                     f'<rect x="{label_w}" y="{y + 2}" width="{kept_w:.1f}" height="{bar_h - 5}" fill="#1a7f37"/>'
                     f'<rect x="{label_w + kept_w:.1f}" y="{y + 2}" width="{dropped_w:.1f}" height="{bar_h - 5}" '
                     f'fill="#b35900"/><text x="{label_w + kept_w + dropped_w + 5:.1f}" y="{y + 13}">'
                     f'{v["kept"]:,} kept, {v["dropped_total"]:,} dropped</text>')
    parts.append("</svg>")
    return "".join(parts)


def _invocations(report: dict[str, Any]) -> str:
    """A resumed run's time is the sum of its invocations: say so, with each one's seconds."""
    runs = report.get("invocations", [])
    return f" ({len(runs)} invocations: {' + '.join(f'{t:,.1f}' for t in runs)} s)" if len(runs) > 1 else ""


def _speed(step: dict[str, Any], phases: dict[str, dict[str, Any]]) -> str:
    """MB/s of a step; the read check's time is too small to mean a speed (parsing is not in it)."""
    return "-" if step["step"] == "read" else f"{_mbps(step, phases):,.1f}"


def _global_seconds(phase: dict[str, Any] | None) -> str:
    return "-" if phase is None else f"{sum(phase.get(k, 0) for k in _PHASES):,.2f}"


def _mbps(step: dict[str, Any], phases: dict[str, dict[str, Any]]) -> float:
    """Input MB over the step's shard time plus its global phases: a tokenizer or a dedup does
    most of its work in the shuffle, so its shard time alone would claim thousands of MB/s."""
    seconds = step["seconds"] + sum(phases.get(step["step"], {}).get(k, 0) for k in _PHASES)
    return step["bytes_in"] / 1e6 / seconds if seconds > 0 else 0.0
