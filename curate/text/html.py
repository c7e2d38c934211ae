"""Text of whole HTML pages with a real parser (selectolax/lexbor).

Block-level tags are turned into line breaks by a vectorized regex first, so the
parser's text extraction keeps paragraphs apart without splitting inline markup.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser


def page_text(html: str, drop_selectors: tuple[str, ...]) -> str:
    """Visible text of ``html`` without the elements matching ``drop_selectors``."""
    tree = LexborHTMLParser(html)
    for selector in drop_selectors:
        for node in tree.css(selector):
            node.decompose()
    root = tree.body or tree.root
    return "" if root is None else root.text(deep=True, separator="", strip=False)
