"""``curate pseudonymize``: a stdin -> stdout PII filter.

    curate pseudonymize --key-file key.txt < in.txt > out.txt
    curate pseudonymize --field text --mode mask < in.jsonl > out.jsonl
    python -m curate.pii.cli --stats < in.txt > out.txt

Input is read line by line in batches; every batch goes through one ``pseudonymize_batch`` call.
Plain text: one record per line. JSONL (``--field``): only that field is rewritten (every string
inside it), the other fields pass through; a line that is not JSON is warned about by number and
rewritten as plain text. One output line per input line; bytes are never refused (``filter_stream``).
The key comes from ``--key-file`` or ``CURATE_PII_KEY`` (at least 16 bytes); without either, a
random per-run key is used (fakes are then not reproducible across runs). ``--stats`` prints
counts by type to stderr at the end, never values.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from curate.pii.keys import DEFAULT_KEY_ENV, KeyFileError, key_from_env_or_file
from curate.pii.pseudonymizer import MODES, Pseudonymizer

INVALID_UTF8 = "invalid_utf8_lines"
NOT_JSON = "not_json_lines"
NO_FIELD = "lines_without_field"
app = typer.Typer(add_completion=False, help="Pseudonymize PII in text read from stdin.")


def pseudonymize(
    key_file: Annotated[Path | None, typer.Option(help=f"key file (else ${DEFAULT_KEY_ENV})")] = None,
    mode: Annotated[str, typer.Option(help=" | ".join(MODES))] = "pseudonymize",
    mode_for: Annotated[list[str] | None, typer.Option(
        "--mode-for", help="another mode for one type, TYPE=MODE (repeat or a=b,c=d): --mode-for rrn=mask")] = None,
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
        pseudonymizer = Pseudonymizer(key=key, types=type_list, mode=mode, min_score=min_score,
                                      modes=_modes(mode_for))
    except (KeyFileError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if key is None and pseudonymizer.modes_used() & {"pseudonymize", "hash"}:
        typer.echo(f"note: no key (--key-file or ${DEFAULT_KEY_ENV}); fakes are random per run", err=True)
    try:
        totals = filter_stream(sys.stdin.buffer, sys.stdout.buffer, pseudonymizer, field, batch_size,
                               warn=lambda message: typer.echo(f"warning: {message}", err=True))
    finally:
        sys.stdout.buffer.flush()
    if totals[NO_FIELD]:
        typer.echo(f"warning: {totals[NO_FIELD]:,} line(s) had no field {field!r} and passed through unchanged",
                   err=True)
    if totals[INVALID_UTF8]:
        typer.echo(f"note: {totals[INVALID_UTF8]} line(s) held invalid UTF-8, written with U+FFFD", err=True)
    if stats:
        for name, count in sorted(totals.items()):
            typer.echo(f"{name}\t{count}", err=True)


def _modes(items: list[str] | None) -> dict[str, str]:
    pairs = [pair.strip() for item in items or [] for pair in item.split(",") if pair.strip()]
    bad = [pair for pair in pairs if pair.count("=") != 1]
    if bad:
        raise ValueError(f"--mode-for takes TYPE=MODE, not {bad[0]!r}")
    return dict(pair.split("=") for pair in pairs)


def filter_stream(stdin: BinaryIO, stdout: BinaryIO, p: Pseudonymizer, field: str | None = None,
                  batch_size: int = 1000, warn: Callable[[str], None] | None = None) -> Counter[str]:
    """The filter itself: lines of ``stdin`` (split at b"\\n" only), PII replaced, to ``stdout``;
    returns counts by type (never values).

    Contract: one output line per input line, each with the input's line ending ("\\n", "\\r\\n" or,
    last, none), written as UTF-8; a line may become empty (remove_sentence). Nothing is refused
    for its bytes: invalid UTF-8 is repaired to U+FFFD (counted as ``invalid_utf8_lines``), so are
    lone surrogates in a rewritten field
    (``surrogates_replaced``; other fields keep theirs, written as escapes). With ``field``, every
    string inside the field is rewritten (a list or an object too; numbers are left); a line that
    is not JSON, or too deeply nested to write back, is rewritten as plain text, counted as
    ``not_json_lines`` and named to ``warn`` (its line number, never its text): nothing stops the
    stream and nothing passes untreated. Lines without ``field`` (blank, not an object, no such
    field) pass through unchanged.
    """
    totals: Counter[str] = Counter()
    batch: list[str] = []
    line_no = 0
    for raw in stdin:
        line_no += 1
        try:
            batch.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            batch.append(raw.decode("utf-8", "replace"))
            totals[INVALID_UTF8] += 1
        if len(batch) >= batch_size:
            stdout.write(_rewrite(batch, p, field, totals, line_no - len(batch) + 1, warn).encode("utf-8"))
            batch = []
    if batch:
        stdout.write(_rewrite(batch, p, field, totals, line_no - len(batch) + 1, warn).encode("utf-8"))
    return totals


def _rewrite(lines: list[str], p: Pseudonymizer, field: str | None, totals: Counter, first_line: int,
             warn: Callable[[str], None] | None) -> str:
    endings = ["\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else "" for line in lines]
    bodies = [line[: len(line) - len(end)] for line, end in zip(lines, endings, strict=True)]
    if field is None:
        texts, counts = p.pseudonymize_batch(bodies, return_counts=True)
        totals.update(counts)
        return "".join(t + e for t, e in zip(texts, endings, strict=True))
    records: dict[int, dict] = {}
    slots: list[tuple[int, Any, Any]] = []  # (line, container, key) of each string to rewrite; None: the line
    values: list[str] = []

    def not_json(i: int, why: str) -> None:  # counted and named, never shown
        totals[NOT_JSON] += 1
        if warn is not None:
            warn(f"line {first_line + i}: not JSON ({why}); rewritten as plain text")

    def as_plain_text(i: int, why: str) -> None:
        not_json(i, why)
        slots.append((i, None, None))
        values.append(bodies[i])

    for i, body in enumerate(bodies):
        if not body.strip():
            continue
        record, error = _load(body)
        if error is not None:
            as_plain_text(i, error)
        elif isinstance(record, dict) and field in record:
            records[i] = record
            for container, key in _strings_in(record, field):
                slots.append((i, container, key))
                values.append(container[key])
        else:  # passes through untreated: a mistyped --field must not go unnoticed
            if not totals[NO_FIELD] and warn is not None:
                warn(f"line {first_line + i}: no field {field!r}; lines without it pass through unchanged")
            totals[NO_FIELD] += 1
    texts, counts = p.pseudonymize_batch(values, return_counts=True)
    totals.update(counts)
    out = list(bodies)  # lines without the field pass through unchanged
    for (i, container, key), text in zip(slots, texts, strict=True):
        if container is None:
            out[i] = text
        else:
            container[key] = text
    for i, record in records.items():
        dumped = _dump(record)
        if dumped is None:  # loads but cannot be written back: its text, treated, keeps the line
            out[i] = p.pseudonymize_batch([bodies[i]])[0]
            not_json(i, "too deeply nested to rewrite")
        else:
            out[i] = dumped
    return "".join(b + e for b, e in zip(out, endings, strict=True))


def _strings_in(record: dict, field: str) -> list[tuple[Any, Any]]:
    """(container, key) of every string inside ``record[field]``, in document order; iterative, so
    any nesting that loaded is walked."""
    found: list[tuple[Any, Any]] = []
    stack: list[tuple[Any, Any]] = [(record, field)]
    while stack:
        container, key = stack.pop()
        value = container[key]
        if isinstance(value, str):
            found.append((container, key))
        elif isinstance(value, dict):
            stack.extend((value, k) for k in reversed(list(value)))
        elif isinstance(value, list):
            stack.extend((value, j) for j in reversed(range(len(value))))
    return found


def _load(body: str) -> tuple[Any, str | None]:
    """(the record, None) or (None, why it is not JSON)."""
    try:
        return json.loads(body), None
    except json.JSONDecodeError as exc:
        return None, exc.msg
    except (ValueError, RecursionError) as exc:  # an integer over the digit limit; nesting too deep
        return None, type(exc).__name__


def _dump(record: dict) -> str | None:
    try:
        text = json.dumps(record, ensure_ascii=False)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # a lone surrogate in another field: keep it, as an escape
        return json.dumps(record)
    except (ValueError, RecursionError):  # nesting that loads but cannot be written back
        return None


app.command("pseudonymize")(pseudonymize)


def main() -> None:
    typer.run(pseudonymize)


if __name__ == "__main__":
    main()
