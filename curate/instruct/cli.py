"""``curate instruct TASKS.yaml --output DIR``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)


def instruct(
    tasks: Annotated[Path, typer.Argument(help="task file, e.g. pipelines/instruct/kit19_local.yaml")],
    output: Annotated[Path, typer.Option("--output", "-o", help="output directory")],
    tokenizer: Annotated[str | None, typer.Option(help="tokenizer.json: report lengths in its tokens")] = None,
    overwrite: Annotated[bool, typer.Option(help="replace an earlier instruct run's files in OUTPUT")] = False,
) -> None:
    """Instruction data from labelled Korean datasets: Korean templates, balanced and seeded,
    checked against evaluation benchmarks; chat messages, Alpaca and prompt/completion layouts."""
    from curate.config import RecipeError
    from curate.instruct.build import OUTPUTS, build, clear_output
    from curate.instruct.spec import load_tasks
    from curate.instruct.template import TemplateError
    from curate.io.formats import InputError

    if output.exists() and any(output.iterdir()):
        if not overwrite:
            err.print(f"[red]error:[/red] {output} is not empty; --overwrite replaces an earlier instruct run's "
                      f"files ({', '.join(OUTPUTS)}, one directory a layout)", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        clear_output(output)
    try:
        report = build(load_tasks(tasks), output, tokenizer)
    except (RecipeError, InputError, TemplateError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    shown = ", ".join(f"{task} {t['examples']:,}" for task, t in report["tasks"].items())
    typer.echo(f"{report['examples']:,} examples ({shown}) -> {output}   report: {output}/report.md")
