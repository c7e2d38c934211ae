"""Every regular expression in rules/ runs in linear time on adversarial strings.

Polars' engine (Rust regex) is linear by construction, so for it we check that the time
scales with the input; the Python ``regex`` engine backtracks, so there every pattern must
also finish adversarial input within a timeout. The steps with a parser or a trainer behind
them (strip_markup, train_tokenizer) get the same scaling check on one adversarial record."""

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


# Whole steps on one adversarial record: the input grows 4x, so linear time grows ~4x and
# quadratic ~16x; 10x leaves room for noise on a busy machine and still fails quadratic.
LINEAR_4X = 10


@pytest.fixture(scope="module")
def unspaced_hangul():
    import random

    rng = random.Random(0)
    syllables = [chr(0xAC00 + rng.randrange(11172)) for _ in range(300)]
    return "".join(rng.choice(syllables) for _ in range(80_000))


def test_tokenizer_training_is_linear_on_one_unspaced_record(unspaced_hangul, tmp_path):
    from tokenizers import Tokenizer

    from curate.tokenizer.build import TrainOptions, train_from_texts

    options = TrainOptions(n_workers=1)
    train_from_texts(pl.Series(["워밍업 한 번"]), options)  # Kiwi loads once per process
    small, large = unspaced_hangul[:20_000], unspaced_hangul
    t_small, t_large = (_best_time(lambda t=text: train_from_texts(pl.Series([t]), options))
                        for text in (small, large))
    assert t_large < LINEAR_4X * t_small + 0.05, f"train_tokenizer superlinear: {t_small:.2f}s -> {t_large:.2f}s"
    # Still lossless: the long record's pieces join back, and the saved tokenizer decodes it exactly.
    result = train_from_texts(pl.Series([small]), options, tmp_path)
    tokenizer = Tokenizer.from_file(str(result.path))
    assert tokenizer.decode(tokenizer.encode(small, add_special_tokens=False).ids) == small


MARKUP = {
    "nested_div": lambda n: "<div>" * n + "가" + "</div>" * n,
    "unclosed_div": lambda n: "<div>" * n + "가",
    "nested_list": lambda n: "<ul><li>" * n + "가",
    "open_b": lambda n: "<b" * n + "가",
    "open_href": lambda n: "<a href=" * n + "가",
}


@pytest.mark.parametrize("shape", MARKUP)
def test_strip_markup_is_linear(shape):
    from curate.steps.strip_markup import StripMarkup

    step = StripMarkup()

    def run(n: int):
        return step.process(pl.DataFrame({"id": ["a"], "text": [MARKUP[shape](n)]})).df["text"][0]

    t_small, t_large = (_best_time(lambda n=n: run(n)) for n in (10_000, 40_000))
    assert t_large < LINEAR_4X * t_small + 0.05, f"{shape}: {t_small:.3f}s -> {t_large:.3f}s"
