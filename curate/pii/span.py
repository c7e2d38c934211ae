"""A detected piece of personal information: where it is and what it is (never logged)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class PiiSpan:
    start: int  # character offset (Python str index), inclusive
    end: int  # character offset, exclusive
    type: str  # a PII type's name: rules/pii/types/<type>.yaml
    score: float  # confidence in [0, 1]

    def __repr__(self) -> str:  # the value itself is deliberately absent
        return f"PiiSpan({self.start}, {self.end}, {self.type!r}, {self.score:.2f})"
