"""Korean PII detector: Polars finds candidate rows, Python validates and scores only those.

The candidate passes run lookaround-free (Rust) regexes from the PII types' rules
(``rules/pii/types/*.yaml``, ``rules/pii/common.yaml``) over the whole column: a cheap
prefilter, then the union of the types' candidate regexes, then each type's own candidate regex
on the surviving rows; most text has no candidate and never reaches Python. On candidate rows the
precise ``regex`` patterns (explicit ASCII boundaries, so Hangul particles never block a match)
find spans, validators and context words set each span's score, and overlaps are resolved by
score, then length.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

import polars as pl
import regex

from curate.pii import person
from curate.pii.catalog import pii_types
from curate.pii.detect_rules import TypeRule, compiled_rules, reading_table
from curate.pii.span import PiiSpan

SPAN_SCHEMA = {"row": pl.UInt32, "start": pl.Int64, "end": pl.Int64, "type": pl.Utf8, "score": pl.Float64}

_Candidate = tuple[int, int, str, float]  # start, end, type, score
FAST_PATH_CHARS = 2_000  # one text this long or shorter is detected without a Polars frame
_UNION_SAMPLE = 256  # prefiltered rows that decide whether the union pass is worth running
# the per-type passes cost ~2.7 union passes a row: below this share of candidate rows the union
# pass pays for itself (measured: 86% on one-value-per-420-characters text, far less on news)
_UNION_SKIP_SHARE = 0.6
_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATES_REPLACED = "surrogates_replaced"


def repair_surrogates(text: str) -> tuple[str, int]:
    """``text`` with each lone surrogate replaced by U+FFFD (same length, so offsets hold), and how
    many there were. Polars strings are UTF-8 and cannot hold a surrogate; a Python str can (from
    a ``\\ud800`` JSON escape, say). Repairing, not refusing: the rest of the text still gets its
    PII treatment."""
    if _SURROGATE.search(text) is None:
        return text, 0
    return _SURROGATE.subn("\ufffd", text)


def default_types() -> list[str]:
    return [name for name, pii_type in pii_types().items() if pii_type.default]


class Detector:
    """Find PII spans in Korean text. ``types=None`` means every type marked ``default`` in its
    rules file (rules/pii/types/<type>.yaml)."""

    def __init__(
        self, types: list[str] | None = None, floor: float | None = None, allow: Iterable[str] | None = None
    ) -> None:
        """``floor``: the lowest score returned (None: each type's own ``min_score``). Below a
        type's minimum lie bare numbers without context (a 13-digit RRN, a 10-digit BRN): a user
        who asks for them trades precision for recall; patterns that need context then run
        without it, scored as they are.

        ``allow``: values never reported, whatever their type (public figures' names the user
        keeps, a company's own phone number): a span whose text is one of them is dropped, and a
        name in it is not looked for again elsewhere in the text."""
        rules, self._hard_negatives, self._negative_branches, self._prefilter = compiled_rules()
        self._floor = floor
        self._allow = frozenset(allow or ())
        wanted = default_types() if types is None else list(types)
        unknown = [t for t in wanted if t not in rules]
        if unknown:
            raise ValueError(f"no detection rules for PII types {unknown}; known: {sorted(rules)}")
        # rule order (the types' `order`) fixes tie-breaking, whatever order the caller lists types in
        self._rules = [rule for name, rule in rules.items() if name in wanted]
        self._order = {rule.name: i for i, rule in enumerate(self._rules)}
        union = "|".join(f"(?:{rule.candidate})" for rule in self._rules if not rule.solo_candidate)
        self._candidate_passes = [union] if union else []
        self._candidate_passes += [b for rule in self._rules if rule.solo_candidate
                                   for b in (*rule.candidate_branches, *rule.context_branches)]
        extra = [rule.prefilter for rule in self._rules if rule.prefilter]
        self._prefilter = "|".join([self._prefilter, *extra])
        # a finder's candidate branches (at most one finder type: person)
        self._finder_branches = next((r.candidate_branches for r in self._rules if r.finder), ())
        # The same prefilter for one text at a time, without a Polars frame (``detect``).
        self._prefilter_one = regex.compile(self._prefilter)
        # Detection reads dash variants, ㅡ, full-width forms as a reader does (one char to one).
        self._reading = reading_table()
        self._reading_from = [chr(cp) for cp in self._reading]
        self._reading_to = list(self._reading.values())

    @property
    def reading(self) -> dict[int, str]:
        """The ``str.translate`` table detection reads text through (``reading_table``)."""
        return self._reading

    @property
    def types(self) -> list[str]:
        return [rule.name for rule in self._rules]

    def detect(self, text: str) -> list[PiiSpan]:
        """Spans of ``text``; a lone surrogate in it is read as U+FFFD (``repair_surrogates``).

        One text up to ``FAST_PATH_CHARS`` never builds a Polars frame: building one costs ~1.5 ms,
        the patterns themselves tens of microseconds on a short text. The prefilter runs in Python's
        ``regex``, then every type's patterns (``detect_unfiltered``): the spans are the batch path's
        (tests/test_pii_fast_paths.py checks it on the evaluation set and on random text)."""
        text = repair_surrogates(text)[0]
        if len(text) <= FAST_PATH_CHARS:
            reading = text.translate(self._reading)
            if not self._rules or self._prefilter_one.search(reading) is None:
                return []
            return [PiiSpan(s, e, t, sc) for s, e, t, sc in self._spans(reading, self._rules)]
        found = self.detect_batch(pl.Series([text], dtype=pl.Utf8))
        return [PiiSpan(s, e, t, sc) for _, s, e, t, sc in found.iter_rows()]

    def detect_unfiltered(self, text: str) -> list[PiiSpan]:
        """Reference path: every type's patterns on ``text`` without the Polars candidate passes.
        Same result as ``detect`` (tests and the benchmark check that the passes lose nothing)."""
        return [PiiSpan(s, e, t, sc) for s, e, t, sc in self._spans(text, self._rules)]

    def detect_batch(self, texts: pl.Series) -> pl.DataFrame:
        """Spans of every text: columns row, start, end (character offsets), type, score."""
        return self.detect_batch_with_texts(texts)[0]

    def detect_batch_with_texts(self, texts: pl.Series) -> tuple[pl.DataFrame, dict[int, str]]:
        """``detect_batch``, and the texts of the rows looked at in Python (every row with a span
        among them) by row: a caller that rewrites those rows need not fetch them again."""
        row_texts: dict[int, str] = {}
        if not self._rules or texts.len() == 0:
            return pl.DataFrame(schema=SPAN_SCHEMA), row_texts
        texts = texts.cast(pl.Utf8)
        # what a reader sees, for the rows that hold a variant character (few: a cheap class scan)
        varied = texts.str.contains_any(self._reading_from).fill_null(False)
        reading, varied_rows = texts, pl.Series([], dtype=pl.UInt32)
        if varied.any():
            varied_rows = varied.arg_true()
            reading = texts.scatter(varied_rows, texts.gather(varied_rows).str.replace_many(
                self._reading_from, self._reading_to))
        frame = pl.DataFrame({"text": reading}).with_row_index("row")
        frame = frame.filter(pl.col("text").str.contains(self._prefilter).fill_null(False))
        # the union of the types' candidates narrows the rows again before one pass per type,
        # unless a sample says most rows hold a candidate (text dense with PII): there the union
        # pass would drop few rows and cost more than the per-type passes it saves
        union = pl.any_horizontal(pl.col("text").str.contains(p) for p in self._candidate_passes)
        sample = frame.head(_UNION_SAMPLE).select(union).to_series()
        if sample.sum() < _UNION_SKIP_SHARE * sample.len():
            frame = frame.filter(union)
        # which types' candidates each row holds, as one bit per rule: rows come back to Python
        # as (row, text, negatives, bits), and rows with the same bits share one list of rules
        # a finder's candidate matches (person) are extracted once: its flag is that any matched
        found = [pl.col("text").str.extract_all(b).alias(f"_f{j}") for j, b in enumerate(self._finder_branches)]
        flags = frame.select("row", "text", _contains_any(self._negative_branches).alias("negatives"), *found)
        flags = flags.with_columns(
            pl.sum_horizontal(self._flag(r).cast(pl.Int64) * (1 << i) for i, r in enumerate(self._rules)).alias("bits")
        ).filter(pl.col("bits") != 0)
        if flags.height == 0:
            return pl.DataFrame(schema=SPAN_SCHEMA), row_texts
        rules_of: dict[int, list[TypeRule]] = {}
        out: dict[str, list] = {"row": [], "start": [], "end": [], "type": [], "score": []}
        scans = self._prepare_finders(flags)
        for row, text, negatives, bits in flags.select("row", "text", "negatives", "bits").iter_rows():
            row_texts[row] = text
            rules = rules_of.get(bits)
            if rules is None:
                rules = rules_of[bits] = [rule for i, rule in enumerate(self._rules) if bits >> i & 1]
            for start, end, type_, score in self._spans(text, rules, negatives, scans):
                out["row"].append(row)
                out["start"].append(start)
                out["end"].append(end)
                out["type"].append(type_)
                out["score"].append(score)
        # spans are found in what a reader sees, replaced in the original text (of the few rows that differ)
        changed = [row for row in varied_rows.to_list() if row in row_texts]
        if changed:
            row_texts.update(zip(changed, texts.gather(changed).to_list(), strict=True))
        return pl.DataFrame(out, schema=SPAN_SCHEMA), row_texts

    def _flag(self, rule: TypeRule) -> pl.Expr:
        """Rows that may hold a value of ``rule``'s type. Its ``context_branches`` are the
        candidates of patterns that run only where a context word is (``_match_type``), so they
        count only together with one; with a ``floor`` those patterns run anyway."""
        if rule.finder:
            return pl.any_horizontal(pl.col(f"_f{j}").list.len() > 0 for j in range(len(rule.candidate_branches)))
        if not rule.context_branches:
            return _contains_any(rule.candidate_branches)
        gated = _contains_any(rule.context_branches)
        if self._floor is None:
            gated = gated & pl.col("text").str.contains(rule.context_candidate)
        return _contains_any(rule.candidate_branches) | gated if rule.candidate_branches else gated

    def _prepare_finders(self, flags: pl.DataFrame) -> person.Scans | None:
        """Kiwi reads the batch's candidate words at once, each distinct word once (``person``);
        the rows' scans go back to the caller, held by this call alone (no state shared between
        detectors or threads)."""
        for i, rule in enumerate(self._rules):
            if rule.finder == "person":
                columns = [f"_f{j}" for j in range(len(rule.candidate_branches))]
                rows = flags.filter((pl.col("bits") // (1 << i)) % 2 == 1).select("text", *columns)
                matched = list(zip(*(rows[c].to_list() for c in columns), strict=True))
                return person.prepare(rows["text"].to_list(), matched, self._allow)
        return None

    def _spans(self, text: str, rules: list[TypeRule], negatives: bool = True,
               scans: person.Scans | None = None) -> list[_Candidate]:
        """``negatives=False``: the row matches no hard-negative candidate, so no hard negative."""
        candidates: list[_Candidate] = []
        for rule in rules:
            candidates.extend(self._match_type(text, rule, scans))
        if self._allow:
            candidates = [c for c in candidates if text[c[0] : c[1]] not in self._allow]
        if not candidates:
            return []
        for pattern in self._hard_negatives if negatives else ():
            negatives = [m.span() for m in pattern.finditer(text)]
            if negatives:
                candidates = [c for c in candidates if not _inside_any(c, negatives)]
        return _resolve_overlaps(candidates, self._order)

    def _match_type(self, text: str, rule: TypeRule, scans: person.Scans | None = None) -> list[_Candidate]:
        floor = rule.min_score if self._floor is None else min(rule.min_score, self._floor)
        if rule.finder == "person":
            return [c for c in person.find(text, person.person_rules(), self._allow, scans) if c[3] >= floor]
        found = []
        has_context: bool | None = None
        for pattern in rule.patterns:
            if pattern.needs_context and self._floor is None:
                if has_context is None:
                    has_context = rule.context is not None and rule.context.search(text) is not None
                if not has_context:
                    continue
            require, bonus, strip = pattern.require, pattern.bonus, rule.strip_trailing
            for match in pattern.finditer(text):
                start, end = match.span()
                if strip:
                    while end > start and text[end - 1] in strip:
                        end -= 1
                value = text[start:end]
                if not value or (require and not all(check(value) for check in require)):
                    continue
                extra = 0  # as sum(): the passing bonuses added in order to 0, then to the score
                for check, points in bonus:
                    if check(value):
                        extra += points
                score = pattern.score + extra + _context_score(text, start, end, rule)
                score = min(1.0, max(0.0, round(score, 4)))
                if score >= floor:
                    found.append((start, end, rule.name, score))
        return found


def _contains_any(branches: tuple[str, ...]) -> pl.Expr:
    """Rows matching any branch, one pass per branch: the Rust engine skips ahead to a literal
    or rare byte only when every branch of a regex has one, so one slow branch in an
    alternation would make the whole pass slow."""
    return pl.any_horizontal(pl.col("text").str.contains(b) for b in branches)


def _last_end(pattern, window: str) -> int:
    """End of the last match of ``pattern`` in ``window``, -1 when none."""
    last = -1
    if pattern is not None:
        for match in pattern.finditer(window):
            last = match.end()
    return last


def _context_score(text: str, start: int, end: int, rule: TypeRule) -> float:
    """Context boost when a context word is near; penalty when a negative word (주문번호, 송장, ...)
    stands before the value and nearer to it than any context word (the label that applies)."""
    before = text[max(0, start - rule.window_before) : start]
    positive = _last_end(rule.context, before)
    after_hit = rule.context is not None and rule.context.search(text[end : end + rule.window_after])
    negative = _last_end(rule.negative_context, before)
    score = rule.context_boost if positive >= 0 or after_hit else 0.0
    if negative > positive:
        score -= rule.negative_penalty
    return score


def _resolve_overlaps(candidates: list[_Candidate], order: dict[str, int]) -> list[_Candidate]:
    """Keep the best of overlapping spans: higher score, then longer, then earlier, then rule order."""
    ranked = sorted(candidates, key=lambda c: (-c[3], -(c[1] - c[0]), c[0], order[c[2]]))
    starts: list[int] = []  # kept spans never overlap, so sorted starts give sorted ends too
    kept: list[_Candidate] = []
    for cand in ranked:
        i = bisect.bisect_right(starts, cand[0])
        if i > 0 and kept[i - 1][1] > cand[0]:
            continue  # the kept span starting at or before this one reaches into it
        if i < len(starts) and starts[i] < cand[1]:
            continue  # the next kept span starts inside this one
        starts.insert(i, cand[0])
        kept.insert(i, cand)
    return kept


def _inside_any(cand: _Candidate, spans: list[tuple[int, int]]) -> bool:
    """``cand`` lies within one of ``spans`` (sorted, non-overlapping: one pattern's matches)."""
    i = bisect.bisect_right(spans, (cand[0], float("inf"))) - 1
    return i >= 0 and spans[i][0] <= cand[0] and cand[1] <= spans[i][1]
