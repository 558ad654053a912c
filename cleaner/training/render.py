"""Plain-text renderings of an HTML page, to train and test the text model.

Users' text scrapes come from tools we do not know (a browser's copy, a text browser's
dump, an HTML-to-text library), so the text model learns from several renderings of each
labeled page and is measured on renderings it was not trained on.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import textwrap
import zlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import regex
from selectolax.lexbor import LexborHTMLParser

from ..features.markup_guess import GUESSES, block_markup
from ..segment.html import SKIP_TAGS, html_blocks, parse_html
from ..types import Block

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


WRAP_WIDTH = 79


def _wrapped_lines(block: Block, width: int = WRAP_WIDTH) -> list[str]:
    return textwrap.wrap(block.text, width) or [block.text]


def render_wrapped(html: str, width: int = WRAP_WIDTH) -> str:
    """Blocks hard-wrapped at a fixed width: like a text browser's dump."""
    out: list[str] = []
    for block in html_blocks(parse_html(html)):
        if block.gap_before and out:
            out.append("")
        out.extend(_wrapped_lines(block, width))
    return "\n".join(out)


def render_alt_texts(html: str) -> str:
    """Like `render_blocks`, with every picture's alt text written where the picture is, as
    text browsers and some HTML-to-text libraries (Resiliparse by default) write it: a line
    of its own when the picture stands alone, part of the line when it sits in a sentence.
    No gold text holds alt texts, so training on this rendering teaches the text model what
    they look like."""
    tree = parse_html(html)
    for image in tree.css("img"):
        alt = (image.attributes.get("alt") or "").strip()
        if alt:
            image.replace_with(alt)
    return _join(html_blocks(tree), blank_lines=True)


_HEADING_MARKS = {f"h{level}": "#" * level + " " for level in range(1, 7)}
_LIST_TAGS = frozenset(("ul", "ol"))
_LIST_ITEM_TAGS = frozenset(("li", "a", "span", "div", "p"))


def _list_indent(block: Block) -> str | None:
    """Two spaces per list level below the first when the block is a list item, else None."""
    lists = sum(1 for name in block.path if name in _LIST_TAGS)
    if block.tag == "li" or (lists > 0 and block.tag in _LIST_ITEM_TAGS):
        return "  " * max(lists - 1, 0)
    return None


def render_markdown(html: str) -> str:
    """Markdown-like, as HTML-to-Markdown converters write for LLM and RAG pipelines:
    `#` headings, `*` list items indented by nesting, `|` table rows, `>` quotes, a blank
    line before each paragraph-level block (links keep their text only)."""
    out: list[str] = []
    for block in html_blocks(parse_html(html)):
        tag = block.tag
        indent = _list_indent(block)
        bullet = indent is not None
        if tag in _HEADING_MARKS:
            line = _HEADING_MARKS[tag] + block.text
        elif bullet:
            line = indent + "* " + block.text
        elif tag in ("tr", "td", "th"):
            line = f"| {block.text} |"
        elif "blockquote" in block.path:
            line = "> " + block.text
        else:
            line = block.text
        in_list = bullet and out and out[-1].lstrip().startswith("* ")
        if out and (block.gap_before or tag in _HEADING_MARKS) and not in_list:
            out.append("")
        out.append(line)
    return "\n".join(out)


_BULLETS = ("", "", "* ", "- ", "\u2022 ", "+ ")
_GAP_STYLES = ("paragraphs", "paragraphs", "none", "every")


class _Layout(NamedTuple):
    """One page's layout in the varied rendering: drawn from the page's own text, so the
    rendering and its line count per block agree without carrying any state."""

    gaps: str
    width: int | None
    bullet: str
    nested_indent: bool
    heading_marks: bool


def _layout(blocks: Sequence[Block]) -> _Layout:
    seed = zlib.crc32("\n".join(block.text for block in blocks[:50]).encode("utf-8", "replace"))
    rng = random.Random(seed)
    return _Layout(
        gaps=rng.choice(_GAP_STYLES),
        width=rng.randint(60, 100) if rng.random() < 0.5 else None,
        bullet=rng.choice(_BULLETS),
        nested_indent=rng.random() < 0.5,
        heading_marks=rng.random() < 0.3,
    )


def _varied_lines(block: Block, layout: _Layout) -> list[str]:
    indent = _list_indent(block)
    prefix = ""
    if indent is not None:
        prefix = (indent if layout.nested_indent else "") + layout.bullet
    elif layout.heading_marks and block.tag in _HEADING_MARKS:
        prefix = _HEADING_MARKS[block.tag]
    text = prefix + block.text
    if layout.width is None:
        return [line for line in text.splitlines() if line.strip()]  # as `_nonblank_lines` counts
    return textwrap.wrap(text, layout.width) or [text]


def render_varied(html: str) -> str:
    """cleaner's blocks in a layout drawn per page: blank lines between paragraphs, between
    every block or none; wrapped at 60-100 columns or not; list items bare or bulleted
    ("*", "-", "\u2022", "+"), nested ones indented or not; headings bare or "#"-marked. Text
    tools differ in just these ways, so training on many of them teaches the text model
    layouts beyond any one tool's."""
    blocks = html_blocks(parse_html(html))
    layout = _layout(blocks)
    out: list[str] = []
    for block in blocks:
        gap = layout.gaps == "every" or (layout.gaps == "paragraphs" and block.gap_before)
        if gap and out:
            out.append("")
        out.extend(_varied_lines(block, layout))
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


def render_resiliparse(html: str) -> str:
    """Resiliparse's plain text of the whole page (`extract_plain_text` with its defaults:
    list bullets and alt texts shown), as many Common Crawl pipelines make it. Measuring only;
    install it with the `eval` extra."""
    try:
        from resiliparse.extract.html2text import extract_plain_text
    except ImportError as exc:  # an evaluation extra, not a dependency of cleaning
        raise RuntimeError("the resiliparse renderer needs `pip install -e '.[eval]'`") from exc
    return extract_plain_text(html)


def render_markdownify(html: str) -> str:
    """markdownify, an HTML-to-Markdown converter: "[label](url)" links, "![alt](src)"
    pictures, "#" headings. What many crawlers for search and RAG hand on. Measuring only;
    install it with the `eval` extra."""
    try:
        from markdownify import markdownify
    except ImportError as exc:  # an evaluation extra, not a dependency of cleaning
        raise RuntimeError("the markdownify renderer needs `pip install -e '.[eval]'`") from exc
    return markdownify(html, heading_style="ATX")


LYNX_COMMAND = ("lynx", "-dump", "-stdin", "-width=79", "-assume_charset=utf-8", "-display_charset=utf-8")
W3M_COMMAND = ("w3m", "-dump", "-T", "text/html", "-cols", "80", "-I", "UTF-8", "-O", "UTF-8")
ELINKS_COMMAND = ("elinks", "-dump", "-dump-charset", "utf-8", "-force-html")
PANDOC_COMMAND = ("pandoc", "-f", "html", "-t", "plain")
TEXT_BROWSER_TIMEOUT = 60  # seconds for one page


def _text_browser_dump(command: Sequence[str], html: str) -> str:
    """What a text browser (or converter) prints for the page given on its standard input."""
    if shutil.which(command[0]) is None:
        raise RuntimeError(
            f"the {command[0]} renderer needs the {command[0]} program (Debian: apt-get install {command[0]})"
        )
    done = subprocess.run(
        list(command),
        input=html.encode("utf-8", "replace"),
        capture_output=True,
        timeout=TEXT_BROWSER_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{command[0]} failed ({done.returncode}): {done.stderr.decode('utf-8', 'replace')[:200]}"
        )
    return done.stdout.decode("utf-8", "replace")


def render_lynx(html: str) -> str:
    """`lynx -dump` as users run it: wrapped at 79 columns, links numbered "[12]Home", and the
    numbered link targets listed under "References" at the end. Measuring only."""
    return _text_browser_dump(LYNX_COMMAND, html)


def render_w3m(html: str) -> str:
    """`w3m -dump`: wrapped at 80 columns, tables laid out in columns, images' alt text shown.
    Measuring only."""
    return _text_browser_dump(W3M_COMMAND, html)


def render_elinks(html: str) -> str:
    """`elinks -dump`: links numbered "[12]Home", and a "References" list at the end that
    numbers each link's title with its target on the next line. Measuring only."""
    return _text_browser_dump(ELINKS_COMMAND, html)


def render_pandoc(html: str) -> str:
    """`pandoc -t plain`: wrapped at 72 columns, pictures as their alt text in brackets,
    layout tables drawn as grids. Measuring only."""
    return _text_browser_dump(PANDOC_COMMAND, html)


RENDERERS: dict[str, Callable[[str], str]] = {
    "blocks": render_blocks,
    "tight": render_tight,
    "wrapped": render_wrapped,
    "markdown": render_markdown,
    "varied": render_varied,
    "textnodes": render_text_nodes,
    "inscriptis": render_inscriptis,
    "markdownify": render_markdownify,
    "resiliparse": render_resiliparse,
    "alts": render_alt_texts,
    "lynx": render_lynx,
    "w3m": render_w3m,
    "elinks": render_elinks,
    "pandoc": render_pandoc,
}
TRAIN_RENDERERS = ("blocks", "tight", "wrapped")


def _nonblank_lines(blocks: Sequence[Block]) -> list[int]:
    return [sum(1 for line in block.text.splitlines() if line.strip()) for block in blocks]


def _varied_line_counts(blocks: Sequence[Block]) -> list[int]:
    layout = _layout(blocks)
    return [len(_varied_lines(block, layout)) for block in blocks]


LINES_PER_BLOCK: dict[str, Callable[[Sequence[Block]], list[int]]] = {
    "blocks": _nonblank_lines,
    "tight": _nonblank_lines,
    "markdown": _nonblank_lines,
    "wrapped": lambda blocks: [len(_wrapped_lines(block)) for block in blocks],
    "varied": _varied_line_counts,
}
"""How many non-blank lines each renderer that keeps blocks whole writes for each of a
page's blocks: what lets a training line know its block (`markup_guess.rendering_markup`)."""
HELD_OUT_RENDERERS = ("textnodes", "inscriptis")


def rendering_markup(blocks: Sequence[Block], renderer: str, n_lines: int) -> np.ndarray | None:
    """The markup truth of each non-blank line of a rendering of `blocks`, from the block
    it came from: (n_lines, len(GUESSES)) of 0/1. None for renderers that cut blocks up
    (a line of theirs has no single block) or when the line count does not add up."""
    count = LINES_PER_BLOCK.get(renderer)
    if count is None:
        return None
    per_block = count(blocks)
    if sum(per_block) != n_lines:
        return None
    truth = np.array([block_markup(block) for block in blocks], dtype=np.int8).reshape(-1, len(GUESSES))
    return np.repeat(truth, per_block, axis=0)
