"""Documents to the blocks the classifier decides on: HTML blocks with their markup, or text lines.

Each kind's segmenter is imported when a document of that kind first comes: a stream of
plain text never loads the HTML parser (a tenth of `clean`'s start-up).
"""

from __future__ import annotations

from ..metadata import page_metadata
from ..types import Block, Document, PageMetadata


def segment(doc: Document) -> tuple[list[Block], str | None, PageMetadata]:
    """The document's blocks, the title the page declares (the title to fall back on when no
    block is sure enough to be one) and what else it declares about itself (HTML only)."""
    if doc.kind == "html":
        from .html import html_blocks, html_title, parse_html

        tree = parse_html(doc.content)
        return html_blocks(tree), html_title(tree), page_metadata(tree)
    from .text import text_blocks

    return text_blocks(doc.content), None, PageMetadata()
