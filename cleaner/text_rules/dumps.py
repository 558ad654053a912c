"""What text browsers add to a page's text: the parts that are found after scoring.

Their link numbers are taken out before segmenting (`segment/text.py`); the rest is here.

`lynx -dump` (and `w3m` with link numbers on) writes every link as "[12]Home" and ends the
dump with a "References" list of the numbered link targets ("  12. https://..."; elinks
numbers each link's title and puts its target on the next line). Neither
is the page's text: the numbers read as words of every link, which the model never saw in
training, and the list is a run of URLs that no gold text holds. On 150 WCXB pages (every
tenth), the shipped model scored 0.672 on default lynx dumps, and 0.818 with both undone;
default elinks dumps went from 0.802 to 0.822 once their list was found too.

They also print what a page shows as pictures and controls: an image as its alt text or
file name in brackets ("[logo.png]", "[Screenshot]"), a text field as a bracketed box
(w3m's "[search      ]") or a run of underscores (lynx), a button as "(BUTTON) Submit". No
gold text holds them, and a file name in brackets is a line of rare words that the model,
never having seen one, tends to keep. Such lines are never kept in plain text, nor is a
wrapped paragraph that says its words twice: an image's alt text, printed for the image and
again for its fallback copy, or a wrapped paragraph wholly in brackets (a long alt text, as
pandoc prints them). On the same 150 pages: lynx 0.8185 -> 0.8230, w3m 0.8387 -> 0.8413,
the other renderings within 0.0002.

All are recognised by their form, not by the tool's name, so that a dump from another
tool with the same habits is undone too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import regex

from ..types import Block
from .shapes import BRACKET_END, CONTROL, SAID_TWICE, LineShapes, line_shapes, says_it_twice
from .wrapping import paragraph_spans

# "  12. https://...": a numbered link target (which may hold spaces); a target that held a
# line break goes on, unnumbered, on the next line ("https://..." on its own).
_NUMBERED_TARGET = r"\d{1,5}\.\s+(?:[a-z][a-z0-9+.-]{0,15}:|www\.).*"
_BARE_TARGET = r"(?:[a-z][a-z0-9+.-]{0,15}://|www\.)\S*"
# Either, in one match a line: the group holds a numbered target.
_TARGET_LINE = regex.compile(f"({_NUMBERED_TARGET})|{_BARE_TARGET}", regex.I)
# "  12. Home" with its target on the next line, as elinks lists them.
_NUMBERED_ITEM = regex.compile(r"\d{1,5}\.\s+\S.*")
_LIST_LABELS = frozenset(("visible links:", "hidden links:", "links:", "visible links", "hidden links"))
_LIST_HEADINGS = frozenset(("references", "links", "link list"))
MIN_LISTED_TARGETS = 2
MIN_TARGET_SHARE = 0.8  # of the lines after a list heading
MAX_HEADING_CHARS = 40
TAIL_LINES = 3  # a list found from its heading has a numbered target among its last lines


# A line of bracketed spans only, after a list bullet at most: images and w3m's form fields.
_BRACKETS_ONLY = regex.compile(r"(?:[-*+o\u2022\u00b7]\s+)?(?:\[[^\[\]]*\]\s*)+")


NOT_TARGET, BARE_TARGET, LIST_LABEL, NUMBERED_TARGET = range(4)


def _target_kind(line: str, below: int) -> int:
    """NUMBERED_TARGET for "12. https://...", or for "12. Home" with a target alone on the
    line `below` (whose kind is given); BARE_TARGET for a target alone (also a target's
    second line); LIST_LABEL for "Visible links"; else NOT_TARGET."""
    line = line.strip()
    match = _TARGET_LINE.fullmatch(line)
    if match:
        return NUMBERED_TARGET if match.group(1) is not None else BARE_TARGET
    if line.lower() in _LIST_LABELS:
        return LIST_LABEL
    if below == BARE_TARGET and line[:1].isdigit() and _NUMBERED_ITEM.fullmatch(line):
        return NUMBERED_TARGET
    return NOT_TARGET


def _target_kinds(lines: Sequence[str], first: int) -> list[int]:
    """The `_target_kind` of each of lines[first:], read from the last line up."""
    kinds = [NOT_TARGET] * (len(lines) - first)
    below = NOT_TARGET
    for offset in range(len(kinds) - 1, -1, -1):
        below = kinds[offset] = _target_kind(lines[first + offset], below)
    return kinds


def link_list_start(lines: Sequence[str]) -> int:
    """Where a trailing list of numbered link targets begins ("References", then lines like
    "  12. https://..."), or len(lines) when the text does not end with one. Blank lines are
    not expected in `lines` (they are the text's blocks).

    Two ways to find it: the run of target lines that ends the text (a list without a
    heading), or the last list heading after which at least MIN_TARGET_SHARE of the lines
    are targets (a target holding a line break, or a stray mark after the list, such as
    lynx's "[USEMAP]", would cut the run short)."""
    start = len(lines)
    targets = 0
    below = NOT_TARGET
    while start > 0 and (below := _target_kind(lines[start - 1], below)) != NOT_TARGET:
        targets += below == NUMBERED_TARGET
        start -= 1
    if targets < MIN_LISTED_TARGETS:
        start = len(lines)
    elif start > 0 and lines[start - 1].strip().lower() in _LIST_HEADINGS:
        return start - 1
    # The heading search reads the whole page: only where the text ends near a numbered
    # target, as such a list does (most texts end otherwise, and HTML list items carry no
    # numbers).
    if NUMBERED_TARGET not in _target_kinds(lines, max(len(lines) - TAIL_LINES, 0)):
        return start
    heading = _last_list_heading(lines, start)
    if heading >= 0:
        kinds = _target_kinds(lines, heading + 1)
        numbered = kinds.count(NUMBERED_TARGET)
        if numbered >= MIN_LISTED_TARGETS and len(kinds) - kinds.count(NOT_TARGET) >= MIN_TARGET_SHARE * len(
            kinds
        ):
            return heading
    return start


def _last_list_heading(lines: Sequence[str], end: int) -> int:
    """The index of the last list heading ("References") before `end`, or -1."""
    for index in range(end - 1, -1, -1):
        line = lines[index]
        if len(line) <= MAX_HEADING_CHARS and line.strip().lower() in _LIST_HEADINGS:
            return index
    return -1


def picture_paragraphs(
    blocks: Sequence[Block],
    width: int,
    shapes: LineShapes | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Which lines of a text hard-wrapped at `width` belong to a paragraph that is a
    picture's text. Either it says the same words twice over ("A bowl of soup on a table A
    bowl of soup on a table"): an alt text printed once for the image and once for its
    fallback copy; body text does not repeat itself so. A line is checked on its own too, as
    a wrap may join an alt text's line to the paragraph above it. Or it is wholly in
    brackets, over several lines: a long alt text as pandoc prints it ("[A diagram of the
    app's screens, showing ...]"), the wrapped form of what `control_lines` finds on one
    line. Only wrapped texts are looked at: text browsers and converters that wrap print
    alt texts; HTML-to-text libraries and browsers' copies do not. `spans`: the text's
    wrapped paragraphs (`paragraph_spans`, two lines or more), where the caller has them."""
    texts = [block.text for block in blocks]
    shapes = shapes or line_shapes(texts)
    marks = shapes.flags & SAID_TWICE != 0
    if spans is None:
        spans = paragraph_spans(blocks, width, shapes, min_lines=2)
    for start, end in spans:
        bracketed = texts[start].startswith("[") and shapes.flags[end - 1] & BRACKET_END
        joined = " ".join(texts[start:end])
        if (bracketed and _BRACKETS_ONLY.fullmatch(joined)) or says_it_twice(joined):
            marks[start:end] = True
    return marks


def control_lines(lines: Sequence[str], shapes: LineShapes | None = None) -> np.ndarray:
    """Which lines are a text browser's pictures and form controls: bracketed spans only
    ("[logo.png]", "[][banner]", "* [icon-facebook.svg]") or holding a button or a text
    field ("(BUTTON) Submit", "Email ____________")."""
    flags = (shapes or line_shapes(lines)).flags
    marks = flags & CONTROL != 0
    for index in np.flatnonzero(flags & BRACKET_END).tolist():
        marks[index] |= _BRACKETS_ONLY.fullmatch(lines[index]) is not None
    return marks
