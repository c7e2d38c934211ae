"""Templates written in Korean, with placeholders for fields, rendered as Polars expressions.

``{name}`` is a field's value; ``{name:이/가}`` is the value followed by the particle that fits
its last syllable (이 after a final consonant, 가 otherwise; a particle starting with 으, such as
으로/로, also takes the second form after ㄹ). A Korean speaker writes "{label:으로/로} 분류됩니다"
once and it reads right for 경제(로) and 사회(로) alike. ``{{`` and ``}}`` are literal braces.
"""

from __future__ import annotations

import re

import polars as pl

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}:]+)(?::([^{}/]+)/([^{}/]+))?\}")
_SYLLABLES = 0xAC00
# Syllables without a final consonant, and those ending in ㄹ, as regex classes; digits as read
# aloud (이, 사, 오, 구 end open; 일, 칠, 팔 end in ㄹ).
_OPEN = "".join(chr(_SYLLABLES + 28 * k) for k in range(399)) + "2459"
_RIEUL = "".join(chr(_SYLLABLES + 28 * k + 8) for k in range(399)) + "178"


class TemplateError(ValueError):
    """A template that cannot be rendered (an unknown placeholder, an unbalanced brace)."""


def placeholders(template: str) -> list[str]:
    """The field names a template refers to, in order of first use."""
    names = [m.group(1).strip() for m in _PLACEHOLDER.finditer(template) if m.group(1)]
    leftover = _PLACEHOLDER.sub("", template)
    if "{" in leftover or "}" in leftover:
        raise TemplateError(f"a brace that is no placeholder in {template!r} ({{name}}, {{name:이/가}}; "
                            "{{ and }} for literal braces)")
    return list(dict.fromkeys(names))


def with_particle(value: pl.Expr, after_consonant: str, after_vowel: str) -> pl.Expr:
    """``value`` followed by the form of a particle its last syllable takes."""
    open_end = f"[{_OPEN}{_RIEUL}]$" if after_consonant.startswith("으") else f"[{_OPEN}]$"
    last = value.str.strip_chars_end(" .,!?\"')]")
    return pl.concat_str([value, pl.when(last.str.contains(open_end)).then(pl.lit(after_vowel))
                          .otherwise(pl.lit(after_consonant))])


def render(template: str, columns: dict[str, str]) -> pl.Expr:
    """One template over a frame: ``columns`` maps each placeholder to the column holding it."""
    placeholders(template)  # a stray brace is an error, not literal text
    parts: list[pl.Expr] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        if m.start() > pos:
            parts.append(pl.lit(template[pos:m.start()]))
        pos = m.end()
        if m.group(0) in ("{{", "}}"):
            parts.append(pl.lit(m.group(0)[0]))
            continue
        name = m.group(1).strip()
        if name not in columns:
            raise TemplateError(f"unknown placeholder {{{name}}}; known: {', '.join(sorted(columns))}")
        value = pl.col(columns[name])
        parts.append(with_particle(value, m.group(2), m.group(3)) if m.group(2) else value)
    if pos < len(template):
        parts.append(pl.lit(template[pos:]))
    if not parts:
        return pl.lit("")
    return pl.concat_str(parts) if len(parts) > 1 else parts[0].cast(pl.Utf8)


def render_by(index: pl.Expr, templates: list[str], columns: dict[str, str]) -> pl.Expr:
    """Row by row, the template whose position in ``templates`` is ``index``."""
    expr = pl.when(index == 0).then(render(templates[0], columns))
    for i, template in enumerate(templates[1:], start=1):
        expr = expr.when(index == i).then(render(template, columns))
    return expr.otherwise(pl.lit(None, dtype=pl.Utf8))
