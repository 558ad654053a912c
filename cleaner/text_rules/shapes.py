"""What the plain-text rules of decoding and output read of each line, in one pass.

The wrap width and paragraphs (`wrapping`) and a text browser's pictures, controls and
doubled alt texts (`dumps`) each look at every line of every plain text: its length,
its first word, a few marks. Asked in Python, that is a step or more per line and rule; on
this machine about 0.1 µs each, some 5% of cleaning a plain text. So the marks come from one
pass in C where the optional `_decodetext` module is built: it reads a line's characters
only up to its second word and finds the marks with memchr (one-byte text) or a character
loop, and gives the same arrays as the Python below (a test checks). The flags' bit values
are written in the C code too; that test holds the two together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .. import _speedups

URL = 1  # holds "://": a wrap cannot break a URL, so such lines do not tell the width
BRACKET_END = 2  # ends with "]": may be a picture or a form field in brackets only
CONTROL = 4  # holds a text browser's button or text field (CONTROL_MARKS)
SAID_TWICE = 8  # a run of at least MIN_DOUBLED_WORDS words, then the same run again (after a space or glued)
NUMBERED = 16  # starts with a list mark (LIST_MARKERS) or a number ("1.", "2)", "2024")
WORDS = 32  # holds two words or more

URL_MARK = "://"
CONTROL_MARKS = ("(BUTTON)", "________")  # lynx's button label and text field
LIST_MARKERS = "*+-•·◦▪‣>|#"
MIN_DOUBLED_WORDS = 2  # words said twice: "hero image hero image"; one may be emphasis ("very very")


class LineShapes(NamedTuple):
    """Per line: its length, its first word's length (words as `str.split` finds them) and
    its marks (the flags above, or-ed)."""

    lengths: np.ndarray
    first_lengths: np.ndarray
    flags: np.ndarray


def line_shapes(texts: Sequence[str]) -> LineShapes:
    """The shapes of the texts' lines (each text one line of plain text, stripped)."""
    texts = list(texts)
    n = len(texts)
    shapes = LineShapes(np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.uint8))
    if (c_decodetext := _speedups.get("decodetext")) is not None:
        c_decodetext.line_shapes(texts, URL_MARK, CONTROL_MARKS, LIST_MARKERS, MIN_DOUBLED_WORDS, *shapes)
        return shapes
    for index, text in enumerate(texts):
        words = text.split(None, 2)
        first = words[0] if words else ""
        shapes.lengths[index] = len(text)
        shapes.first_lengths[index] = len(first)
        shapes.flags[index] = (
            URL * (URL_MARK in text)
            | BRACKET_END * text.endswith("]")
            | CONTROL * any(mark in text for mark in CONTROL_MARKS)
            | SAID_TWICE * says_it_twice(text)
            | NUMBERED * _numbered(first)
            | WORDS * (len(words) >= 2)
        )
    return shapes


def says_it_twice(text: str) -> bool:
    """Whether the text is a run of at least MIN_DOUBLED_WORDS words and the same run again,
    after one space or glued to it (a text browser that printed "[185]" between the two
    copies, its link number since taken out)."""
    half = len(text) // 2
    if len(text) % 2:
        first, second = text[:half], text[half + 1 :]
        if text[half] != " ":
            return False
    else:
        first, second = text[:half], text[half:]
    return first == second and len(first.split()) >= MIN_DOUBLED_WORDS


def _numbered(first: str) -> bool:
    return bool(first) and (first[0] in LIST_MARKERS or first[0].isdigit() and first.rstrip(".)").isdigit())
