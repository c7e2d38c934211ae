"""The layouts trainers read, written as Parquet and JSONL.

- ``messages``: a list of {role, content}: system (when the task has one), user, assistant;
  what ``tokenizer.apply_chat_template`` and TRL's SFT trainer take.
- ``alpaca``: ``instruction``, ``input``, ``output`` (Stanford Alpaca's fields; ``system`` too).
- ``prompt_completion``: ``prompt`` (the user turn) and ``completion``.

Every row also says where it came from: ``id``, ``task``, ``template_id``, ``source_split``,
``source_id``, ``label``. Files: ``OUTPUT/<layout>/train.parquet`` and ``.jsonl``, read by
``datasets.load_dataset("parquet", data_files=...)`` (or ``"json"``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

PROVENANCE = ["id", "task", "template_id", "source_split", "source_id", "label"]
_EXTENSIONS = {"parquet": "parquet", "jsonl": "jsonl"}
LAYOUTS_WRITTEN = ("messages", "alpaca", "prompt_completion")  # one directory each


def user_turn() -> pl.Expr:
    """The instruction and, below it, its input (when it has one)."""
    return (pl.when(pl.col("input") == "").then(pl.col("instruction"))
            .otherwise(pl.concat_str([pl.col("instruction"), pl.col("input")], separator="\n\n")))


def _turn(role: str, content: pl.Expr) -> pl.Expr:
    return pl.struct(pl.lit(role).alias("role"), content.alias("content"))


def messages() -> pl.Expr:
    with_system = pl.concat_list([_turn("system", pl.col("system")), _turn("user", user_turn()),
                                  _turn("assistant", pl.col("output"))])
    without = pl.concat_list([_turn("user", user_turn()), _turn("assistant", pl.col("output"))])
    return pl.when(pl.col("system").is_not_null()).then(with_system).otherwise(without).alias("messages")


def layout_frame(examples: pl.DataFrame, layout: str) -> pl.DataFrame:
    """``examples`` (instruction, input, output, system and provenance) in one layout."""
    if layout == "messages":
        body = [messages()]
    elif layout == "alpaca":
        body = [pl.col("instruction"), pl.col("input"), pl.col("output"), pl.col("system")]
    elif layout == "prompt_completion":
        body = [user_turn().alias("prompt"), pl.col("output").alias("completion")]
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return examples.select(*body, *PROVENANCE)


def write_layouts(examples: pl.DataFrame, output: Path, layouts: list[str], formats: list[str]) -> list[str]:
    """Write every layout in every format; the files written, relative to ``output``."""
    written = []
    for layout in layouts:
        frame = layout_frame(examples, layout)
        (output / layout).mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            name = f"{layout}/train.{_EXTENSIONS[fmt]}"
            if fmt == "parquet":
                frame.write_parquet(output / name, statistics=False)
            else:
                frame.write_ndjson(output / name)
            written.append(name)
    return written


def dataset_card(layouts: list[str], formats: list[str], counts: dict[str, int]) -> str:
    """A Hugging Face dataset card: one config a layout, so ``load_dataset(OUTPUT, "alpaca")`` works."""
    fmt = "parquet" if "parquet" in formats else "jsonl"
    configs = "".join(f"- config_name: {layout}\n  data_files:\n  - split: train\n    path: {layout}/train.{fmt}\n"
                      + ("  default: true\n" if i == 0 else "") for i, layout in enumerate(layouts))
    lines = [f"| {task} | {n:,} |" for task, n in sorted(counts.items())]
    return ("---\nlanguage:\n- ko\ntask_categories:\n- text-generation\nconfigs:\n" + configs + "---\n\n"
            "# Korean instruction data (curate instruct)\n\nBuilt by `curate instruct` from labelled Korean "
            "datasets with Korean templates (see report.md). Licences are those of the source datasets.\n\n"
            "| task | examples |\n|---|---|\n" + "\n".join(lines) + "\n")
