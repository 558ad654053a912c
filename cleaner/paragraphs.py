"""The kept blocks joined into the output text, hard-wrapped paragraphs made whole again.

Blocks are joined by a blank line. Plain text hard-wrapped at a fixed width (text browsers'
dumps, mail, `fold`, some WET files) has one block per wrapped line, though: joined so, a
paragraph would come out as one "paragraph" per line, which splits sentences apart for
whoever chunks the text next. There, a kept line that the paragraph's next word would not
have fitted on continues into the next kept line, and the two are joined by a space.
"""

from __future__ import annotations

from collections.abc import Sequence

from .types import Block

MIN_WRAP_WIDTH = 40  # narrower: short lines (a menu, a list of numbers), not a wrap
MAX_WRAP_WIDTH = 120  # wider pages are not taken for hard-wrapped
MIN_FULL_LINES = 5  # lines that reach near the width: fewer, and the width is a guess
FULL_LINE_SLACK = 12  # a "full" line is at most this much shorter than the width
OVERLONG_SHARE = 50  # one line in this many may be longer than the width
LIST_MARKERS = frozenset("*+-•·◦▪‣>|#")


def wrap_width(blocks: Sequence[Block]) -> int:
    """The width a plain text looks hard-wrapped at, or 0 when it does not look wrapped.

    Only lines with a space and no URL count (a wrap cannot break a long URL), and one line in
    OVERLONG_SHARE may pass the width all the same (a long word, a table row). The width
    must lie between MIN_WRAP_WIDTH and MAX_WRAP_WIDTH, with at least MIN_FULL_LINES lines within
    FULL_LINE_SLACK characters of it.
    """
    lengths = sorted(
        (len(block.text) for block in blocks if " " in block.text and "://" not in block.text), reverse=True
    )
    if not lengths:
        return 0
    width = lengths[min(len(lengths) // OVERLONG_SHARE, len(lengths) - 1)]
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH or sum(width - FULL_LINE_SLACK <= n <= width for n in lengths) < MIN_FULL_LINES:
        return 0
    return width


def _continues(line: str, next_line: str, width: int) -> bool:
    """Whether `line` was cut by the wrap: the first word of `next_line` would not have fit."""
    first = next_line.split(maxsplit=1)[0] if next_line.strip() else ""
    if not first or first[0] in LIST_MARKERS or first[0].isdigit() and first.rstrip(".)").isdigit():
        return False  # a list item or a numbered line starts afresh
    return len(line) + 1 + len(first) > width


def join_kept(blocks: Sequence[Block], keep: Sequence[bool], plain_text: bool) -> str:
    """The kept blocks' text: blank lines between blocks, except within a hard-wrapped
    paragraph of plain text, whose lines are joined by a space."""
    kept = [i for i, k in enumerate(keep) if k]
    if not kept:
        return ""
    width = wrap_width(blocks) if plain_text else 0
    parts = [blocks[kept[0]].text]
    for previous, current in zip(kept, kept[1:]):
        joined = (
            width
            and current == previous + 1
            and not blocks[current].gap_before
            and _continues(blocks[previous].text, blocks[current].text, width)
        )
        parts.append(" " if joined else "\n\n")
        parts.append(blocks[current].text)
    return "".join(parts)
