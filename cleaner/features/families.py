"""Class and id words that name a family of page regions, as numbers the trees can combine.

The first stage reads every class word already, but linearly: it cannot say that a block
under `comment-list` is content on a forum and chrome under an article. These columns give
the second stage the same words as flags, so that it can weigh them against the page type
and against where the block sits relative to the main text (`structure.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..types import Block

FAMILY_WORDS: dict[str, frozenset[str]] = {
    "comments_markup": frozenset(
        "comment comments commentlist reply replies respond discussion disqus".split()
    ),
    "related_markup": frozenset(
        "related recommended recommendations popular trending teaser teasers latest recent "
        "promo outbrain taboola more".split()
    ),
    "archive_markup": frozenset("archive archives tag tags tagcloud category categories widget".split()),
    "navigation_markup": frozenset("nav navbar navigation menu breadcrumb breadcrumbs footer header".split()),
}
FAMILY_COLUMNS = tuple(FAMILY_WORDS)
_ALL_WORDS = frozenset().union(*FAMILY_WORDS.values())


def family_columns(blocks: Sequence[Block]) -> np.ndarray:
    """One 0/1 column per FAMILY_WORDS entry: whether the block's class/id words name it."""
    out = np.zeros((len(blocks), len(FAMILY_COLUMNS)), dtype=np.float32)
    for row, block in enumerate(blocks):
        words = block.attr_words
        if not words or _ALL_WORDS.isdisjoint(words):
            continue
        for column, family in enumerate(FAMILY_WORDS.values()):
            if not family.isdisjoint(words):
                out[row, column] = 1.0
    return out
