"""Progress from inside long work: the work says how far it is; whoever runs it shows it.

Kiwi over a partition's distinct words, or the tokenizer's trainer, can take minutes inside one
task, and a bar that counts tasks sits at 0/1 all that time. Such work calls ``advance``; an
executor (or a command) installs a reporter around it with ``reporting_to`` and carries the
figures to its bars, across processes where the work runs in a worker. With no reporter
installed, ``advance`` does nothing.

``what`` names the count and ends with its unit ("Kiwi, distinct words"): the command line
shows the last word as the bar's unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

Reporter = Callable[[str, int, int], None]  # (what, done, total)
IN_TASK = " ↳ "  # a bar's description: between a phase's label and a count from inside its tasks
T = TypeVar("T")

_reporter: Reporter | None = None  # one task runs at a time in a worker process


def advance(what: str, done: int, total: int) -> None:
    if _reporter is not None:
        _reporter(what, done, total)


@contextmanager
def reporting_to(reporter: Reporter | None) -> Iterator[None]:
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous


def counted(items: Iterable[T], what: str, total: int, every: int) -> Iterator[T]:
    """``items`` unchanged, advancing ``what`` every ``every`` items and at the end."""
    done = 0
    advance(what, 0, total)
    for item in items:
        yield item
        done += 1
        if done % every == 0:
            advance(what, done, total)
    advance(what, done, total)
