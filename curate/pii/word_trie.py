"""One regex for a word list, as a trie: ``서울(?:특별시|시)?``.

The regex engine then tries a few branches per position instead of every word of the list;
longer words win (the optional tails are greedy). Region names, context words and the name
finder's titles and roles all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex


def word_trie(words: Iterable[str]) -> str:
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [regex.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)
