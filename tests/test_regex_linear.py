"""Every regular expression in rules/ runs in linear time on adversarial strings.

Polars' engine (Rust regex) is linear by construction, so for it we check that the time
scales with the input; the Python ``regex`` engine backtracks, so there every pattern must
also finish adversarial input within a timeout."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
import regex
import yaml

RULES = Path(__file__).resolve().parents[1] / "rules"
META = set("\\[]()|*+?{}^$")
UNITS = ["1", "1-", "a@", "a.", "가", "가 ", "<a ", "ㅋ", "(", "0.", " ", "@a.", "12가", "\n", "-1", "a1", "http://a"]


def _patterns() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")
        elif isinstance(node, str) and len(node) > 2 and META & set(node) and ".macros." not in where:
            try:
                pl.Series([""]).str.contains(node)
            except Exception:
                try:
                    regex.compile(node)
                except regex.error:
                    return
            found.append((where, node))

    # Macros are fragments spliced into the full patterns, which are what runs (and is checked).
    for path in sorted(RULES.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), str(path.relative_to(RULES)))
    return found


PATTERNS = _patterns()
# Rules that Python code runs with the backtracking ``regex``/``re`` engines (the rest run in
# Polars only): the PII detector's precise checks and the mojibake repair.
PYTHON_RUN = ("pii/", "clean/normalize.yaml")


def test_rules_hold_patterns():
    assert len(PATTERNS) > 30


@pytest.mark.parametrize(("where", "pattern"), PATTERNS, ids=[w for w, _ in PATTERNS])
def test_pattern_is_linear(where, pattern):
    compiled = None
    if where.startswith(PYTHON_RUN):
        try:
            compiled = regex.compile(pattern)
        except regex.error:
            pass
    for unit in UNITS:
        if compiled is not None:  # the backtracking engine: must not blow up
            try:
                compiled.search(unit * 10_000 + "!", timeout=2.0)
            except TimeoutError:
                pytest.fail(f"{where}: catastrophic backtracking on {unit!r} * 10000")
    try:
        series = pl.Series([""])
        series.str.contains(pattern)
    except Exception:
        return
    for unit in UNITS:
        small, large = (pl.Series([unit * n]) for n in (5_000, 50_000))
        # Best of three: a busy machine (CI, helpers) stretches single timings, never the minimum.
        t_small, t_large = (_best_time(lambda s=series: s.str.replace_all(pattern, "")) for series in (small, large))
        # 10x the input may take 10x the time; allow 25x for noise, not the 100x of quadratic
        assert t_large < 25 * t_small + 0.05, f"{where}: superlinear on {unit!r}"


def _best_time(run, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best
