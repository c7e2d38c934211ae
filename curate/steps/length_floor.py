"""length_floor: the recipe's document length floor, checked again after steps that cut text.

A ``length_filter`` keeps documents of at least ``min_chars``; a later step that removes lines
or spans (sentence-level dedup, cjk_filter, decontamination, sentence-mode toxicity, PII
replacement) can leave a kept document below that floor ("- 끝 -"). When a recipe has such a step
after its ``length_filter``, the recipe loader adds this step after the last of them, with the
filter's ``min_chars`` (``curate.config.add_length_floor``), so the floor holds for the output.
It can also be written in a recipe by hand.
"""

from __future__ import annotations

from typing import ClassVar

from curate.steps import register
from curate.steps.length_filter import LengthFilter


@register
class LengthFloor(LengthFilter):
    """Drop documents that earlier steps cut below ``min_chars`` (reason ``too_short``)."""

    name: ClassVar[str] = "length_floor"
