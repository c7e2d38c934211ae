"""What an instruct run made: examples per task, template and label; what it left out and why;
prompt and answer lengths (in tokens of the project's tokenizer when one is given, else characters).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from curate.instruct.layouts import user_turn

QUANTILES = (0.5, 0.9, 0.99)


def counts(examples: pl.DataFrame) -> dict[str, Any]:
    def nested(*keys: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in examples.group_by(*keys).len().sort(*keys).iter_rows():
            level = out
            for key in row[:-2]:
                level = level.setdefault(key, {})
            level[row[-2]] = row[-1]
        return out

    by_label = nested("task", "label")
    return {"by_task": nested("task"), "by_template": nested("task", "template_id"),
            # a task without labels (a title to write) has no classes to count
            "by_label": {task: labels for task, labels in by_label.items() if None not in labels}}


def _measure(texts: pl.Series, tokenizer: Any) -> pl.Series:
    if tokenizer is None:
        return texts.str.len_chars().cast(pl.Int64)
    return pl.Series([len(e.ids) for e in tokenizer.encode_batch(texts.to_list(), add_special_tokens=False)],
                     dtype=pl.Int64)


def lengths(examples: pl.DataFrame, tokenizer: Any) -> dict[str, Any]:
    """Per task: min, quantiles, max and mean of the prompt (system and user turns) and the answer."""
    prompt = pl.concat_str([pl.col("system").fill_null(""), user_turn()], separator="\n")
    texts = examples.select("task", prompt.alias("prompt"), pl.col("output").alias("answer"))
    measured = texts.with_columns(_measure(texts["prompt"], tokenizer).alias("prompt"),
                                  _measure(texts["answer"], tokenizer).alias("answer"))
    out: dict[str, Any] = {"unit": "tokens" if tokenizer is not None else "characters"}
    for part in ("prompt", "answer"):
        stats = (measured.group_by("task").agg(
            pl.col(part).min().alias("min"), *[pl.col(part).quantile(q, "nearest").cast(pl.Int64)
                                              .alias(f"p{round(q * 100)}")
                                              for q in QUANTILES],
            pl.col(part).max().alias("max"), pl.col(part).mean().round(1).alias("mean")).sort("task"))
        out[part] = {row.pop("task"): row for row in stats.to_dicts()}
    return out


def markdown(report: dict[str, Any]) -> str:
    """report.md: the tables a person reads."""
    lines = ["# curate instruct report", "", f"task file: `{report['task_file']}`, seed {report['seed']}, "
             f"{report['examples']:,} examples", "", "| task | read | left out | capped | refused | examples |",
             "|---|---:|---|---:|---|---:|"]
    for task, t in report["tasks"].items():
        left = ", ".join(f"{k} {v:,}" for k, v in sorted(t["left_out"].items())) or "-"
        refused = ", ".join(f"{k} {v:,}" for k, v in sorted(t["refused"].items())) or "-"
        lines.append(f"| {task} | {t['rows_read']:,} | {left} | {t['over_cap']:,} | {refused} | {t['examples']:,} |")
    lines += ["", "## Examples per template", "", "| task | template | examples |", "|---|---|---:|"]
    lines += [f"| {task} | {tid} | {n:,} |" for task, by in report["by_template"].items() for tid, n in by.items()]
    lines += ["", "## Examples per label", "", "| task | label | examples |", "|---|---|---:|"]
    lines += [f"| {task} | {label} | {n:,} |" for task, by in report["by_label"].items() for label, n in by.items()]
    unit = report["lengths"]["unit"]
    for part in ("prompt", "answer"):
        lines += ["", f"## {part.capitalize()} length ({unit})", "",
                  "| task | min | p50 | p90 | p99 | max | mean |", "|---|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {task} | {s['min']} | {s['p50']} | {s['p90']} | {s['p99']} | {s['max']} | {s['mean']} |"
                  for task, s in report["lengths"][part].items()]
    if report["evaluation"]:
        lines += ["", "## Evaluation benchmarks", "", "| benchmark | seen | examples refused |", "|---|---|---:|"]
        lines += [f"| {b['name']} | {'seen' if b['seen'] else 'unseen'} | {b['refused']:,} |"
                  for b in report["evaluation"]]
    return "\n".join(lines) + "\n"
