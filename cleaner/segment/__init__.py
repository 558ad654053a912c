"""Documents to the blocks the classifier decides on: HTML blocks with their markup, or text lines."""

from __future__ import annotations

from ..types import Block, Document
from .html import html_blocks, html_title, parse_html
from .text import text_blocks


def segment(doc: Document) -> tuple[list[Block], str | None]:
    """The document's blocks, and the title the page declares (HTML only), the title to
    fall back on when no block is sure enough to be one."""
    if doc.kind == "html":
        tree = parse_html(doc.content)
        return html_blocks(tree), html_title(tree)
    return text_blocks(doc.content), None


__all__ = ["segment", "html_blocks", "html_title", "parse_html", "text_blocks"]
