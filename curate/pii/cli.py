"""``curate pseudonymize``: a stdin -> stdout PII filter.

    curate pseudonymize --key-file key.txt < in.txt > out.txt
    curate pseudonymize --field text --mode mask < in.jsonl > out.jsonl
    python -m curate.pii.cli --stats < in.txt > out.txt

Input is read line by line in batches; every batch goes through one ``pseudonymize_batch`` call.
Plain text: one record per line. JSONL (``--field``): only that field is rewritten, the other
fields pass through. The key comes from ``--key-file`` or ``CURATE_PII_KEY``; without either,
a random per-run key is used (fakes are then not reproducible across runs). ``--stats`` prints
counts by type to stderr at the end, never values.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from curate.pii.keys import DEFAULT_KEY_ENV, KeyFileError, key_from_env_or_file
from curate.pii.pseudonymizer import MODES, Pseudonymizer

app = typer.Typer(add_completion=False, help="Pseudonymize PII in text read from stdin.")


def pseudonymize(
    key_file: Annotated[Path | None, typer.Option(help=f"key file (else ${DEFAULT_KEY_ENV})")] = None,
    mode: Annotated[str, typer.Option(help=" | ".join(MODES))] = "pseudonymize",
    types: Annotated[list[str] | None, typer.Option("--types", help="PII types (repeat or a,b,c)")] = None,
    field: Annotated[str | None, typer.Option(help="input is JSONL; rewrite this field")] = None,
    min_score: Annotated[float | None, typer.Option(help="leave spans scored below this")] = None,
    batch_size: Annotated[int, typer.Option(help="lines per batch")] = 1000,
    stats: Annotated[bool, typer.Option(help="counts by type to stderr at the end")] = False,
) -> None:
    """Replace PII in stdin (plain text, or JSONL with --field) and write the result to stdout."""
    try:
        key = key_from_env_or_file(key_file)
        type_list = [t.strip() for item in types or [] for t in item.split(",") if t.strip()] or None
        pseudonymizer = Pseudonymizer(key=key, types=type_list, mode=mode, min_score=min_score)
    except (KeyFileError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if key is None:
        typer.echo(f"note: no key (--key-file or ${DEFAULT_KEY_ENV}); fakes are random per run", err=True)
    totals: Counter[str] = Counter()
    stdin = sys.stdin
    out = sys.stdout
    batch: list[str] = []
    line_no = 0
    for raw in stdin:
        line_no += 1
        batch.append(raw)
        if len(batch) >= batch_size:
            _flush(batch, pseudonymizer, field, totals, out, line_no)
            batch = []
    if batch:
        _flush(batch, pseudonymizer, field, totals, out, line_no)
    out.flush()
    if stats:
        for name, count in sorted(totals.items()):
            typer.echo(f"{name}\t{count}", err=True)


def _flush(
    lines: list[str], p: Pseudonymizer, field: str | None, totals: Counter, out, last_line: int
) -> None:
    endings = ["\n" if line.endswith("\n") else "" for line in lines]
    bodies = [line[:-1] if line.endswith("\n") else line for line in lines]
    if field is None:
        texts, counts = p.pseudonymize_batch(bodies, return_counts=True)
        totals.update(counts)
        out.write("".join(t + e for t, e in zip(texts, endings, strict=True)))
        return
    records, positions, values = [], [], []
    first_line = last_line - len(lines) + 1
    for i, body in enumerate(bodies):
        if not body.strip():
            records.append(None)
            continue
        try:
            record = json.loads(body)
        except json.JSONDecodeError as exc:
            typer.echo(f"error: line {first_line + i}: not JSON ({exc.msg})", err=True)
            raise typer.Exit(2) from None
        records.append(record)
        if isinstance(record, dict) and isinstance(record.get(field), str):
            positions.append(i)
            values.append(record[field])
    texts, counts = p.pseudonymize_batch(values, return_counts=True)
    totals.update(counts)
    for i, text in zip(positions, texts, strict=True):
        records[i][field] = text
    out.write("".join(
        (body if record is None else json.dumps(record, ensure_ascii=False)) + ending
        for record, body, ending in zip(records, bodies, endings, strict=True)
    ))


app.command("pseudonymize")(pseudonymize)


def main() -> None:
    typer.run(pseudonymize)


if __name__ == "__main__":
    main()
