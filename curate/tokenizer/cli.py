"""``curate tokenizer train|eval`` (mounted by curate.cli)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from curate.cli_errors import UserError, user_errors

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Train and evaluate the morpheme-pretokenized subword tokenizer.")
out = Console()

BASELINES = ("plain-bpe", "sp-bpe", "sp-unigram", "kiwi-sw")


def _texts(paths: list[str], text_field: str, limit: int | None):
    from curate.io import load_texts

    texts = load_texts(paths, text_field=text_field)
    texts = texts.head(limit) if limit else texts
    if texts.drop_nulls().str.len_bytes().sum() == 0:
        raise UserError(f"no text read from {', '.join(paths)} (text field {text_field!r}; --text-field "
                         "names another)")
    return texts


@app.command()
def train(
    input: Annotated[list[str], typer.Option(
        "--input", "-i", help="input files or globs (any pipeline format, e.g. OUTPUT/data/*.parquet)")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="directory for tokenizer.json")],
    vocab_size: Annotated[int, typer.Option(help="target vocabulary size")] = 32_000,
    algorithm: Annotated[str, typer.Option(help="bpe, wordpiece or unigram")] = "bpe",
    special_tokens: Annotated[Path | None,
                              typer.Option(help="YAML like tokenizer/special_tokens.yaml")] = None,
    min_frequency: Annotated[int, typer.Option(help="minimum pair count for a merge")] = 2,
    workers: Annotated[int, typer.Option(help="processes cutting eojeols with Kiwi")] = 2,
    text_field: Annotated[str, typer.Option(help="text field of JSON/parquet inputs")] = "text",
    limit: Annotated[int | None, typer.Option(help="use only the first N texts")] = None,
    analyse_min_count: Annotated[int, typer.Option(
        help="eojeols seen fewer times are cut by --rare-rule, not Kiwi (1: Kiwi for all)")] = 2,
    rare_rule: Annotated[str, typer.Option(help="syllables, suffixes, runs or whole")] = "syllables",
) -> None:
    """Train DIR/tokenizer.json: Kiwi morphemes for training only, none at inference."""
    from curate.cli import ProgressBars
    from curate.progress import IN_TASK, reporting_to
    from curate.tokenizer.build import TrainOptions, train_from_texts

    t0 = time.perf_counter()
    with user_errors():
        texts = _texts(input, text_field, limit)
    read = time.perf_counter() - t0
    options = TrainOptions(vocab_size, algorithm, special_tokens, min_frequency, workers,  # type: ignore[arg-type]
                           analyse_min_count=analyse_min_count, rare_rule=rare_rule)  # type: ignore[arg-type]
    typer.echo(f"training on {texts.len():,} texts ({texts.str.len_bytes().sum() / 1e6:,.1f} MB): counting "
               "words, cutting them into morphemes with Kiwi, then merges", err=True)
    with ProgressBars(quiet=False) as (bars, _), reporting_to(lambda what, done, total: bars(
            f"tokenizer{IN_TASK}{what}", done, total)):
        result = train_from_texts(texts, options, out_dir)
    mb = round(texts.str.len_bytes().sum() / 1e6, 3)
    summary = {"path": str(result.path), "texts": texts.len(), "mb": mb,
               "seconds": {"read": round(read, 3), **result.seconds}, **result.stats}
    out.print_json(json.dumps(summary, ensure_ascii=False))


@app.command("eval")
def evaluate_command(
    tokenizer: Annotated[Path, typer.Option("--tokenizer", "-t",
                                            help="directory or tokenizer.json to evaluate")],
    heldout: Annotated[list[str], typer.Option("--heldout", help="held-out texts (files or globs)")],
    train_input: Annotated[list[str] | None,
                           typer.Option("--train", help="training texts for the baselines")] = None,
    baselines: Annotated[str, typer.Option(help="comma-separated: " + ",".join(BASELINES) + " (or none)")]
    = ",".join(BASELINES),
    analyzer: Annotated[bool, typer.Option(help="also run the tokenizer with Kiwi at inference")] = True,
    text_field: Annotated[str, typer.Option(help="text field of JSON/parquet inputs")] = "text",
    heldout_limit: Annotated[int | None, typer.Option(help="first N held-out texts")] = 2000,
    train_limit: Annotated[int | None, typer.Option(help="first N training texts for the baselines")] = None,
    workers: Annotated[int, typer.Option(help="threads for baselines' training")] = 2,
    report: Annotated[Path | None, typer.Option(help="write the table (markdown) here")] = None,
) -> None:
    """Score the tokenizer and the baselines (trained on --train at the same vocabulary size) side by side."""
    from tokenizers import Tokenizer

    from curate.tokenizer import candidates as cand
    from curate.tokenizer.evaluate import evaluate, to_markdown
    from curate.tokenizer.specials import load_special_tokens

    path = tokenizer / "tokenizer.json" if tokenizer.is_dir() else tokenizer
    if not path.is_file():
        typer.echo(f"error: no tokenizer at {path} (a directory with tokenizer.json, or the file)", err=True)
        raise typer.Exit(2)
    ours = Tokenizer.from_file(str(path))
    wanted = [b for b in baselines.split(",") if b and b != "none"]
    unknown = sorted(set(wanted) - set(BASELINES))
    if unknown:
        raise typer.BadParameter(f"unknown baselines: {', '.join(unknown)}")
    if wanted and not train_input:
        raise typer.BadParameter("baselines need --train")
    meta_path = path.parent / "training.json"
    vocab_size = (json.loads(meta_path.read_text()).get("vocab_size_requested") if meta_path.exists()
                  else None) or ours.get_vocab_size()
    candidates: list[cand.Candidate] = [cand.HFCandidate(ours, "ours")]
    if analyzer:
        candidates.append(cand.AnalyzerCandidate(ours))
    timings: dict[str, float] = {}
    if wanted:
        with user_errors():
            train_texts = _texts(train_input or [], text_field, train_limit)
        builders = cand.baseline_builders(train_texts, vocab_size, load_special_tokens(), workers)
        for name in wanted:
            t0 = time.perf_counter()
            try:
                candidates.append(builders[name]())
            except ValueError as exc:
                out.print(f"[yellow]skipping {name}: {exc}[/yellow]")
                continue
            timings[name] = round(time.perf_counter() - t0, 2)
    with user_errors():
        texts = [t for t in _texts(heldout, text_field, heldout_limit).to_list() if t]
    table = evaluate(candidates, texts)
    markdown = to_markdown(table)
    typer.echo(markdown)
    if timings:
        out.print(f"baseline training seconds: {json.dumps(timings)}")
    if report is not None:
        report.write_text(markdown)
