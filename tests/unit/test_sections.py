"""The section columns: a heading speaks for every block below it, up to the next heading."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.features.context import SECTION_COLUMNS, heading_levels, section_columns
from cleaner.features.tokens import char_class_counts
from cleaner.segment.text import text_blocks
from cleaner.types import Block

COLUMN = {name: i for i, name in enumerate(SECTION_COLUMNS)}


def _columns(blocks, body, title=None):
    first = np.zeros((len(blocks), 3), dtype=np.float32)
    first[:, 1] = body
    if title is not None:
        first[title, 2] = 1.0
    plain_text = not any(b.tag for b in blocks)
    return section_columns(
        heading_levels(blocks), first, char_class_counts([b.text for b in blocks]), plain_text
    )


def test_blocks_under_a_chrome_heading_carry_its_score_to_the_next_heading():
    blocks = [
        Block("Intro before any heading.", tag="p"),
        Block("The story", tag="h1"),
        Block("First paragraph of the story.", tag="p"),
        Block("Second paragraph of the story.", tag="p"),
        Block("Customer reviews", tag="h3"),
        Block("Great product, five stars.", tag="p"),
    ]
    body = [0.5, 0.9, 0.8, 0.6, 0.1, 0.7]
    X = _columns(blocks, body, title=1)
    heading_body = X[:, COLUMN["section_heading_body"]]
    assert heading_body.tolist() == pytest.approx([-1, 0.9, 0.9, 0.9, 0.1, 0.1])
    assert X[:, COLUMN["section_level"]].tolist() == [-1, 1, 1, 1, 3, 3]
    assert X[2, COLUMN["section_mean_body"]] == pytest.approx((0.9 + 0.8 + 0.6) / 3)
    assert X[5, COLUMN["section_mean_body"]] == pytest.approx((0.1 + 0.7) / 2)
    assert X[:, COLUMN["section_log_blocks"]].tolist() == pytest.approx(np.log1p([1, 3, 3, 3, 2, 2]).tolist())
    assert X[:, COLUMN["log_blocks_since_heading"]].tolist() == pytest.approx(
        [-1, 0, np.log1p(1), np.log1p(2), 0, np.log1p(1)]
    )
    offsets = X[:, COLUMN["title_offset"]]
    assert offsets[1] == 0 and offsets[0] < 0 < offsets[2] < offsets[5]


def test_plain_text_headings_are_short_lines_before_longer_ones():
    blocks = text_blocks(
        "Related articles\nA long line that reads like the start of a paragraph here.\n"
        "Ends a sentence.\nShort again\n"
    )
    X = _columns(blocks, [0.2, 0.9, 0.9, 0.4])
    # "Related articles" opens a section; "Ends a sentence." does not (it ends one), and
    # "Short again" is followed by nothing longer
    assert X[:, COLUMN["section_heading_body"]].tolist() == pytest.approx([0.2, 0.2, 0.2, 0.2])
    assert X[:, COLUMN["section_level"]].tolist() == [0, 0, 0, 0]


def test_a_page_without_headings_and_an_empty_page():
    X = _columns([Block("Only a paragraph.", tag="p"), Block("Another one.", tag="p")], [0.9, 0.8])
    assert (X[:, COLUMN["section_heading_body"]] == -1).all()
    assert X[:, COLUMN["section_mean_body"]].tolist() == pytest.approx([0.85, 0.85])
    assert _columns([], []).shape == (0, len(SECTION_COLUMNS))
