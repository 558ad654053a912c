"""Where a block sits relative to the page's main text: the second stage's view of structure.

A reader sees where the story starts and stops, and that the cards, comments or headline
lists under it are a different run of same-shaped items that begins where the story ends.
The first stage's scores give a rough main run (the contiguous stretch of text with the
largest surplus of likely-body characters) and a main shape (the markup shape holding the
most likely-body text); these columns say, per block, whether it lies before, inside or
after them, and whether its own shape starts only after the story. The trees weigh this
against the page type: after the story is chrome on an article and content on a forum.
"""

from __future__ import annotations

import numpy as np

STRUCTURE_COLUMNS = (
    "before_main_run",
    "after_main_run",
    "log_chars_from_main_run",
    "main_run_char_share",
    "in_main_shape",
    "before_main_shape",
    "after_main_shape",
    "main_shape_char_share",
    "shape_share_after_run",
)
RUN_MARGIN = 0.5  # a block adds (score - margin) x chars to the run: below it, it costs


def main_run(scores: np.ndarray, chars: np.ndarray) -> tuple[int, int]:
    """First and last index of the contiguous blocks with the largest sum of
    (score - RUN_MARGIN) x chars (the maximum-sum subarray, in closed form over prefix sums)."""
    gains = (scores - RUN_MARGIN) * chars
    prefix = np.concatenate(([0.0], np.cumsum(gains)))
    lowest_before = np.minimum.accumulate(prefix[:-1])
    surplus = prefix[1:] - lowest_before
    end = int(np.argmax(surplus))
    start = int(np.argmax(prefix[: end + 1] == lowest_before[end]))
    return start, end


def structure_columns(
    groups: np.ndarray, body_scores: np.ndarray, chars: np.ndarray, plain_text: bool = False
) -> np.ndarray:
    """STRUCTURE_COLUMNS for a page, from its blocks' shape groups (`context.shape_groups`),
    their first-stage body scores and their lengths in characters. Plain text has no
    shapes (each line is its own group): its shape columns stay 0."""
    n = len(body_scores)
    out = np.zeros((n, len(STRUCTURE_COLUMNS)), dtype=np.float32)
    if n == 0:
        return out
    chars = chars.astype(np.float64)
    total = max(chars.sum(), 1.0)
    index = np.arange(n)
    start, end = main_run(body_scores.astype(np.float64), chars)
    out[:, 0] = index < start
    out[:, 1] = index > end
    cumulative = np.concatenate(([0.0], np.cumsum(chars)))
    before_gap = cumulative[start] - cumulative[index + 1]  # chars between block and run start
    after_gap = cumulative[index] - cumulative[end + 1]
    out[:, 2] = np.log1p(np.maximum(np.maximum(before_gap, after_gap), 0.0))
    out[:, 3] = (cumulative[end + 1] - cumulative[start]) / total
    if plain_text:
        return out
    group_mass = np.bincount(groups, weights=body_scores * chars)
    main_shape = int(np.argmax(group_mass))
    in_main = groups == main_shape
    members = np.flatnonzero(in_main)
    out[:, 4] = in_main
    out[:, 5] = index < members[0]
    out[:, 6] = index > members[-1]
    out[:, 7] = chars[in_main].sum() / total
    group_chars = np.bincount(groups, weights=chars)
    group_after = np.bincount(groups, weights=chars * (index > end))
    out[:, 8] = (group_after / np.maximum(group_chars, 1.0))[groups]
    return out
