"""The kept blocks joined into the output text, hard-wrapped paragraphs made whole again.

Blocks are joined by a blank line. Plain text hard-wrapped at a fixed width (text browsers'
dumps, mail, `fold`, some WET files) has one block per wrapped line, though: joined so, a
paragraph would come out as one "paragraph" per line, which splits sentences apart for
whoever chunks the text next. There, a kept line that the paragraph's next word would not
have fitted on continues into the next kept line, and the two are joined by a space.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

import numpy as np

from ..types import Block
from .shapes import NUMBERED, URL, WORDS, LineShapes, line_shapes

MIN_WRAP_WIDTH = 40  # narrower: short lines (a menu, a list of numbers), not a wrap
MAX_WRAP_WIDTH = 120  # wider pages are not taken for hard-wrapped
MIN_FULL_LINES = 5  # lines that reach near the width: fewer, and the width is a guess
FULL_LINE_SLACK = 12  # a "full" line is at most this much shorter than the width
OVERLONG_SHARE = 50  # one line in this many may be longer than the width
GAP_BEFORE = itemgetter(6)  # Block.gap_before, read at C speed


def wrap_width(blocks: Sequence[Block], shapes: LineShapes | None = None) -> int:
    """The width a plain text looks hard-wrapped at, or 0 when it does not look wrapped.

    Only lines of two words or more and no URL count (a wrap cannot break a long URL), and one
    line in OVERLONG_SHARE may pass the width all the same (a long word, a table row). The
    width must lie between MIN_WRAP_WIDTH and MAX_WRAP_WIDTH, with at least MIN_FULL_LINES
    lines within FULL_LINE_SLACK characters of it. `shapes`: the blocks' `line_shapes`, where
    the caller has them.
    """
    shapes = shapes or line_shapes([block.text for block in blocks])
    lengths = shapes.lengths[(shapes.flags & WORDS != 0) & (shapes.flags & URL == 0)]
    if not len(lengths):
        return 0
    rank = min(len(lengths) // OVERLONG_SHARE, len(lengths) - 1)  # from the longest down
    width = int(np.partition(lengths, len(lengths) - 1 - rank)[len(lengths) - 1 - rank])
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH:
        return 0
    if np.count_nonzero((lengths >= width - FULL_LINE_SLACK) & (lengths <= width)) < MIN_FULL_LINES:
        return 0
    return width


def continuations(blocks: Sequence[Block], width: int, shapes: LineShapes | None = None) -> np.ndarray:
    """For each line but the last, whether the wrap cut it: the next line's first word would
    not have fitted on it, and the next line is no list item, numbered line or new paragraph."""
    lengths, first_lengths, flags = shapes or line_shapes([block.text for block in blocks])
    gaps = np.fromiter(map(GAP_BEFORE, blocks), dtype=bool, count=len(blocks))
    return (
        (lengths[:-1] + 1 + first_lengths[1:] > width)
        & (first_lengths[1:] > 0)
        & ~gaps[1:]
        & (flags[1:] & NUMBERED == 0)
    )


def paragraph_spans(
    blocks: Sequence[Block],
    width: int,
    shapes: LineShapes | None = None,
    min_lines: int = 1,
) -> list[tuple[int, int]]:
    """The plain text's paragraphs as (first, last + 1) block ranges: a paragraph hard-wrapped
    at `width` makes one range; with no width (text not wrapped), every line is its own.
    Only paragraphs of at least `min_lines` lines: a caller that looks at wrapped paragraphs
    alone then loops over a few ranges, not over every line of a long dump."""
    if not width:
        return [(index, index + 1) for index in range(len(blocks))] if min_lines <= 1 else []
    bounds = np.concatenate(([0], np.flatnonzero(~continuations(blocks, width, shapes)) + 1, [len(blocks)]))
    long_enough = np.diff(bounds) >= min_lines
    return list(zip(bounds[:-1][long_enough].tolist(), bounds[1:][long_enough].tolist()))
