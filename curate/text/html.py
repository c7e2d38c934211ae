"""Text of whole HTML pages with a real parser (selectolax/lexbor).

Block-level tags are turned into line breaks by a vectorized regex first, so the
parser's text extraction keeps paragraphs apart without splitting inline markup.
"""

from __future__ import annotations

import re
from functools import cache

from selectolax.lexbor import LexborHTMLParser

# Selectors that match a node by its own name or attributes only: removing other nodes
# never changes what they match, so a run of them can go in any order, all at once.
_TAG = re.compile(r"[a-z][a-z0-9]*")
_ATTRIBUTE = re.compile(r"""\[[\w-]+(?:[~|^$*]?=(?:[\w-]+|"[^"]*"|'[^']*'))?\]""")


@cache
def _removal_plan(drop_selectors: tuple[str, ...]) -> tuple[tuple[list[str], str], ...]:
    """``drop_selectors`` as steps of (tag names, one CSS selector list): each maximal run
    of name and attribute selectors is one step; any other selector is a step of its own,
    in its place, because what it matches can depend on what was removed before."""
    steps: list[tuple[list[str], list[str]]] = []
    run_open = False
    for selector in drop_selectors:
        tag = _TAG.fullmatch(selector) is not None
        simple = tag or _ATTRIBUTE.fullmatch(selector) is not None
        if not (simple and run_open):
            steps.append(([], []))
        steps[-1][0 if tag else 1].append(selector)
        run_open = simple
    return tuple((tags, ", ".join(others)) for tags, others in steps)


def page_text(html: str, drop_selectors: tuple[str, ...]) -> str:
    """Visible text of ``html`` without the elements matching ``drop_selectors``."""
    tree = LexborHTMLParser(html)
    for tags, selector in _removal_plan(drop_selectors):
        # Tag names by lexbor's own element lookup, far cheaper than a CSS query each.
        # Nodes are detached, not destroyed: a selector list can return a node and one
        # inside it (or the same node twice), and destroying the outer would free the inner.
        if tags:
            tree.strip_tags(tags, recursive=False)
        if selector:
            root = tree.root
            for node in tree.css(selector):
                # The root holds the whole page (mdBook's <html class="sidebar-visible">), and lexbor
                # refuses to remove it: only what is inside it goes.
                if node != root:
                    node.decompose(recursive=False)
    root = tree.body or tree.root
    return "" if root is None else root.text(deep=True, separator="", strip=False)
