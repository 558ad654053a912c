"""Kept blocks to the output text and title.

Paragraphs are separated by a blank line. Plain text hard-wrapped at a fixed width (text
browsers' dumps, mail) comes out in whole paragraphs: the lines of one wrapped paragraph
are joined by a space (`text_rules/wrapping.py` finds them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .text_rules.shapes import LineShapes, line_shapes
from .text_rules.wrapping import continuations, wrap_width
from .types import Block


def join_kept(
    blocks: Sequence[Block],
    keep: Sequence[bool],
    plain_text: bool,
    shapes: LineShapes | None = None,
) -> str:
    """The kept blocks' text: blank lines between blocks, except within a hard-wrapped
    paragraph of plain text, whose lines are joined by a space. `shapes`: plain text's
    `line_shapes`, where the caller has them."""
    kept = np.flatnonzero(np.asarray(keep, dtype=bool))
    if not len(kept):
        return ""
    texts = [blocks[i].text for i in kept.tolist()]
    if plain_text:
        shapes = shapes or line_shapes([block.text for block in blocks])
    width = wrap_width(blocks, shapes) if plain_text else 0
    if not width:
        return "\n\n".join(texts)
    joined = ((np.diff(kept) == 1) & continuations(blocks, width, shapes)[kept[:-1]]).tolist()
    parts = [texts[0]]
    for text, join in zip(texts[1:], joined):
        parts.append(" " if join else "\n\n")
        parts.append(text)
    return "".join(parts)


def title_index(title_proba: np.ndarray, keep: np.ndarray, threshold: float) -> int:
    """The likeliest title among the dropped blocks up to the first kept one, or -1.

    A headline sits above the body it heads; looking only there keeps a subheading or a
    related story's headline further down from taking its place.
    """
    kept = np.flatnonzero(keep)
    end = int(kept[0]) if len(kept) else len(keep)
    if end == 0:
        return -1
    best = int(np.argmax(title_proba[:end]))
    return best if title_proba[best] >= threshold else -1
