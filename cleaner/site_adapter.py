"""A per-site layer over the model's scores (`clean adapt` fits it; cleaning applies it).

A site's pages share their markup and their boilerplate, so a handful of labeled pages says
a lot about the rest: which class names hold the story, which lines are the site's own
chrome. The layer is a logistic model over the model's own log-odds and hashed tokens of
the block (its tag, its enclosing tags, its class/id words, its markup shape and its words):
the model's score is the starting point, the site's evidence moves it. Arrays only, read
without pickles, like the model.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import regex

from .types import Block

ADAPTER_BUCKETS = 1 << 16
MAX_TEXT_WORDS = 30
_WORD = regex.compile(r"\w+")


def block_tokens(block: Block) -> list[str]:
    """The site-level evidence of one block, as strings to hash."""
    shape = "/".join(block.path[:3]) + "|" + " ".join(block.attr_words)
    tokens = [f"t:{block.tag}", f"p:{'/'.join(block.path[:3])}", f"s:{shape}"]
    tokens += [f"a:{word}" for word in block.attr_words]
    words = _WORD.findall(block.text.lower())[:MAX_TEXT_WORDS]
    tokens += [f"w:{word}" for word in words]
    tokens.append(f"x:{' '.join(words[:8])}")  # the line's opening: a site's repeated chrome
    return tokens


def hashed_rows(blocks: Sequence[Block]) -> tuple[np.ndarray, np.ndarray]:
    """(row, bucket) pairs of all blocks' tokens, for a sparse matrix or a weight lookup."""
    rows: list[int] = []
    buckets: list[int] = []
    for row, block in enumerate(blocks):
        for token in block_tokens(block):
            rows.append(row)
            buckets.append(zlib.crc32(token.encode("utf-8")) % ADAPTER_BUCKETS)
    return np.array(rows, dtype=np.int64), np.array(buckets, dtype=np.int64)


def log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class SiteAdapter:
    """body' = sigmoid(scale x logit(body) + sum of the block's token weights + bias)."""

    weights: np.ndarray  # (ADAPTER_BUCKETS,)
    scale: float
    bias: float

    def apply(self, blocks: Sequence[Block], body: np.ndarray) -> np.ndarray:
        rows, buckets = hashed_rows(blocks)
        sums = np.bincount(rows, weights=self.weights[buckets], minlength=len(blocks))
        z = self.scale * log_odds(body) + sums + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -300.0, 300.0)))
