"""Markup guesses: what an HTML page said about a plain-text line, guessed from its words.

Plain text has lost the markup that tells a menu link from a sentence, a heading from a
short paragraph, a footer from the body. In training, every line of a block-based
rendering knows the HTML block it came from, so linear models over the line's tokens
learn to guess whether that block was a link, a heading, a list item, inside a page
region (nav, header, footer, aside, form), or under chrome-like class words. The text
model's second stage then reads these guesses around each line, as the HTML model reads
the markup itself. The guesses are for plain text only: an HTML page has the real thing.
"""

from __future__ import annotations

import numpy as np

from .. import _speedups
from ..types import Block
from .context import NEIGHBOUR_OFFSETS  # the same neighbours as the context rows

GUESSES = ("link", "heading", "list_item", "page_region", "chrome_class")
_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
_REGIONS = frozenset(("nav", "header", "footer", "aside", "form"))
_CHROME_CLASS_WORDS = frozenset(
    (
        "ad",
        "ads",
        "banner",
        "breadcrumb",
        "breadcrumbs",
        "comment",
        "comments",
        "cookie",
        "footer",
        "header",
        "login",
        "menu",
        "nav",
        "navbar",
        "navigation",
        "newsletter",
        "promo",
        "related",
        "share",
        "sidebar",
        "social",
        "subscribe",
        "widget",
    )
)

WINDOW_RADIUS = 5
COLUMNS_PER_GUESS = 1 + len(NEIGHBOUR_OFFSETS) + 2  # own, neighbours, window mean, page mean


def block_markup(block: Block) -> tuple[int, ...]:
    """The truth each guess learns, read off one HTML block (1 = yes)."""
    return (
        int(block.link_chars * 2 >= max(len(block.text), 1)),
        int(block.tag in _HEADINGS),
        int(block.tag == "li" or "li" in block.path),
        int(block.tag in _REGIONS or not _REGIONS.isdisjoint(block.path)),
        int(not _CHROME_CLASS_WORDS.isdisjoint(block.attr_words)),
    )


def markup_columns(guesses: np.ndarray) -> np.ndarray:
    """The second stage's view of the guesses, per guess: the line's own, its neighbours'
    at `NEIGHBOUR_OFFSETS` (0 past the page's ends), their mean over +-WINDOW_RADIUS lines,
    and the page's mean. No guesses (HTML) give no columns. Made in one C pass where
    `_context` is built (some twenty numpy calls took 0.15 ms on a 300-line page)."""
    n, k = guesses.shape
    if k == 0 or n == 0:
        return np.zeros((n, k * COLUMNS_PER_GUESS), dtype=np.float32)
    if (c_context := _speedups.get("context")) is not None:
        out = np.empty((n, k * COLUMNS_PER_GUESS), dtype=np.float32)
        c_context.markup_rows(
            n,
            k,
            np.ascontiguousarray(guesses, dtype=np.float32),
            WINDOW_RADIUS,
            np.array(NEIGHBOUR_OFFSETS, dtype=np.int64),
            out,
        )
        return out
    guesses = guesses.astype(np.float64)
    reach = max(map(abs, NEIGHBOUR_OFFSETS))
    padded = np.vstack((np.zeros((reach, k)), guesses, np.zeros((reach, k))))
    columns = [guesses] + [padded[reach + offset : reach + offset + n] for offset in NEIGHBOUR_OFFSETS]
    sums = np.vstack((np.zeros((1, k)), np.cumsum(guesses, axis=0)))
    at = np.arange(n)
    lo, hi = np.maximum(at - WINDOW_RADIUS, 0), np.minimum(at + WINDOW_RADIUS + 1, n)
    columns.append((sums[hi] - sums[lo]) / (hi - lo)[:, None])
    columns.append(np.broadcast_to(guesses.mean(axis=0), (n, k)))
    return np.hstack(columns).astype(np.float32)
