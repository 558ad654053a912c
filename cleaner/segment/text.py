"""Plain text to the lines the classifier decides on, with text tools' marks undone first.

Every non-blank line is a block; blank lines become `gap_*` flags. Before that, what tools
add to a page's own text is taken out, each recognised by its form, not by the tool's name:

- a text browser's link numbers: `lynx -dump` (and `w3m`) write every link as "[12]Home".
  The numbers read as words of every link, which the model never saw in training;
- Markdown's link targets and pictures (html2text, markdownify, crawlers that serve pages
  "as Markdown"): "[label](https://...)" becomes "label" and "![alt](...)" goes. On 150 WCXB
  pages the shipped model scored 0.72 on such renderings against 0.87 on plain text of the
  same pages: it found the right lines and kept their URLs;
- a whole page on one line (BeautifulSoup's `get_text()` of minified HTML): a line longer
  than MAX_LINE_CHARS is cut at its sentence ends, and where one block ran into the next
  without a space ("...in 2024Search"), so that each piece is decided on its own. Of the
  160,000 text blocks of the WCXB dev pages, 70 are longer than 2,000 characters.

The rules that read the scored lines (link lists, pictures, script text, wrapped
paragraphs) live in `text_rules/`.
"""

from __future__ import annotations

from itertools import islice

import regex

from .. import _speedups
from ..types import Block

# "[12]" glued to the link text that follows it, as text browsers number links. Footnote
# marks ("... end.[3] Next", "end[3].") are followed by a space or a punctuation mark, and
# do not count towards the gate.
_GLUED_LINK_NUMBER = regex.compile(r"\[\d{1,5}\](?=[\p{L}\p{N}])")
# What is taken out once a text passes the gate: the glued numbers, and numbers that start
# a word ("[97] Website by", or "[2]" alone for an image link). Subscripts in code that a
# page may show ("a[0] = 1", "print(b[1])") follow a word and stay.
_LINK_NUMBER = regex.compile(r"\[\d{1,5}\](?=[\p{L}\p{N}])|(?<=^|\s)\[\d{1,5}\] ?", regex.M)
MIN_GLUED_NUMBERS = 3  # fewer: not a text browser's numbering, leave the text alone


def strip_link_numbers(text: str) -> str:
    """The text without "[12]" link numbers, when it numbers its links as text browsers do
    (at least MIN_GLUED_NUMBERS glued to the following text); otherwise the text as is."""
    if "[" not in text:
        return text
    glued = islice(_GLUED_LINK_NUMBER.finditer(text), MIN_GLUED_NUMBERS)
    if sum(1 for _ in glued) < MIN_GLUED_NUMBERS:
        return text
    return _LINK_NUMBER.sub("", text)


# A link target: no spaces, parentheses one level deep ("wiki/Bridge_(engineering)"), then an
# optional quoted title. The patterns are written as unrolled loops (a run of ordinary
# characters, then a bracketed part and another run), which the engine matches a run at a
# time: six times faster than the plain alternation on markdownify's pages.
_TARGET = r"\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"\n]*\")?\)"
_IMAGE = regex.compile(r"!\[[^\[\]]*\]" + _TARGET)
# A link's label may hold one level of brackets, and line breaks where the text is wrapped.
_LINK = regex.compile(r"\[([^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)\]" + _TARGET)
MIN_LINKS = 3  # fewer: a stray "[x](y)" in prose, not a converter's Markdown


def strip_markdown_links(text: str) -> str:
    """The text with Markdown links reduced to their labels and pictures taken out, when it
    writes at least MIN_LINKS links or pictures; otherwise the text as it is."""
    if text.count("](") < MIN_LINKS:
        return text
    text = _IMAGE.sub("", text)
    return _LINK.sub(r"\1", text)


MAX_LINE_CHARS = 2000
_SENTENCE_END = regex.compile(r"(?<=[.!?…][\"'”’)\]]?)[ \t]+(?=[\"'“‘(\[]?\p{Lu})")
_GLUED_START = regex.compile(r"(?<=[.!?…:;)\]\p{N}])(?=\p{Lu}\p{Ll})")


def longest_line(text: str) -> int:
    """The length of the text's longest line, line breaks as `str.splitlines` finds them."""
    if (c_textlines := _speedups.get("textlines")) is not None:
        return c_textlines.longest_line(text)
    return max(map(len, text.splitlines()), default=0)


def split_long_lines(text: str) -> str:
    """The text with each line longer than MAX_LINE_CHARS cut at its sentence ends (see the
    module's docstring); the text as it is when no line is that long."""
    if len(text) <= MAX_LINE_CHARS or longest_line(text) <= MAX_LINE_CHARS:
        return text
    lines = text.splitlines(keepends=True)  # the line breaks `text_blocks` splits at, "\r" too
    return "".join(
        _GLUED_START.sub("\n", _SENTENCE_END.sub("\n", line)) if len(line) > MAX_LINE_CHARS else line
        for line in lines
    )


def text_blocks(text: str) -> list[Block]:
    """One block per non-blank line; blank lines are kept only as gap flags. A text
    browser's link numbers ("[12]Home") are taken out first, and Markdown's
    link targets and pictures; a line of thousands of characters is cut at its sentence
    ends (see the module's docstring)."""
    text = split_long_lines(strip_markdown_links(strip_link_numbers(text)))
    if (c_textlines := _speedups.get("textlines")) is not None:
        return c_textlines.blocks(text, Block)
    lines = text.splitlines()
    blocks: list[Block] = []
    pending_gap = False
    stripped = [line.strip() for line in lines]
    for i, line in enumerate(stripped):
        if not line:
            pending_gap = True
            continue
        gap_after = i + 1 >= len(stripped) or not stripped[i + 1]
        blocks.append(Block(line, "", (), (), 0, 0, pending_gap or not blocks, gap_after))
        pending_gap = False
    return blocks
