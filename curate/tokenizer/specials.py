"""Special tokens: roles -> strings, plus an optional post-processing template.

The shipped default lives in the repository's top-level ``tokenizer/`` directory
(``special_tokens.yaml``); a user passes another file of the same shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

_PACKAGE = Path(__file__).resolve().parents[1]
DEFAULT_FILE = "special_tokens.yaml"


class SpecialTokens(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: dict[str, str]
    template: dict[str, str] | None = None

    @property
    def unk(self) -> str | None:
        return self.tokens.get("unk")

    def ordered(self) -> list[str]:
        return list(dict.fromkeys(self.tokens.values()))


def default_dir() -> Path:
    for candidate in (_PACKAGE / "_tokenizer", _PACKAGE.parent / "tokenizer"):
        if (candidate / DEFAULT_FILE).is_file():
            return candidate
    raise FileNotFoundError("tokenizer/special_tokens.yaml not found")


def load_special_tokens(source: str | Path | dict[str, Any] | SpecialTokens | None = None) -> SpecialTokens:
    """From a SpecialTokens, a dict of the YAML's shape, a YAML path, or None (the shipped default)."""
    if isinstance(source, SpecialTokens):
        return source
    if isinstance(source, dict):
        return SpecialTokens.model_validate(source)
    path = Path(source) if source is not None else default_dir() / DEFAULT_FILE
    with path.open(encoding="utf-8") as fh:
        return SpecialTokens.model_validate(yaml.safe_load(fh))
