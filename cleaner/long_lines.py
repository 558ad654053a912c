"""Plain text without its line structure, cut into sentence-sized lines before it is classified.

Some scrapes hold a whole page, or a large part of one, on a single line: BeautifulSoup's
`get_text()` of minified HTML, a text whose white space was collapsed on the way. A line
classifier can only keep or drop such a line whole, and the model, which never saw a line
of 12,000 characters, drops it: on 150 WCXB pages (every tenth), `get_text()` left 7 pages on
one line, all cleaned to nothing. So a line longer than MAX_LINE_CHARS is cut at its
sentence ends: after ".", "!" or "?" and a space, before a capital; and where one block's
text ran into the next without a space ("...in 2024Search", "...the end.Next"), after an end
mark, a digit or a closing bracket, before a capital and a small letter. Each piece then
becomes a line of its own.

Lines of ordinary text are far shorter: of the 160,000 text blocks of the WCXB dev pages,
70 are longer than 2,000 characters.
"""

from __future__ import annotations

import regex

try:
    from . import _textlines  # the optional C helpers (setup.py)
except ImportError:  # not built: the same in Python
    _textlines = None

MAX_LINE_CHARS = 2000
_SENTENCE_END = regex.compile(r"(?<=[.!?…][\"'”’)\]]?)[ \t]+(?=[\"'“‘(\[]?\p{Lu})")
_GLUED_START = regex.compile(r"(?<=[.!?…:;)\]\p{N}])(?=\p{Lu}\p{Ll})")


def longest_line(text: str, use_c: bool = True) -> int:
    """The length of the text's longest line, line breaks as `str.splitlines` finds them."""
    if use_c and _textlines is not None:
        return _textlines.longest_line(text)
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
