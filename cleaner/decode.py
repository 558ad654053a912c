"""From block scores to the kept blocks: the one decision rule for cleaning and evaluation.

A block is kept when its body probability reaches the threshold. Identical blocks (of at
least MIN_REPEAT_CHARS characters) share one decision, taken on the lowest of their scores:
a caption printed twice, a donation appeal repeated, a menu shown for desktop and mobile
are chrome far more often than body, and a repeat in the kept text costs precision anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .types import Block

MIN_REPEAT_CHARS = 20


def _repeat_key(text: str) -> str | None:
    """Blocks are the same when they differ only in white space and letter case."""
    return " ".join(text.split()).casefold() if len(text) >= MIN_REPEAT_CHARS else None


def keep_mask(blocks: Sequence[Block], body: np.ndarray, threshold: float) -> np.ndarray:
    scores = np.asarray(body, dtype=np.float64).copy()
    keys = [_repeat_key(block.text) for block in blocks]
    lowest: dict[str, float] = {}
    for key, score in zip(keys, scores):
        if key is not None:
            lowest[key] = min(lowest.get(key, 1.0), score)
    for i, key in enumerate(keys):
        if key is not None:
            scores[i] = lowest[key]
    return scores >= threshold
