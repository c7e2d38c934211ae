"""A review sample of one step's decisions, for a person to read (KLUE removed by hand what its
rules missed): ``curate sample OUTPUT --step toxicity --n 200``.

Two strata, half of ``n`` each (one takes the other's rest when it runs short):

- **dropped**: records the step dropped, stratified by reason (an equal share each, the rest
  to reasons with more). Their text is in ``dropped/`` when the step ran with
  ``keep_dropped_text: true``; a step run with ``drop: false`` leaves them in ``data/``
  with ``<step>_reason`` set (``flagged``).
- **near_threshold**: kept records whose measures are closest to a drop, by the thresholds
  the report records for the step (``Step.review_thresholds``): the smallest margin over the
  measured columns.

Which records of a stratum: those with the smallest hash of (id, source, line) under
``seed``, so a sample is the same on every call and its records are spread over the corpus,
not the first shards. Parts are read one at a time and only the best candidates kept: memory
is the sample's size, not the corpus's. The text is the output's (PII already treated: the
recipe refuses ``keep_dropped_text`` before a pii step).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from html import escape
from typing import Any

import polars as pl

from curate.executors.store import Store

DROPPED, FLAGGED, NEAR = "dropped", "flagged", "near_threshold"


class ReviewError(ValueError):
    """The output cannot give the sample asked for; the message says why and what to change."""


def _report(store: Store) -> dict[str, Any]:
    try:
        return json.loads(store.read_bytes("report.json"))
    except FileNotFoundError:
        raise ReviewError(f"{store.shown()} holds no report.json: not the output of a finished curate run") from None


def _step_entry(report: dict[str, Any], step: str) -> dict[str, Any]:
    labels = [s["step"] for s in report["steps"]]
    matches = [s for s in report["steps"] if s["step"] == step] or \
              [s for s in report["steps"] if s["step"].split(".")[0] == step]
    if len(matches) != 1:
        what = "names several steps" if matches else "is no step of this run"
        raise ReviewError(f"{step!r} {what}; steps: {', '.join(labels)}")
    return matches[0]


def _parts(store: Store, folder: str, fmt: str) -> Iterator[bytes]:
    for name in sorted(store.list(folder, f"part-*.{fmt}")):
        yield store.read_bytes(f"{folder}/{name}")


def _read(data: bytes, fmt: str) -> pl.DataFrame:
    return pl.read_parquet(io.BytesIO(data)) if fmt == "parquet" else pl.read_ndjson(io.BytesIO(data))


def _ranked(df: pl.DataFrame, seed: int) -> pl.DataFrame:
    key = pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in ("id", "source", "line")], separator="\x1f")
    return df.with_columns(key.hash(seed).alias("_rank"))


def _best(running: pl.DataFrame | None, new: pl.DataFrame, by: list[str], k: int,
          per: str | None = None) -> pl.DataFrame:
    """The ``k`` rows smallest by ``by`` of both (``k`` per value of ``per``)."""
    both = new if running is None else pl.concat([running, new], how="diagonal_relaxed")
    both = both.sort(by)
    return both.group_by(per, maintain_order=True).head(k) if per else both.head(k)


def _margin(thresholds: dict[str, list], columns: list[str]) -> pl.Expr | None:
    """How far a kept record is from a drop: the smallest margin over the measured columns."""
    margins = [(pl.lit(limit) - pl.col(c)) if op == ">" else (pl.col(c) - pl.lit(limit))
               for c, (op, limit) in thresholds.items() if c in columns]
    return pl.min_horizontal(margins) if margins else None


def _scores(df: pl.DataFrame, columns: list[str]) -> pl.Expr:
    present = [c for c in columns if c in df.columns]
    return pl.struct(present).struct.json_encode() if present else pl.lit(None, dtype=pl.Utf8)


def _share(counts: dict[str, int], n: int) -> dict[str, int]:
    """``n`` split over reasons as evenly as their counts allow (in sorted reason order)."""
    share = dict.fromkeys(counts, 0)
    left = n
    while left > 0 and any(share[r] < counts[r] for r in counts):
        open_ = [r for r in sorted(counts) if share[r] < counts[r]]
        each = max(left // len(open_), 1)
        for r in open_:
            take = min(each, counts[r] - share[r], left)
            share[r] += take
            left -= take
    return share


def review_sample(output: str, step: str, n: int = 200, seed: int = 0) -> pl.DataFrame:
    """The sample as rows: kind, reason, id, source, line, margin, scores (JSON), text."""
    store = Store.for_url(output)
    report = _report(store)
    entry = _step_entry(report, step)
    label, thresholds = entry["step"], entry.get("thresholds", {})
    fmt = "jsonl" if store.list("data", "part-*.jsonl") else "parquet"
    flag = f"{label.split('.')[0]}_reason"
    columns = list(thresholds)
    dropped: pl.DataFrame | None = None
    near: pl.DataFrame | None = None
    seen_flag = seen_text = False
    for data in _parts(store, "dropped", "parquet"):
        part = _read(data, "parquet")
        if "text" not in part.columns:
            continue
        part = part.filter(pl.col("step") == label, pl.col("text").is_not_null())
        seen_text = seen_text or part.height > 0
        part = _ranked(part.with_columns(pl.col("line").cast(pl.Utf8)), seed).select(
            pl.lit(DROPPED).alias("kind"), "reason", "id", "source", "line", "_rank", "scores", "text")
        dropped = _best(dropped, part, ["_rank"], n, per="reason")
    for data in _parts(store, "data", fmt):
        part = _read(data, fmt)
        if "text" not in part.columns:  # renamed by output.text_field: not a case this reads
            raise ReviewError("the output's text column is renamed (output.text_field); sample before renaming")
        part = part.with_columns(pl.lit(None, dtype=pl.Utf8).alias(c) for c in ("source", "line")
                                 if c not in part.columns)
        if flag in part.columns:
            seen_flag = True
            flagged = _ranked(part.filter(pl.col(flag).is_not_null()), seed).select(
                pl.lit(FLAGGED).alias("kind"), pl.col(flag).alias("reason"), "id", "source",
                pl.col("line").cast(pl.Utf8), "_rank", _scores(part, columns).alias("scores"), "text")
            dropped = _best(dropped, flagged, ["_rank"], n, per="reason")
            part = part.filter(pl.col(flag).is_null())
        margin = _margin(thresholds, part.columns)
        if margin is not None:
            kept = _ranked(part, seed).select(
                pl.lit(NEAR).alias("kind"), pl.lit(None, dtype=pl.Utf8).alias("reason"), "id", "source",
                pl.col("line").cast(pl.Utf8), "_rank", margin.alias("margin"),
                _scores(part, columns).alias("scores"), "text")
            near = _best(near, kept, ["margin", "_rank"], n)
    if not (seen_text or seen_flag or near is not None):
        raise ReviewError(
            f"step {label} left nothing to review: run it with keep_dropped_text: true (its dropped "
            f"records' text) or drop: false (they stay, marked in {flag}), and with the score columns "
            "it can write (e.g. toxicity add_columns: true) for the kept records near its thresholds")
    return _assemble(dropped, near, n)


def _assemble(dropped: pl.DataFrame | None, near: pl.DataFrame | None, n: int) -> pl.DataFrame:
    counts = dict(dropped.group_by("reason").len().iter_rows()) if dropped is not None else {}
    near_rows = near.height if near is not None else 0
    want_dropped = min(sum(counts.values()), max(n // 2, n - near_rows))
    share = _share(counts, want_dropped)
    parts = []
    if dropped is not None:
        dropped = dropped.sort("reason", "_rank")
        parts += [dropped.filter(pl.col("reason") == r).head(k) for r, k in sorted(share.items()) if k]
    if near is not None:
        parts.append(near.head(n - sum(share.values())))
    columns = ["kind", "reason", "id", "source", "line", "margin", "scores", "text"]
    if not parts:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.Utf8)).with_columns(pl.col("margin").cast(pl.Float64))
    out = pl.concat(parts, how="diagonal_relaxed")
    if "margin" not in out.columns:
        out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias("margin"))
    return out.select(columns)


def to_jsonl(sample: pl.DataFrame) -> bytes:
    rows = [{**r, "scores": json.loads(r["scores"]) if r["scores"] else None} for r in sample.iter_rows(named=True)]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def _row_html(r: dict[str, Any]) -> str:
    margin = "" if r["margin"] is None else f"{r['margin']:.3f}"
    return (f"<tr class='{escape(r['kind'])}'><td>{escape(r['kind'])}</td><td>{escape(r['reason'] or '')}</td>"
            f"<td>{escape(str(r['id']))}</td><td>{escape(r['source'] or '')}:{escape(r['line'] or '')}</td>"
            f"<td>{margin}</td><td><code>{escape(r['scores'] or '')}</code></td>"
            f"<td class='t'>{escape(r['text'])}</td><td><input type='checkbox' title='wrong decision'></td></tr>")


def to_html(sample: pl.DataFrame, title: str) -> bytes:
    rows = "".join(_row_html(r) for r in sample.iter_rows(named=True))
    page = f"""<!doctype html><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px;vertical-align:top;font-size:13px}}
td.t{{white-space:pre-wrap;max-width:60em}}.dropped td:first-child,.flagged td:first-child{{color:#b35900}}
.near_threshold td:first-child{{color:#1a7f37}}</style>
<h1>{escape(title)}</h1><p>{sample.height} records. Tick the ones the step got wrong.</p>
<table><tr><th>kind</th><th>reason</th><th>id</th><th>source:line</th><th>margin</th><th>scores</th>
<th>text</th><th>wrong?</th></tr>{rows}</table>"""
    return page.encode("utf-8")
