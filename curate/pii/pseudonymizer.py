"""Replace detected PII: realistic fakes (default), tags, keyed hashes, or whole sentences removed.

Consistency comes from the key: the fake for a value is drawn from a generator seeded with
HMAC-SHA256(key, type + "\\0" + normalized value), so the same value gets the same fake in every
document, batch, process and executor, and ``010-1234-5678`` / ``01012345678`` get the same fake
digits, each written in its own format. Without a key, a random one is drawn per instance: fakes are
then consistent within that instance only, and not reproducible.

The key never appears in outputs, reprs or counts; counts are by type, never by value.

Batch path (``pseudonymize_batch``): one ``Detector.detect_batch_with_texts`` call over the whole
column (Polars finds candidates, validators check only those; the texts it already brought into
Python are reused), fakes generated once per distinct (type, value) (cached across calls), and
Python string splicing only over the rows that hold spans.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import secrets
from collections import Counter
from collections.abc import Sequence
from typing import overload

import polars as pl

from curate.pii.catalog import pii_types
from curate.pii.detect import SURROGATES_REPLACED, Detector, default_types, repair_surrogates
from curate.pii.fakes import GENERIC, fake_seeded, new_faker
from curate.pii.fpe import Permutation
from curate.pii.keys import check_key
from curate.pii.span import PiiSpan

MODES = ("pseudonymize", "mask", "hash", "remove_sentence")
SENTENCES_REMOVED = "sentences_removed"
_SENTENCE_END = re.compile(r"(?<=[.!?…。？！])\s+")  # plain text: a sentence ends at final punctuation
_LINE_END = re.compile(r"\n")  # after split_sentences: one sentence per line
_HASH_CHARS = 8
_CACHE_LIMIT = 200_000  # distinct values remembered per instance


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown PII mode {mode!r}; expected one of {', '.join(MODES)}")
    return mode


def known_types(names: str | Sequence[str] | None) -> list[str] | None:
    """``names`` as a list of type names: a string is one name or several separated by commas
    (``"person"``, ``"phone,email"``). Unknown names are a ValueError that lists the valid ones."""
    if names is None:
        return None
    wanted = [t.strip() for t in names.split(",") if t.strip()] if isinstance(names, str) else list(names)
    table = pii_types()
    unknown = [t for t in wanted if t not in table]
    if unknown:
        raise ValueError(f"unknown PII type(s): {', '.join(map(repr, unknown))}; "
                         f"valid types: {', '.join(table)}")
    return wanted


class Pseudonymizer:
    """Detect and replace PII in Korean text.

    ``key``: secret for consistent fakes/hashes: bytes, or str as its UTF-8 bytes, at least 16 bytes
    (``curate.pii.keys.check_key``: anything else is a TypeError / ValueError); None draws a random
    32-byte key per instance (silently: callers that read keys, the CLI and the executor, warn).
    ``types``: PII type names, a list or one string (``"person"``, ``"phone,email"``); default:
    those marked ``default`` in their rules file (rules/pii/types/<type>.yaml).
    ``mode``: pseudonymize | mask | hash | remove_sentence, for every type; ``modes``: a mode per
    type that differs from it (``{"rrn": "mask", "email": "hash"}``: keep realistic phones and
    fakes elsewhere, hide what no fake should stand in for). ``tags``: overrides of the mask tags.
    ``min_score``: spans scored below it are left alone. ``detector``: share an existing Detector.
    ``allow``: values left as they are, whatever their type (public figures' names to keep).

    In ``remove_sentence`` mode, lines (or, in text without newlines, sentences split after
    sentence-final punctuation) holding a *private* type are removed; public types (URL, BRN) in
    the remaining text are left as they are, unless ``modes`` names a treatment for them. A type
    whose own mode is remove_sentence removes its sentences whether private or not.
    """

    def __init__(
        self,
        key: bytes | str | None = None,
        types: str | Sequence[str] | None = None,
        mode: str = "pseudonymize",
        tags: dict[str, str] | None = None,
        min_score: float | None = None,
        detector: Detector | None = None,
        modes: dict[str, str] | None = None,
        allow: Sequence[str] | None = None,
    ) -> None:
        table = pii_types()
        types = known_types(types)
        known_types(list(tags or {}))  # a tag for an unknown type is as wrong as the type
        self.mode = check_mode(mode)
        self.types = list(types) if types else self.default_types()
        known_types(list(modes or {}))
        self.modes = {t: check_mode(m) for t, m in (modes or {}).items()}
        self.tags = {t: spec.tag for t, spec in table.items()} | dict(tags or {})
        self.private = frozenset(t for t, spec in table.items() if spec.private)
        self._codes = {t: spec.code for t, spec in table.items()}  # normal form and fake, per type
        self.min_score = min_score
        self.keyed = key is not None
        self._key = check_key(key) if key is not None else secrets.token_bytes(32)
        self._detector = detector if detector is not None else Detector(types=self.types, floor=min_score, allow=allow)
        self._faker = new_faker() if "pseudonymize" in self.modes_used() else None
        self._rng = self._faker.random if self._faker is not None else None  # the Faker's own, fetched once
        # distinct phones, accounts, health-insurance numbers get distinct fakes (curate.pii.fpe)
        self._permute = Permutation(self._digest("permute", "", ""))
        # (type, value) -> replacement, kept across calls: a pure function of the key, so caching
        # changes no output; bounded so a long run's memory stays flat
        self._cache: dict[tuple[str, str], str] = {}

    @staticmethod
    def default_types() -> list[str]:
        """The types found when none are named (``default: true`` in rules/pii/types/<type>.yaml)."""
        return default_types()

    def __repr__(self) -> str:  # the key is deliberately absent
        return f"Pseudonymizer(mode={self.mode!r}, types={len(self.types)}, keyed={self.keyed})"

    def mode_of(self, pii_type: str) -> str:
        return self.modes.get(pii_type, self.mode)

    def modes_used(self) -> set[str]:
        """The treatments this instance applies to the types it finds."""
        return {self.mode_of(t) for t in self.types}

    def _removes_sentence(self, pii_type: str) -> bool:
        mode = self.mode_of(pii_type)
        return mode == "remove_sentence" and (pii_type in self.modes or pii_type in self.private)

    # ------------------------------------------------------------ detection

    def detect(self, text: str) -> list[PiiSpan]:
        """Spans in ``text`` (character offsets), sorted and non-overlapping."""
        spans = self._detector.detect(text)
        return [s for s in spans if s.type in self.types and self._score_ok(s.score)]

    def detect_batch(self, texts: pl.Series) -> pl.DataFrame:
        """Spans of a whole column: frame[row, start, end, type, score] sorted by row, start."""
        return self._detect_batch_with_texts(texts)[0]

    def _detect_batch_with_texts(self, texts: pl.Series) -> tuple[pl.DataFrame, dict[int, str]]:
        spans, row_texts = self._detector.detect_batch_with_texts(texts.fill_null(""))
        spans = spans.filter(pl.col("type").is_in(self.types))
        if self.min_score is not None:
            spans = spans.filter(pl.col("score") >= self.min_score)
        return spans, row_texts

    def _score_ok(self, score: float) -> bool:
        return self.min_score is None or score >= self.min_score

    # ------------------------------------------------------------ replacement values

    def _digest(self, purpose: str, pii_type: str, normalized: str) -> bytes:
        return hmac.digest(self._key, f"{purpose}\0{pii_type}\0{normalized}".encode(), hashlib.sha256)

    def replacement(self, pii_type: str, value: str) -> str:
        """What ``value`` becomes in its type's mode: pseudonymize, mask or hash (a type left in the
        text by remove_sentence mode, a public one, is kept as it is)."""
        tag = self.tags.get(pii_type, f"[{pii_type}]")
        mode = self.mode_of(pii_type)
        if mode == "remove_sentence":
            return value
        if mode == "mask":
            return tag
        code = self._codes.get(pii_type, GENERIC)
        normalized = code.normalize(value)
        if mode == "hash":
            short = self._digest("hash", pii_type, normalized).hex()[:_HASH_CHARS]
            return f"{tag[:-1]}:{short}]" if tag.endswith("]") else f"{tag}:{short}"
        assert self._faker is not None and self._rng is not None
        # = make_fake(pii_type, value, seed, faker): new_faker's own Random, reseeded directly
        self._rng.seed(int.from_bytes(self._digest("fake", pii_type, normalized)[:8], "big"))
        fake = fake_seeded(code, value, normalized, self._rng, self._faker, self._permute)
        return tag if fake is None else fake  # a degenerate value gets masked rather than leaked

    # ------------------------------------------------------------ single text

    def pseudonymize(self, text: str) -> str:
        """``text`` with its PII replaced; a lone surrogate becomes U+FFFD (``pseudonymize_batch``
        counts them)."""
        text = repair_surrogates(text)[0]
        spans = [(s.start, s.end, s.type) for s in self.detect(text)]
        return self._rewrite(text, spans, self._cache, Counter())

    # ------------------------------------------------------------ batch

    @overload
    def pseudonymize_batch(self, texts: pl.Series, return_counts: bool = ...) -> pl.Series: ...
    @overload
    def pseudonymize_batch(self, texts: Sequence[str], return_counts: bool = ...) -> list[str]: ...

    def pseudonymize_batch(self, texts, return_counts: bool = False):
        """Rewrite a column. Takes list[str] (returns list[str]) or a pl.Series (returns a Series
        of the same name; nulls stay null). With ``return_counts=True`` returns
        ``(result, counts)``: spans replaced per type, plus ``sentences_removed`` in
        remove_sentence mode, and ``surrogates_replaced``: lone surrogates in a list's strings
        (which a Series cannot hold) are repaired to U+FFFD, not refused. Counts never hold values."""
        as_series = isinstance(texts, pl.Series)
        counts: Counter[str] = Counter()
        series = texts.cast(pl.Utf8) if as_series else _utf8_series(list(texts), counts)
        out, _ = self._pseudonymize(series, counts)
        result = out if as_series else out.to_list()
        return (result, dict(sorted(counts.items()))) if return_counts else result

    def pseudonymize_annotated(self, texts: pl.Series) -> tuple[pl.Series, dict[str, int], pl.DataFrame]:
        """``pseudonymize_batch(texts, return_counts=True)`` and, a row per text, the values found
        by type: a UInt32 column ``pii_<type>`` per enabled type (counts, never values)."""
        counts: Counter[str] = Counter()
        out, spans = self._pseudonymize(texts.cast(pl.Utf8), counts)
        names = [f"pii_{t}" for t in self.types]
        per_row = pl.DataFrame({"row": pl.int_range(len(texts), dtype=pl.UInt32, eager=True)})
        if spans.height:
            found = (spans.group_by("row", "type").len()
                     .with_columns(pl.col("row").cast(pl.UInt32), ("pii_" + pl.col("type")).alias("type"))
                     .pivot("type", index="row", values="len"))
            per_row = per_row.join(found, on="row", how="left")
        per_row = per_row.select(pl.col(n).fill_null(0).cast(pl.UInt32) if n in per_row.columns
                                 else pl.repeat(0, pl.len(), dtype=pl.UInt32).alias(n) for n in names)
        return out, dict(sorted(counts.items())), per_row

    def _pseudonymize(self, series: pl.Series, counts: Counter[str]) -> tuple[pl.Series, pl.DataFrame]:
        """(the rewritten column, the spans found) of a Utf8 column; ``counts`` gets the counts."""
        spans, originals = self._detect_batch_with_texts(series)  # originals: the texts of rows with spans
        out = series.clone()
        if spans.height:
            rows = spans["row"].to_list()
            starts, ends, types = spans["start"].to_list(), spans["end"].to_list(), spans["type"].to_list()
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            grouped: dict[int, list[tuple[int, int, str]]] = {}
            for row, start, end, pii_type in zip(rows, starts, ends, types, strict=True):
                grouped.setdefault(row, []).append((start, end, pii_type))
            new_values = [self._rewrite(originals[row], grouped[row], self._cache, counts) for row in grouped]
            out = out.scatter(pl.Series(list(grouped), dtype=pl.UInt32), new_values)
        return out, spans

    def _rewrite(self, text: str, spans: list[tuple[int, int, str]], cache: dict, counts: Counter) -> str:
        for _, _, pii_type in spans:
            counts[pii_type] += 1
        if not spans:
            return text
        if any(self._removes_sentence(t) for _, _, t in spans):
            return self._remove_sentences(text, spans, cache, counts)
        return self._replace(text, spans, cache)

    def _replace(self, text: str, spans: list[tuple[int, int, str]], cache: dict) -> str:
        pieces, last = [], 0
        reading = self._detector.reading  # the detector's table, not looked up again per row
        for start, end, pii_type in spans:
            value = text[start:end].translate(reading)  # as detection read it: 010–1234 is 010-1234
            replacement = cache.get((pii_type, value))
            if replacement is None:
                replacement = cache[(pii_type, value)] = self.replacement(pii_type, value)
            pieces += [text[last:start], replacement]
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def _remove_sentences(self, text: str, spans: list[tuple[int, int, str]], cache: dict,
                          counts: Counter) -> str:
        """Drop the sentences holding a span whose mode removes sentences; the other spans of the
        kept sentences get their own treatment."""
        removing = [(s, e) for s, e, t in spans if self._removes_sentence(t)]
        splitter = _LINE_END if "\n" in text else _SENTENCE_END
        cuts = [0, *(m.end() for m in splitter.finditer(text)), len(text)]
        kept, removed = [], 0
        for start, end in itertools.pairwise(cuts):
            if any(s < end and e > start for s, e in removing):
                removed += 1
            else:
                inside = [(s - start, e - start, t) for s, e, t in spans if s >= start and e <= end]
                kept.append(self._replace(text[start:end], inside, cache) if inside else text[start:end])
        counts[SENTENCES_REMOVED] += removed
        result = "".join(kept)
        return result if text[-1:].isspace() else result.rstrip()


def _utf8_series(texts: list[str | None], counts: Counter) -> pl.Series:
    try:
        return pl.Series("text", texts, dtype=pl.Utf8)
    except UnicodeEncodeError:  # a lone surrogate somewhere: repair only then, at no cost otherwise
        repaired = []
        for text in texts:
            if text is not None:
                text, fixed = repair_surrogates(text)
                counts[SURROGATES_REPLACED] += fixed
            repaired.append(text)
        return pl.Series("text", repaired, dtype=pl.Utf8)
