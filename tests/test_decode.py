"""The decision rule shared by cleaning and evaluation."""

from __future__ import annotations

import numpy as np

from cleaner.decode import keep_mask
from cleaner.types import Block


def test_threshold_decides_single_blocks():
    blocks = [Block("short"), Block("a long enough body paragraph here"), Block("another body line that is long")]
    assert keep_mask(blocks, np.array([0.9, 0.31, 0.29]), 0.3).tolist() == [True, True, False]


def test_repeated_blocks_share_the_lowest_score():
    caption = "Delegates meet before the talks in London on Monday."
    blocks = [Block(caption), Block("The body paragraph that follows it."), Block(caption.upper().replace(" ", "  "))]
    keep = keep_mask(blocks, np.array([0.2, 0.9, 0.8]), 0.3)
    assert keep.tolist() == [False, True, False]


def test_short_repeats_are_decided_one_by_one():
    blocks = [Block("Share"), Block("Share")]
    assert keep_mask(blocks, np.array([0.1, 0.9]), 0.3).tolist() == [False, True]
