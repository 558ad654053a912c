"""Class-word family flags: the words that name comment threads, related lists, archives, menus."""

from __future__ import annotations

from cleaner.features.families import FAMILY_COLUMNS, family_columns
from cleaner.types import Block


def test_each_family_is_flagged_from_the_blocks_class_words():
    blocks = [
        Block("I agree with the council.", tag="p", attr_words=("comment", "content")),
        Block("Ferry cuts crossings", tag="a", attr_words=("related", "stories")),
        Block("December (111)", tag="li", attr_words=("widget", "archive")),
        Block("Home", tag="li", attr_words=("site", "nav")),
        Block("The story itself.", tag="p", attr_words=("entry", "body")),
        Block("A plain-text line"),
    ]
    rows = family_columns(blocks).tolist()
    expected = ["comments_markup", "related_markup", "archive_markup", "navigation_markup"]
    for row, name in zip(rows, expected):
        assert row == [1.0 if column == name else 0.0 for column in FAMILY_COLUMNS]
    assert rows[4] == rows[5] == [0.0] * len(FAMILY_COLUMNS)


def test_a_block_can_belong_to_two_families():
    (row,) = family_columns([Block("Recent comments", tag="h3", attr_words=("recent", "comments"))]).tolist()
    assert row[FAMILY_COLUMNS.index("comments_markup")] == row[FAMILY_COLUMNS.index("related_markup")] == 1.0
