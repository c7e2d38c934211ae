"""``curate instruct``: from a task file to instruction data, a refusal table and a report.

Read each task's training rows -> cap them (seeded, labels in turn) -> pass the inputs through
the file's steps and the decontamination against its evaluation benchmarks -> choose a
template for each example (seeded, balanced) -> render -> one seeded shuffle of all tasks ->
write every layout. The same task file, data and seed give byte-identical files.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any

import polars as pl

from curate.instruct.layouts import LAYOUTS_WRITTEN, dataset_card, write_layouts
from curate.instruct.report import counts, lengths, markdown
from curate.instruct.select import TEMPLATE, _rng, assign_templates, cap
from curate.instruct.source import LABEL_CLASS, LABEL_RAW, field_column, read_candidates
from curate.instruct.spec import LABEL, LoadedTasks, TaskDefinition
from curate.instruct.template import render, render_by
from curate.instruct.through_steps import pass_through
from curate.steps.base import RunContext

# What a run writes in its output directory (and --overwrite removes; nothing else is touched).
OUTPUTS = ("report.json", "report.md", "README.md", "refused.parquet")
EXAMPLE_COLUMNS = {"id": pl.Utf8, "task": pl.Utf8, "template_id": pl.Utf8, "source_split": pl.Utf8,
                   "source_id": pl.Utf8, "label": pl.Utf8, "system": pl.Utf8, "instruction": pl.Utf8,
                   "input": pl.Utf8, "output": pl.Utf8}


def _key(loaded: LoadedTasks, notes: list[str]) -> bytes | None:
    from curate.pii.keys import key_from_env_or_file

    if not any(s.key_sources() for s in loaded.steps):
        return None
    key = key_from_env_or_file(loaded.spec.key.file, loaded.spec.key.env)
    if key is None:
        notes.append(f"no PII key (${loaded.spec.key.env} or key.file): a random key was drawn, so the "
                     "pseudonymized inputs differ from run to run")
        key = secrets.token_bytes(32)
    return key


def _evaluation_step(loaded: LoadedTasks) -> Any:
    from curate.steps.decontaminate import Decontaminate

    benchmarks = [b.model_dump(exclude={"seen"}, exclude_none=True) for b in loaded.spec.evaluation]
    return Decontaminate(benchmarks=benchmarks, unit="document") if benchmarks else None


def render_examples(frame: pl.DataFrame, name: str, definition: TaskDefinition, system: str | None) -> pl.DataFrame:
    """Instruction, input and output of each row by its ``_template``; the answer by its label."""
    columns = {p: field_column(p) for p in definition.fields}
    if definition.label is not None:
        answer: pl.Expr = pl.col(LABEL_RAW)
        if definition.label.map:
            answer = pl.lit(None, dtype=pl.Utf8)
            for value, text in reversed(definition.label.map.items()):
                answer = pl.when(pl.col(LABEL_RAW) == value).then(render(text, columns)).otherwise(answer)
        frame = frame.with_columns(answer.alias("_answer"))
        columns[LABEL] = "_answer"
    templates = definition.templates
    index = pl.col(TEMPLATE)
    return frame.select(
        "id", pl.lit(name).alias("task"),
        index.replace_strict(list(range(len(templates))), [t.id for t in templates], return_dtype=pl.Utf8)
        .alias("template_id"),
        "source_split", "source_id", pl.col(LABEL_CLASS).alias("label"),
        pl.lit(definition.system or system, dtype=pl.Utf8).alias("system"),
        render_by(index, [t.instruction for t in templates], columns).alias("instruction"),
        render_by(index, [t.input for t in templates], columns).alias("input"),
        render_by(index, [t.output for t in templates], columns).alias("output"),
    ).cast(EXAMPLE_COLUMNS)  # type: ignore[arg-type]


def build(loaded: LoadedTasks, output: Path, tokenizer: str | None = None) -> dict[str, Any]:
    spec = loaded.spec
    seed = spec.seed
    notes: list[str] = []
    tasks: dict[str, dict[str, Any]] = {}
    selected: dict[str, tuple[pl.DataFrame, list[str]]] = {}
    for entry in spec.tasks:
        name, definition = entry.label_name, entry.definition()
        candidates = read_candidates(entry, definition)
        kept, over = cap(candidates.frame, seed, name, entry.max_examples or spec.max_examples,
                         entry.max_per_label or spec.max_per_label)
        ids = pl.concat_str([pl.lit(f"{name}/"), pl.col("source_id")])
        repeat = pl.int_range(pl.len()).over(ids)  # a source id seen twice (two files): still one id each
        kept = kept.with_columns(pl.when(repeat == 0).then(ids).otherwise(pl.concat_str([ids, pl.lit("#"),
                                                                                          repeat.cast(pl.Utf8)]))
                                 .alias("id"))
        selected[name] = (kept, candidates.fields)
        tasks[name] = {"definition": definition, "files": [{"path": p, "split": s, "rows": n}
                                                           for p, s, n in candidates.files],
                       "rows_read": sum(n for _, _, n in candidates.files), "left_out": dict(candidates.skipped),
                       "over_cap": over}
    steps = list(loaded.steps)
    evaluation = _evaluation_step(loaded)
    if evaluation is not None:
        steps.append(evaluation)
    ctx = RunContext(seed=seed, key=_key(loaded, notes))
    kept_by_task, refused, stats = pass_through(selected, steps, ctx)
    parts = []
    for name, frame in kept_by_task.items():
        definition = tasks[name]["definition"]
        chosen = assign_templates(frame, seed, name, len(definition.templates))
        parts.append(render_examples(chosen, name, definition, spec.system))
    examples = pl.concat(parts)
    order = _rng(seed, "mix").permutation(examples.height)
    examples = examples.with_columns(pl.Series("_order", order)).sort("_order").drop("_order")

    output.mkdir(parents=True, exist_ok=True)
    files = write_layouts(examples, output, spec.layouts, spec.formats)
    refused.sort("task", "id").write_parquet(output / "refused.parquet", statistics=False)
    by_task = examples.group_by("task").len()
    made = dict(zip(by_task["task"].to_list(), by_task["len"].to_list(), strict=True))
    report = _report(loaded, tasks, examples, refused, stats, made, files, notes, tokenizer or spec.tokenizer)
    (output / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (output / "report.md").write_text(markdown(report), encoding="utf-8")
    (output / "README.md").write_text(dataset_card(spec.layouts, spec.formats, made), encoding="utf-8")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return report


def _report(loaded: LoadedTasks, tasks: dict[str, dict[str, Any]], examples: pl.DataFrame, refused: pl.DataFrame,
            stats: list[Any], made: dict[str, int], files: list[str], notes: list[str],
            tokenizer: str | None) -> dict[str, Any]:
    refusals: dict[str, dict[str, int]] = {}
    grouped = refused.group_by("task", "step", "reason").len().sort("task", "step", "reason")
    for task, step, reason, n in grouped.iter_rows():
        refusals.setdefault(task, {})[f"{step}: {reason}"] = n
    per_task = {name: {"files": t["files"], "rows_read": t["rows_read"], "left_out": t["left_out"],
                       "over_cap": t["over_cap"], "refused": refusals.get(name, {}), "examples": made.get(name, 0),
                       "benchmark": t["definition"].benchmark}
                for name, t in tasks.items()}
    found: dict[str, int] = {}
    if loaded.spec.evaluation and stats:
        found = {k.removeprefix("removed_"): v for k, v in stats[-1].counters.items()}
    evaluation = [{"name": b.label, "adapter": b.adapter, "seen": b.seen, "refused": found.get(b.label, 0)}
                  for b in loaded.spec.evaluation]
    loaded_tokenizer = None
    if tokenizer is not None:
        from tokenizers import Tokenizer

        loaded_tokenizer = Tokenizer.from_file(str(tokenizer))
    return {"task_file": loaded.source, "seed": loaded.spec.seed, "examples": examples.height, "files": files,
            "tasks": per_task, **counts(examples), "evaluation": evaluation,
            # no seconds: the same input, file and seed give the same report, byte for byte
            "steps": [{k: v for k, v in s.to_dict().items() if k != "seconds"} for s in stats],
            "lengths": lengths(examples, loaded_tokenizer), "notes": notes}


def clear_output(output: Path) -> None:
    """Remove what an earlier instruct run wrote there, and nothing else."""
    for name in (*OUTPUTS, *LAYOUTS_WRITTEN):
        target = output / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()

