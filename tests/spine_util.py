"""Helpers for the pipeline-spine tests: write inputs and recipes, run them, read outputs back."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import yaml

from curate.config import load_recipe
from curate.executors import get_executor

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def write_recipe(folder: Path, inputs: list[str], steps: list[dict], **extra) -> Path:
    recipe = {"input": inputs, "output": str(folder / "out"), "steps": steps, **extra}
    path = folder / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
    return path


def run(recipe: Path, executor: str = "local", workers: int = 1, **overrides) -> dict:
    loaded = load_recipe(recipe, {"executor": executor, "workers": workers, **overrides})
    return get_executor(executor, workers).run(loaded, log=lambda _: None)


def jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def read_outputs(out: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[dict]]:
    """(kept, dropped, quarantined) of a finished run."""
    kept_files = sorted((out / "data").glob("part-*.parquet"))
    kept = pl.concat([pl.read_parquet(p) for p in kept_files]) if kept_files else pl.DataFrame()
    dropped_files = sorted((out / "dropped").glob("part-*.parquet"))
    dropped = pl.concat([pl.read_parquet(p) for p in dropped_files]) if dropped_files else pl.DataFrame(
        schema={"id": pl.Utf8, "source": pl.Utf8, "line": pl.Int64, "step": pl.Utf8, "reason": pl.Utf8})
    quarantined = [json.loads(line) for p in sorted((out / "quarantine").glob("part-*.jsonl"))
                   for line in p.read_text(encoding="utf-8").splitlines()]
    return kept, dropped, quarantined


def output_bytes(out: Path) -> dict[str, bytes]:
    """Every output file that must be identical between runs (not the report: it has timings)."""
    return {str(p.relative_to(out)): p.read_bytes()
            for sub in ("data", "dropped", "quarantine") for p in sorted((out / sub).glob("*"))}
