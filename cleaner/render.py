"""Plain-text renderings of an HTML page, to train and test the text model.

Users' text scrapes come from tools we do not know (a browser's copy, a text browser's
dump, an HTML-to-text library), so the text model learns from several renderings of each
labeled page and is measured on renderings it was not trained on.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import regex
from selectolax.lexbor import LexborHTMLParser

from .segment import SKIP_TAGS, html_blocks, parse_html
from .types import Block

_SPACE = regex.compile(r"[ \t\r\f\v\u00a0]+")


def _join(blocks: list[Block], blank_lines: bool) -> str:
    out: list[str] = []
    for block in blocks:
        if blank_lines and block.gap_before and out:
            out.append("")
        out.append(block.text)
    return "\n".join(out)


def render_blocks(html: str) -> str:
    """One line per block with blank lines between paragraphs: like a browser's copy."""
    return _join(html_blocks(parse_html(html)), blank_lines=True)


def render_tight(html: str) -> str:
    """One line per block and no blank lines at all: like many WET-style extractions."""
    return _join(html_blocks(parse_html(html)), blank_lines=False)


def render_wrapped(html: str, width: int = 79) -> str:
    """Blocks hard-wrapped at a fixed width: like a text browser's dump."""
    out: list[str] = []
    for block in html_blocks(parse_html(html)):
        if block.gap_before and out:
            out.append("")
        out.extend(textwrap.wrap(block.text, width) or [block.text])
    return "\n".join(out)


def render_text_nodes(html: str) -> str:
    """Every DOM text node on its own line: a naive renderer that splits at inline tags."""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    tree.strip_tags(sorted(SKIP_TAGS))
    lines = (_SPACE.sub(" ", line).strip() for line in root.text(separator="\n").splitlines())
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def render_inscriptis(html: str) -> str:
    """inscriptis, an independent HTML-to-text library with its own layout rules.

    Used only to measure on a rendering that shares no code with cleaner's own; install it
    with the `eval` extra.
    """
    try:
        from inscriptis import get_text
    except ImportError as exc:  # an evaluation extra, not a dependency of cleaning
        raise RuntimeError("the inscriptis renderer needs `pip install -e '.[eval]'`") from exc
    return get_text(html)


RENDERERS: dict[str, Callable[[str], str]] = {
    "blocks": render_blocks,
    "tight": render_tight,
    "wrapped": render_wrapped,
    "textnodes": render_text_nodes,
    "inscriptis": render_inscriptis,
}
TRAIN_RENDERERS = ("blocks", "tight", "wrapped")
HELD_OUT_RENDERERS = ("textnodes", "inscriptis")
