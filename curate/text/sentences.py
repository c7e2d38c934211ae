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
def _rewrites() -> tuple[tuple[str, str, bool], ...]:
    """(pattern, replacement, unless_edited) in the order they apply."""
    rules = load_yaml(RULES)
    ordered = [*rules["prepare"], *rules["boundaries"], *rules["undo"]]
    rewrites = [(r["pattern"], r["replace"], bool(r.get("unless_edited"))) for r in ordered]
    files = rules.get("not_final_words") or []
    words = tuple(w for name in ([files] if isinstance(files, str) else files) for w in load_words(f"clean/{name}"))
    if words:
        rewrites.append((*_not_final_rewrite(tuple(sorted(set(words)))), False))
    return tuple(rewrites)


def _not_final_rewrite(words: tuple[str, ...]) -> tuple[str, str]:
    """Undo the boundary after a listed word, at the end of any run of Hangul ("바다", "앞바다"): one
    alternation of literals, which the regex engine searches fast (also checking the character
    before the word cost 21% of the splitter's speed on 200,000 NSMC reviews); the builder of the
    list keeps out words that end a predicate."""
    bad = [w for w in words if not HANGUL_WORD.fullmatch(w)]
    if bad:
        raise ValueError(f"rules/{RULES}: not_final_words must be Hangul words, not {bad[:3]}")
    # Longest first: the regex takes the first alternative that matches.
    alternatives = "|".join(sorted(words, key=lambda w: (-len(w), w)))
    return rf"({alternatives})\n", "${1} "


def _chain(expr: pl.Expr, edited: bool) -> pl.Expr:
    for pattern, replacement, unless_edited in _rewrites():
        if not (edited and unless_edited):
            expr = expr.str.replace_all(pattern, replacement)
    return expr.str.strip_chars()


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
        return frame.select(_chain(pl.col("t"), n_edited > 0))["t"].alias(texts.name)
    out = texts.clone()
    for mask, is_edited in ((edited, True), (~edited, False)):
        rows = mask.arg_true()
        done = frame.filter(mask).select(_chain(pl.col("t"), is_edited))["t"]
        out = out.scatter(rows, done)
    return out.alias(texts.name)
