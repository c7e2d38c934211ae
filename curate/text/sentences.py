"""Korean sentence splitting as Polars expressions (rules in ``rules/clean/sentences.yaml``).

The splitter rewrites blanks into line breaks at sentence ends (punctuation, quotes,
ellipses, emoticons, sentence-final endings); it never changes a non-blank character,
so boundaries can be compared with any other splitter on the non-blank character stream.

A boundary without punctuation (a word ending in -다/-요/-죠/-니까 before more words) needs more
evidence than the ending: it is not made in edited text (a document that ends its sentences
with punctuation elsewhere: news, books), and it is undone after the nouns, names and particles
listed in ``rules/clean/not_sentence_final*.txt`` (바다, 주요, 플로리다, "남성보다"), which Kiwi
decided once (``curate.text.build_sentence_words``).
"""

from __future__ import annotations

import re

import polars as pl

from curate.rules import cached_per_rules, load_words, load_yaml

RULES = "clean/sentences.yaml"
HANGUL_WORD = re.compile(r"[가-힣]+")


@cached_per_rules
def _rewrites() -> dict[bool, tuple[tuple[str, str], ...]]:
    """(pattern, replacement) in the order they apply, for edited text (True) and the rest: the
    prepare rewrites, then the boundary rules as one alternation, then the undo rules as one."""
    rules = load_yaml(RULES)
    prepare = [(r["pattern"], r["replace"]) for r in rules["prepare"]]
    files = rules.get("not_final_words") or []
    words = tuple(w for name in ([files] if isinstance(files, str) else files) for w in load_words(f"clean/{name}"))
    # The word list is a pass of its own: an alternation of literals alone is searched by a fast
    # literal prefilter, which joined with the other undo rules it loses (the splitter ran 8x slower).
    not_final = [_alternation([{**_not_final_rule(tuple(sorted(set(words)))), "blanks": "\n"}], " ")] if words else []
    return {
        edited: (*prepare,
                 _alternation([r for r in rules["boundaries"] if not (edited and r.get("unless_edited"))], "\n"),
                 _alternation([{**r, "blanks": "\n"} for r in rules["undo"]], " "),
                 *not_final)
        for edited in (False, True)
    }


def _alternation(rules: list[dict], boundary: str) -> tuple[str, str]:
    """One rewrite for rules of ``before``, ``blanks``, ``after`` (an undo rule's blanks are the
    boundary it undoes): each alternative captures its ``before`` and ``after``, and the
    replacement writes every capture back (those of the alternatives that did not match are
    empty) with ``boundary`` between the two halves."""
    alternatives, before, after = [], [], []
    for number, rule in enumerate(rules):
        parts = [rule.get(key) or "" for key in ("before", "blanks", "after")]
        nested = [part for part in parts if pl.select(pl.lit("").str.extract_groups(part)).to_series().dtype.fields]
        if nested:
            raise ValueError(f"rules/{RULES}: rule {rule.get('name', number + 1)} has a capture group in "
                             f"{nested[0]!r}: write (?:...)")
        alternatives.append(f"({parts[0]}){parts[1]}({parts[2]})")
        before.append(f"${{{2 * number + 1}}}")
        after.append(f"${{{2 * number + 2}}}")
    return "|".join(alternatives), "".join(before) + boundary + "".join(after)


def _not_final_rule(words: tuple[str, ...]) -> dict[str, str]:
    """Undo the boundary after a listed word, at the end of any run of Hangul ("바다", "앞바다"): one
    alternation of literals (also checking the character before the word cost 21% of the
    splitter's speed on 200,000 NSMC reviews); the builder of the list keeps out words that end
    a predicate."""
    bad = [w for w in words if not HANGUL_WORD.fullmatch(w)]
    if bad:
        raise ValueError(f"rules/{RULES}: not_final_words must be Hangul words, not {bad[:3]}")
    # Longest first: the regex takes the first alternative that matches.
    return {"name": "not_final_words", "before": "(?:" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + ")"}


PARAGRAPH = "\u2029"  # a break of the source while the rules run (rules/clean/sentences.yaml, prepare)


def _chain(expr: pl.Expr, edited: bool) -> pl.Expr:
    for pattern, replacement in _rewrites()[edited]:
        expr = expr.str.replace_all(pattern, replacement)
    return expr


@cached_per_rules
def _quote_rewrites() -> tuple[str, tuple[tuple[str, str], ...]]:
    """The opening marks (a regex class), and one rewrite per quotation pair: join the first boundary
    inside a quotation that closes within its paragraph and goes on into the sentence that quotes
    it (a particle right after the closing mark: ”라고, ’는, or after a blank: " 라는). A pair of
    distinct marks is found from its opening mark, with no other opening mark inside (so a typo,
    ‘법률‘, does not pair with a mark sentences later); a straight quote opens where a blank, a
    bracket or the paragraph's start is before it (a closing one follows a word)."""
    rewrites, quotes = [], load_yaml(RULES).get("quotes") or []
    goes_on = r"(?:\p{Hangul}|[ \t]+(?:라|하|고|며|는|란))"
    for opening, closing in quotes:
        o, c, p = re.escape(opening), re.escape(closing), r"\x{2029}"
        if opening == closing:  # opening where a blank, a bracket or the paragraph's start is before it
            pattern = rf"((?:^|[\s(\[{p}]){o}[^{o}\n{p}]*)\n([^{o}{p}]*{o}{goes_on})"
        else:
            pattern = rf"({o}[^{o}{c}\n{p}]*)\n([^{o}{c}{p}]*{c}{goes_on})"
        rewrites.append((pattern, "${1} ${2}"))
    return "[" + "".join(re.escape(opening) for opening, _ in quotes) + "]", tuple(rewrites)


def _join_quotations(texts: pl.Series) -> pl.Series:
    """Undo every boundary inside a quotation: each pass undoes the first one of each quotation,
    over the texts the pass before changed (a few in news, none in most reviews). Only texts with a
    quotation mark and a line break are searched at all: two literal scans, 4x cheaper."""
    marks, rewrites = _quote_rewrites()
    if not rewrites:
        return texts
    rows = (texts.str.contains("\n", literal=True) & texts.str.contains(marks)).arg_true()
    for _ in range(1000):  # a quotation of 1,000 sentences is past any real text
        if rows.len() == 0:
            break
        before = texts.gather(rows)
        after = before
        for pattern, replacement in rewrites:
            after = after.str.replace_all(pattern, replacement)
        changed = after != before
        # Only the texts this pass changed can have a boundary left inside a quotation.
        rows = rows.filter(changed)
        texts = texts.scatter(rows, after.filter(changed))
    return texts


def _finish(texts: pl.Series) -> pl.Series:
    return _join_quotations(texts).str.replace_all(PARAGRAPH, "\n", literal=True).str.strip_chars()


def split_sentences(texts: pl.Series) -> pl.Series:
    """The texts, one sentence a line, without leading or trailing blanks.

    Edited text (``edited_text_ends`` punctuated sentence ends or more) and the rest go through
    their own chain of rewrites, each over its own rows: a when/then over both chains would run
    every rule twice."""
    rules = load_yaml(RULES)
    frame = texts.to_frame("t")
    edited = frame.select(pl.col("t").str.count_matches(rules["punctuated_end"]) >= rules["edited_text_ends"])["t"]
    n_edited = int(edited.sum())
    if n_edited in (0, texts.len()):
        return _finish(frame.select(_chain(pl.col("t"), n_edited > 0))["t"]).alias(texts.name)
    out = texts.clone()
    for mask, is_edited in ((edited, True), (~edited, False)):
        rows = mask.arg_true()
        done = frame.filter(mask).select(_chain(pl.col("t"), is_edited))["t"]
        out = out.scatter(rows, done)
    return _finish(out).alias(texts.name)
