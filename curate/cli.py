"""The ``curate`` command line."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from curate.config import RecipeError, load_recipe
from curate.io.formats import InputError
from curate.io.remote import redact
from curate.progress import IN_TASK

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Korean corpus curation: clean, pseudonymize PII, filter toxicity, dedup, tokenize.")
err = Console(stderr=True)

# Sub-commands that live with their capability; mounted here so `curate --help` lists them.
_SUBAPPS = {"toxicity": "curate.toxicity.cli", "tokenizer": "curate.tokenizer.cli"}


@app.command()
def run(
    recipe: Annotated[Path, typer.Argument(help="YAML recipe, e.g. pipelines/pretrain.yaml")],
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="input paths or globs (override)")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="output directory (override)")] = None,
    executor: Annotated[str | None, typer.Option(help="local or ray (override)")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes / Ray workers (override)")] = None,
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster address, e.g. auto")] = None,
    overwrite: Annotated[bool, typer.Option(help="discard an earlier run in the output directory")] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bars")] = False,
) -> None:
    """Run a recipe. Rerunning the same command resumes an interrupted run."""
    try:
        loaded = load_recipe(recipe, {"input": input, "output": output, "executor": executor,
                                      "workers": workers, "ray_address": ray_address})
        from curate.executors import get_executor

        cfg = loaded.recipe
        engine = get_executor(cfg.executor, cfg.workers, cfg.ray_address)
        with ProgressBars(quiet) as (callback, log):
            report = engine.run(loaded, overwrite=overwrite, progress=callback, log=log)
    except (RecipeError, InputError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted: shards already finished are kept; rerun the same command to resume",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    except OSError as exc:  # a full disk, a read-only directory: the system's reason, not a traceback
        where = exc.filename or (output or "the output directory")
        err.print(f"[red]error:[/red] cannot write {where}: {exc.strerror or exc}. Shards already finished are "
                  "kept: rerun the same command to resume.", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    _summary(report, redact(cfg.output.path))


@app.command()
def sample(
    output: Annotated[str, typer.Argument(help="a finished run's output directory (or object-store URL)")],
    step: Annotated[str, typer.Option(help="the step whose decisions to review, e.g. toxicity")],
    n: Annotated[int, typer.Option(min=1, help="records in the sample")] = 200,
    fmt: Annotated[str, typer.Option("--format", help="html or jsonl")] = "html",
    out: Annotated[str | None, typer.Option(help="file to write; default OUTPUT/review/<step>.<format>")] = None,
    seed: Annotated[int, typer.Option(help="another seed, another sample")] = 0,
) -> None:
    """A stratified sample of what a step dropped (by reason) and kept near its thresholds, text
    included, for a person to review."""
    from curate.executors.store import Store
    from curate.report.review import ReviewError, review_sample, to_html, to_jsonl

    if fmt not in ("html", "jsonl"):
        err.print(f"[red]error:[/red] --format is html or jsonl, not {fmt!r}", highlight=False)
        raise typer.Exit(2)
    try:
        drawn = review_sample(output, step, n, seed)
    except ReviewError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    payload = to_jsonl(drawn) if fmt == "jsonl" else to_html(drawn, f"curate review: {step} in {redact(output)}")
    if out is None:
        name = f"review/{step}.{fmt}"
        Store.for_url(output).write_bytes(name, payload)
        where = Store.for_url(output).shown(name)
    else:
        Path(out).write_bytes(payload)
        where = out
    kinds = ", ".join(f"{k} {c}" for k, c in drawn.group_by("kind").len().sort("kind").iter_rows())
    typer.echo(f"{drawn.height} records ({kinds or 'none'}) -> {where}")


@app.command()
def steps(
    name: Annotated[str | None, typer.Argument(help="one step, shown in full")] = None,
) -> None:
    """List the steps a recipe can name, with their parameters; `curate steps NAME` shows one in full."""
    from curate.steps import get_step_class, step_names
    from curate.steps.describe import BASE_FIELDS, describe_step, first_paragraph, parameters

    if name is not None:
        if name not in step_names():
            err.print(f"[red]error:[/red] no step {name!r}; steps: {', '.join(step_names())}", highlight=False)
            raise typer.Exit(2)
        Console(markup=False).print(describe_step(get_step_class(name)), highlight=False, soft_wrap=True)
        return
    table = Table("step", "parameters (default)", "what it does")
    for step in step_names():
        cls = get_step_class(step)
        shown = ", ".join(f"{p.name}={p.default}" if p.default is not None else p.name
                          for p in parameters(cls) if p.name not in BASE_FIELDS)
        table.add_row(step, shown, first_paragraph(cls))
    console = Console(markup=False)  # parameter types hold brackets: list[EvalSet]
    console.print(table)
    console.print(f"Every step also takes {', '.join(BASE_FIELDS)}. `curate steps NAME` shows a step in full.",
                  highlight=False)


# What a global step's shuffle phase counts (the driver names the phase last): a stage and a
# map phase count shards; a reduce, partitions of the shuffled hashes; a route, groups of them.
PHASE_UNITS = {"reduce": "partitions", "route": "groups", "finish": "task"}


def progress_unit(description: str) -> str:
    last = description.rsplit(" ", 1)[-1]
    if IN_TASK in description:  # a count from inside a task ends with its unit (curate/progress.py)
        return last
    return PHASE_UNITS.get(last, "shards")


class ProgressBars:
    """Rich progress bars on a terminal; plain lines otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        # the description gives way on a narrow terminal (``_fit``), so that the counts, the unit
        # and the time stay whole: what they need is about 50 columns with the bar
        self.room = max(20, err.width - 52)
        self.bars = Progress(TextColumn("{task.description}", table_column=Column(no_wrap=True)),
                             BarColumn(bar_width=12), MofNCompleteColumn(table_column=Column(no_wrap=True)),
                             TextColumn("{task.fields[unit]}", table_column=Column(no_wrap=True)),
                             TimeElapsedColumn(table_column=Column(no_wrap=True)), console=err, disable=quiet)
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.bars.__enter__()

        def callback(description: str, done: int, total: int) -> None:
            if description not in self.tasks:
                self.tasks[description] = self.bars.add_task(_fit(description, self.room), total=total,
                                                             unit=progress_unit(description))
            self.bars.update(self.tasks[description], completed=done, total=total)

        def log(message: str) -> None:
            self.bars.console.print(message, style="yellow", highlight=False)

        return callback, log

    def __exit__(self, *exc):
        return self.bars.__exit__(*exc)


def _fit(description: str, room: int) -> str:
    """``description`` in ``room`` columns, cut in the middle: its start says which stage or step,
    its end, longer, which phase or count ("train_t…Kiwi, distinct words")."""
    if len(description) <= room:
        return description
    head = room // 4
    return description[:head] + "…" + description[len(description) - (room - head - 1):]


def _summary(report: dict, output: str) -> None:
    out = Console(soft_wrap=True)
    out.print(f"[bold]{report['records_in']:,}[/] records in: [green]{report['records_kept']:,} kept[/], "
              f"[yellow]{report['records_dropped']:,} dropped[/], "
              f"[red]{report['records_quarantined']:,} quarantined[/] "
              f"in {report['seconds']:.1f} s ({report['mb_per_s'] or 0:.3g} MB/s)", highlight=False)
    out.print(f"output: {output}/data   report: {output}/report.html", highlight=False)
    if report["records_in"] and not report["records_kept"]:
        # a bound that keeps nothing (min_hangul_ratio: 30) should not pass for a clean run
        drops = [(n, s["step"], r) for s in report["steps"] for r, n in s["drops"].items()]
        top = ", ".join(f"{step} ({reason}): {n:,}" for n, step, reason in sorted(drops, reverse=True)[:3])
        err.print(f"[yellow]warning:[/yellow] no record was kept; most were dropped by {top or 'quarantine'}",
                  highlight=False, soft_wrap=True)


def _mount_subapps() -> None:
    for name, module in _SUBAPPS.items():
        try:
            sub = importlib.import_module(module).app
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a real missing dependency, not an absent capability
                raise
            continue
        app.add_typer(sub, name=name)
    app.command("instruct")(importlib.import_module("curate.instruct.cli").instruct)
    try:
        pii_cli = importlib.import_module("curate.pii.cli")
    except ModuleNotFoundError as exc:
        if exc.name != "curate.pii.cli":
            raise
    else:
        app.command("pseudonymize")(pii_cli.pseudonymize)


def main() -> None:
    _mount_subapps()
    app()


if __name__ == "__main__":
    main()
