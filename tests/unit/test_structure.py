"""The structure columns: where a block sits relative to the page's main run and main shape."""

from __future__ import annotations

import numpy as np

from cleaner.features.structure import STRUCTURE_COLUMNS, main_run, structure_columns

COLUMN = {name: i for i, name in enumerate(STRUCTURE_COLUMNS)}


def test_main_run_is_the_stretch_with_the_largest_surplus_of_likely_body():
    scores = np.array([0.1, 0.9, 0.8, 0.3, 0.9, 0.2, 0.95])
    chars = np.array([50, 400, 300, 20, 500, 300, 30], dtype=float)
    # The weak short block at 3 is bridged; the strong short one at 6 is too far past 5.
    assert main_run(scores, chars) == (1, 4)


def test_main_run_of_a_page_without_likely_body_is_its_best_single_block():
    assert main_run(np.array([0.1, 0.4, 0.2]), np.array([10.0, 10.0, 10.0])) == (1, 1)


def test_blocks_after_the_story_and_a_shape_that_starts_there_are_marked():
    # nav, 3 story paragraphs (shape 1), 3 comments (shape 2), footer
    groups = np.array([0, 1, 1, 1, 2, 2, 2, 3])
    scores = np.array([0.1, 0.9, 0.95, 0.9, 0.45, 0.4, 0.45, 0.05])
    chars = np.array([30, 500, 600, 400, 200, 150, 180, 40], dtype=float)
    columns = structure_columns(groups, scores, chars)
    assert columns[:, COLUMN["before_main_run"]].tolist() == [1, 0, 0, 0, 0, 0, 0, 0]
    assert columns[:, COLUMN["after_main_run"]].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert columns[:, COLUMN["in_main_shape"]].tolist() == [0, 1, 1, 1, 0, 0, 0, 0]
    assert columns[:, COLUMN["after_main_shape"]].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert columns[4:7, COLUMN["shape_share_after_run"]].tolist() == [1, 1, 1]
    assert columns[1, COLUMN["shape_share_after_run"]] == 0
    share = 1500 / chars.sum()
    assert np.allclose(columns[:, COLUMN["main_run_char_share"]], share)
    # the characters between the block and the run (none for the first block after it)
    distance = columns[:, COLUMN["log_chars_from_main_run"]]
    assert distance[1] == distance[4] == 0 < distance[5] < distance[6] < distance[7]


def test_plain_text_has_no_shape_columns():
    scores = np.array([0.2, 0.9, 0.9, 0.1])
    chars = np.array([10.0, 80.0, 90.0, 20.0])
    columns = structure_columns(np.arange(4), scores, chars, plain_text=True)
    shape_columns = [i for name, i in COLUMN.items() if "shape" in name]
    assert not columns[:, shape_columns].any()
    assert columns[:, COLUMN["after_main_run"]].tolist() == [0, 0, 0, 1]


def test_an_empty_page_has_no_rows():
    assert structure_columns(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)).shape == (
        0,
        len(STRUCTURE_COLUMNS),
    )
