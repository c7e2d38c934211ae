"""OUTPUT/README.md: a Hugging Face dataset card for the run's output.

The YAML header is what the Hub and ``datasets.load_dataset(OUTPUT)`` read (``configs`` with
``data_files``, ``language``, ``license``, ``size_categories``); the body says how the data was
made: curate's version, the recipe, the counts, the licences per source as the recipe declared
them (``input.paths[].add``), and a few kept records. The sample shows text as the output holds
it: pseudonymized when the recipe has a ``pii`` step, and said so when it has none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

import curate

# Hugging Face's size categories, by record count
_SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
          (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
SAMPLE_RECORDS = 3
SAMPLE_CHARS = 300


def size_category(n: int) -> str:
    return next((name for limit, name in _SIZES if n < limit), "n>1B")


def _licences(loaded: Any) -> list[tuple[str, str, str]]:
    """(input path, source, licence) for each input entry that declares a licence."""
    from curate.config import InputPath

    out = []
    for entry in loaded.recipe.input.paths:
        if isinstance(entry, InputPath) and entry.add.get("license") is not None:
            out.append((Path(entry.path).name, str(entry.add.get("source", "")), str(entry.add["license"])))
    return out


def _hub_licence(licences: list[tuple[str, str, str]]) -> str:
    """One SPDX-like id for the header when every source shares a licence, else ``other``."""
    names = {lic for _, _, lic in licences}
    if len(names) != 1:
        return "other" if names else "unknown"
    return next(iter(names)).lower().replace(" ", "-")


def dataset_card(loaded: Any, report: dict[str, Any], sample: list[dict[str, Any]]) -> str:
    fmt = loaded.recipe.output.format
    licences = _licences(loaded)
    header = {
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": f"data/*.{fmt}"}]}],
        "language": ["ko"],
        "license": _hub_licence(licences),
        "size_categories": [size_category(report["records_kept"])],
        "tags": ["curate"],
    }
    pii = any(s["step"].split(".")[0] == "pii" for s in report["steps"])
    lines = [
        "---", yaml.safe_dump(header, allow_unicode=True, sort_keys=False).rstrip(), "---", "",
        f"# {Path(loaded.recipe.output.path).name}", "",
        f"Made by curate {curate.__version__} with the recipe `{Path(loaded.source).name}` "
        f"({report['executor']} executor).", "",
        "## Counts", "",
        "| records in | kept | dropped | quarantined | MB in | MB out |", "|---|---|---|---|---|---|",
        f"| {report['records_in']:,} | {report['records_kept']:,} | {report['records_dropped']:,} | "
        f"{report['records_quarantined']:,} | {report['bytes_in'] / 1e6:,.1f} | {report['bytes_out'] / 1e6:,.1f} |",
        "", "Dropped, by step and reason:", "",
        *[f"- {s['step']}: {reason} {n:,}" for s in report["steps"] for reason, n in s["drops"].items()],
        "",
    ]
    if licences:
        lines += ["## Sources and licences", "", "| input | source | licence |", "|---|---|---|",
                  *[f"| {p} | {s} | {lic} |" for p, s, lic in licences], ""]
    if report.get("by_group"):
        by = report["by_group"]
        lines += [f"## By {by['field']}", "", "| value | in | kept | dropped |", "|---|---|---|---|",
                  *[f"| {g} | {v['records_in']:,} | {v['kept']:,} | {v['dropped_total']:,} |"
                    for g, v in by["values"].items()], ""]
    schema = report.get("output_schema", {}).get("columns", {})
    if schema:
        lines += ["## Columns", "", *[f"- `{name}`: {dtype}" for name, dtype in schema.items()], ""]
    lines += ["## Recipe", "", "```yaml", Path(loaded.source).read_text(encoding="utf-8").rstrip(), "```", ""]
    lines += ["## Sample", "", "Text as the output holds it" + (" (PII pseudonymized by the recipe's pii step)."
                                                                  if pii else "; the recipe has no pii step."), ""]
    for record in sample[:SAMPLE_RECORDS]:
        shown = {k: (v[:SAMPLE_CHARS] + "…" if isinstance(v, str) and len(v) > SAMPLE_CHARS else v)
                 for k, v in record.items()}
        lines += ["```json", json.dumps(shown, ensure_ascii=False, default=str, indent=1), "```", ""]
    return "\n".join(lines)


def kept_sample(store: Any, fmt: str, n: int = SAMPLE_RECORDS) -> list[dict[str, Any]]:
    """The first ``n`` kept records, from the first output parts that hold any."""
    import io

    import polars as pl

    rows: list[dict[str, Any]] = []
    for name in sorted(store.list("data", f"part-*.{fmt}")):
        data = store.read_bytes(f"data/{name}")
        if fmt == "parquet":
            rows += pl.read_parquet(io.BytesIO(data), n_rows=n - len(rows)).to_dicts()
        else:
            rows += [json.loads(line) for line in data.decode("utf-8").splitlines()[:n - len(rows)]]
        if len(rows) >= n:
            break
    return rows


def write_card(store: Any, loaded: Any, report: dict[str, Any]) -> None:
    card = dataset_card(loaded, report, kept_sample(store, loaded.recipe.output.format))
    store.write_bytes("README.md", card.encode("utf-8"))
