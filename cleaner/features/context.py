"""Blocks to feature rows: the one feature function that training and inference share.

Two kinds of evidence, for the model's two stages:
- `block_tokens`: sparse words of the block itself (its words, first word, shape) and of
  its markup (tag, enclosing tags, class/id words). A linear model turns these into a
  first "looks like body / chrome / title" score per block.
- `page_vector`: all the page's tokens (and its URL's words, when known) in one folded
  bag, from which a linear page-type stage guesses what kind of page this is (article,
  forum, product, listing...).
- `context_matrix`: dense numbers per block (length, punctuation, link density, position,
  repeats within the page) plus the first-stage scores of the block, its neighbours and
  windows around it, and the page-type guess. Body comes in runs, and what counts as body
  depends on the kind of page (linked titles are a listing's content and an article's
  chrome), so a gradient-boosted model over this context decides each block in the light
  of the page around it.
- `section_columns`: where each block sits among the page's headed sections, so that a
  heading such as "Reviews" or "Related articles" speaks for the whole region below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

import numpy as np

from .. import _speedups
from ..types import Block
from .families import FAMILY_COLUMNS, family_columns
from .structure import STRUCTURE_COLUMNS, structure_columns
from .tokens import (
    CHAR_COUNT_COLUMNS,
    HASH_FEATURES,
    MAX_WORDS,
    PAGE_BUCKETS,
    PAGE_TYPES,
    TAG_OF,
    char_class_counts,
)

FEATURE_VERSION = "8"  # bump whenever a feature changes: old models are then refused
_HEADING_LEVEL = {f"h{level}": level for level in range(1, 7)}


BLOCK_COLUMNS = (
    "log_chars",
    "log_words",
    "digit_share",
    "upper_share",
    "punct_share",
    "letter_share",
    "sentence_end",
    "starts_upper",
    "separators",
    "mean_word_len",
    "link_density",
    "depth",
    "is_heading",
    "gap_before",
    "gap_after",
    "repeats",
    "position",
    "chars_before_share",
    "same_shape_count",
    "same_shape_char_share",
)
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
WINDOWS = (3, 10)


FIELD_COLUMNS = ("chars", "link_chars", "depth", "gap_before", "gap_after")


def block_fields(blocks: Sequence[Block]) -> np.ndarray:
    """(blocks, FIELD_COLUMNS): the numbers each Block carries, read in one pass."""
    if (c_blockscan := _speedups.get("blockscan")) is not None:
        out = np.empty((len(blocks), len(FIELD_COLUMNS)), dtype=np.int64)
        c_blockscan.fields(blocks if isinstance(blocks, list) else list(blocks), out)
        return out
    rows = [(len(b.text), b.link_chars, b.depth, b.gap_before, b.gap_after) for b in blocks]
    return np.array(rows, dtype=np.int64).reshape(len(rows), len(FIELD_COLUMNS))


def heading_levels(blocks: Sequence[Block]) -> np.ndarray:
    """1-6 for each block that is a heading (h1-h6), else 0."""
    n = len(blocks)
    tags = list(map(TAG_OF, blocks))
    if not any(tags):  # plain text has no headings
        return np.zeros(n, dtype=np.int64)
    return np.fromiter(map(_HEADING_LEVEL.get, tags, repeat(0, n)), dtype=np.int64, count=n)


def heading_flags(blocks: Sequence[Block]) -> np.ndarray:
    """1 for each block that is a heading (h1-h6), else 0."""
    return (heading_levels(blocks) > 0).astype(np.uint8)


def same_text_counts(texts: Sequence[str]) -> np.ndarray:
    """How many blocks of the page have each block's exact text (itself included)."""
    first_of = dict(zip(texts, range(len(texts))))  # one index per distinct text
    same = np.fromiter(map(first_of.__getitem__, texts), dtype=np.int64, count=len(texts))
    return np.bincount(same, minlength=len(texts))[same]


def block_stats(
    blocks: Sequence[Block], groups: np.ndarray, class_counts: np.ndarray | None = None
) -> np.ndarray:
    """Per-block numbers that do not depend on the model; `groups` from `shape_groups`,
    `class_counts` from `char_class_counts` (computed here when not given)."""
    n = len(blocks)
    stats = np.zeros((n, len(BLOCK_COLUMNS)), dtype=np.float32)
    if n == 0:
        return stats
    texts = [block.text for block in blocks]
    if class_counts is None:
        class_counts = char_class_counts(texts)
    letters, uppers, digits, puncts, separators, word_chars, n_words, starts_upper, sentence_end = (
        class_counts.T.astype(np.float64)
    )
    lengths, link_chars, depths, gaps_before, gaps_after = block_fields(blocks).T
    safe_len = np.maximum(lengths, 1)
    stats[:, 0] = np.log1p(lengths)
    stats[:, 1] = np.log1p(n_words)
    stats[:, 2] = digits / safe_len
    stats[:, 3] = uppers / np.maximum(letters, 1)
    stats[:, 4] = puncts / safe_len
    stats[:, 5] = letters / safe_len
    stats[:, 6] = sentence_end
    stats[:, 7] = starts_upper
    stats[:, 8] = separators
    stats[:, 9] = word_chars / np.maximum(n_words, 1)
    stats[:, 10] = link_chars / safe_len
    stats[:, 11] = depths
    stats[:, 12] = heading_flags(blocks)
    stats[:, 13] = gaps_before
    stats[:, 14] = gaps_after
    stats[:, 15] = same_text_counts(texts) - 1
    stats[:, 16] = np.arange(n) / max(n - 1, 1)
    total = max(float(lengths.sum()), 1.0)
    stats[:, 17] = (np.cumsum(lengths) - lengths) / total
    counts = np.bincount(groups)
    stats[:, 18] = np.log1p(counts[groups] - 1)
    stats[:, 19] = np.bincount(groups, weights=lengths)[groups] / total
    return stats


def shape_groups(blocks: Sequence[Block]) -> np.ndarray:
    """Blocks that share their markup shape (enclosing tags and class words) share a group.

    Repeated shapes are cards, posts, result items or menu entries: whether such a group
    is content depends on the group as a whole, so the model sees group-level numbers.
    Plain-text lines have no markup and each form a group of their own.
    """
    if not any(map(TAG_OF, blocks)):  # plain text: one group per line
        return np.arange(len(blocks), dtype=np.int64)
    ids: dict[tuple | int, int] = {}
    setdefault = ids.setdefault
    keys = [(block.path[:4], block.attr_words) if block.tag else i for i, block in enumerate(blocks)]
    return np.fromiter((setdefault(key, len(ids)) for key in keys), dtype=np.int64, count=len(keys))


def _window_means(values: np.ndarray, radii: Sequence[int]) -> list[np.ndarray]:
    """Mean of `values` over each block's window of +-radius blocks, for each radius."""
    padded = np.concatenate(([0.0], np.cumsum(values)))
    n = len(values)
    idx = np.arange(n)
    means = []
    for radius in radii:
        lo = np.maximum(idx - radius, 0)
        hi = np.minimum(idx + radius + 1, n)
        means.append((padded[hi] - padded[lo]) / (hi - lo))
    return means


def context_features(
    blocks: Sequence[Block],
    first_scores: np.ndarray,
    page_types: np.ndarray,
    class_counts: np.ndarray | None = None,
) -> np.ndarray:
    """The second stage's input for a page, given the first stage's scores: the rows of
    `context_matrix(block_stats(...))`, then the `section_columns` (each made in one C
    pass where `_context` is built; the Python functions are the reference)."""
    groups = shape_groups(blocks)
    texts = [block.text for block in blocks]
    if class_counts is None:
        class_counts = char_class_counts(texts)
    first = np.ascontiguousarray(first_scores, dtype=np.float32)
    levels = heading_levels(blocks)
    plain_text = not levels.any() and not any(map(TAG_OF, blocks))
    if not ((c_context := _speedups.get("context")) is not None and len(blocks)):
        base = context_matrix(block_stats(blocks, groups, class_counts), groups, first, page_types)
        sections = section_columns(levels, first, class_counts, plain_text)
    else:
        n = len(blocks)
        body = first[:, 1]
        page = np.array([np.log1p(n), body.mean(), (body > 0.5).mean()], dtype=np.float32)
        counts = np.ascontiguousarray(class_counts, dtype=np.int64)
        base = np.empty((n, BASE_WIDTH), dtype=np.float32)
        c_context.context_rows(
            n,
            BASE_WIDTH,
            counts,
            block_fields(blocks),
            same_text_counts(texts),
            groups,
            (levels > 0).astype(np.uint8),
            first,
            page,
            np.ascontiguousarray(page_types, dtype=np.float32),
            np.array(NEIGHBOUR_OFFSETS, dtype=np.int64),
            np.array(WINDOWS, dtype=np.int64),
            base,
        )
        sections = np.empty((n, len(SECTION_COLUMNS)), dtype=np.float32)
        c_context.section_rows(n, levels, counts, first, plain_text, sections)
    chars = np.fromiter(map(len, texts), dtype=np.float64, count=len(texts))
    structure = structure_columns(groups, first[:, 1], chars, plain_text)
    return np.hstack((base, sections, structure, family_columns(blocks)))


SECTION_COLUMNS = (
    "section_heading_body",
    "section_mean_body",
    "section_log_blocks",
    "section_level",
    "title_offset",
    "log_blocks_since_heading",
)
MAX_TEXT_HEADING_WORDS = 8


def section_columns(
    levels: np.ndarray, first_scores: np.ndarray, class_counts: np.ndarray, plain_text: bool
) -> np.ndarray:
    """Where a block sits among the page's sections, for decisions on whole regions.

    A section runs from a heading to the next one. A "Customer reviews", "FAQ",
    "Related articles" or "Comments" heading tells about every block below it, however
    many there are, and the neighbour and window columns reach only a few blocks. Columns:
    the first-stage body score of the block's section heading, the mean body score over
    its section, the section's size, the heading's level (1-6; 0 for a plain-text heading),
    the block's signed log distance from the likeliest title block, and its log distance
    below its heading. Before the first heading these read -1 (the title column aside).
    `levels` come from `heading_levels`. Plain text has no tags: there a heading is a short
    line that does not end a sentence and is followed by a longer line.
    """
    n = len(levels)
    out = np.full((n, len(SECTION_COLUMNS)), -1.0, dtype=np.float32)
    if n == 0:
        return out
    body = first_scores[:, 1].astype(np.float64)
    level = np.asarray(levels, dtype=np.int64)
    is_heading = level > 0
    if plain_text:
        n_words = class_counts[:, CHAR_COUNT_COLUMNS.index("word_starts")]
        ends_sentence = class_counts[:, CHAR_COUNT_COLUMNS.index("sentence_end")] > 0
        longer_next = np.append(n_words[1:] > n_words[:-1], False)
        is_heading = (n_words <= MAX_TEXT_HEADING_WORDS) & ~ends_sentence & longer_next
    index = np.arange(n)
    heading = np.maximum.accumulate(np.where(is_heading, index, -1))  # -1 before the first
    under = heading >= 0
    at = np.maximum(heading, 0)
    section = heading + 1  # 0: the blocks before the first heading
    sizes = np.bincount(section, minlength=n + 1)
    out[:, 0] = np.where(under, body[at], -1.0)
    out[:, 1] = (np.bincount(section, weights=body, minlength=n + 1) / np.maximum(sizes, 1))[section]
    out[:, 2] = np.log1p(sizes[section])
    out[:, 3] = np.where(under, level[at], -1)
    offset = index - int(np.argmax(first_scores[:, 2]))
    out[:, 4] = np.sign(offset) * np.log1p(np.abs(offset))
    out[:, 5] = np.where(under, np.log1p(index - at), -1.0)
    return out


BASE_WIDTH = len(BLOCK_COLUMNS) + 3 + 4 * len(NEIGHBOUR_OFFSETS) + 2 * len(WINDOWS) + 1 + 3 + len(PAGE_TYPES)
CONTEXT_WIDTH = BASE_WIDTH + len(SECTION_COLUMNS) + len(STRUCTURE_COLUMNS) + len(FAMILY_COLUMNS)
# Every column's name, in order (for `clean view` and for reading a model's trees).
CONTEXT_COLUMNS: tuple[str, ...] = (
    BLOCK_COLUMNS
    + ("first_chrome", "first_body", "first_title")
    + tuple(
        f"{name}_{offset:+d}"
        for offset in NEIGHBOUR_OFFSETS
        for name in ("body", "log_chars", "link_density", "sentence_end")
    )
    + tuple(f"window{radius}_{kind}" for radius in WINDOWS for kind in ("body", "weighted_body"))
    + ("shape_mean_body", "page_log_blocks", "page_mean_body", "page_body_share")
    + tuple(f"page_{name}" for name in PAGE_TYPES)
    + SECTION_COLUMNS
    + STRUCTURE_COLUMNS
    + FAMILY_COLUMNS
)


def context_matrix(
    stats: np.ndarray, groups: np.ndarray, first_scores: np.ndarray, page_types: np.ndarray
) -> np.ndarray:
    """Stage-two features: a block's own numbers and scores, its neighbours', the page's.

    `first_scores` holds the first stage's class probabilities (chrome, body, title);
    `page_types` the page-type stage's probabilities, one per PAGE_TYPES entry. Columns,
    in order: the block's stats and scores; for each neighbour offset its body score,
    log length, link density and sentence end (-1 beyond the page); body-score means over
    windows, plain and weighted by log length; the mean body score of the block's shape
    group; the page's size, mean body score and share of likely body; the page types.
    The matrix is filled in place: a page's rows are few, so each numpy call costs more
    than its arithmetic, and joining column blocks would double the calls.
    """
    n = len(stats)
    X = np.empty((n, BASE_WIDTH), dtype=np.float32)
    body = first_scores[:, 1].astype(np.float32)
    at = stats.shape[1]
    X[:, :at] = stats
    X[:, at : at + 3] = first_scores
    at += 3
    neighbours = np.stack([body, stats[:, 0], stats[:, 10], stats[:, 6]], axis=1)
    for offset in NEIGHBOUR_OFFSETS:
        block = X[:, at : at + 4]
        block[:] = -1.0
        if offset > 0:
            block[:-offset] = neighbours[offset:]
        else:
            block[-offset:] = neighbours[:offset]
        at += 4
    plain, weighted = _window_means(body, WINDOWS), _window_means(body * stats[:, 0], WINDOWS)
    for mean, weighted_mean in zip(plain, weighted):
        X[:, at], X[:, at + 1] = mean, weighted_mean
        at += 2
    if n:
        group_sizes = np.bincount(groups).astype(np.float32)
        X[:, at] = np.bincount(groups, weights=body)[groups] / group_sizes[groups]
        X[:, at + 1 : at + 4] = (np.log1p(n), body.mean(), (body > 0.5).mean())
    X[:, at + 4 :] = np.asarray(page_types, dtype=np.float32)
    return X


def feature_fingerprint() -> str:
    """Identifies the feature set a model was trained with."""
    return (
        f"v{FEATURE_VERSION}-h{HASH_FEATURES}-w{MAX_WORDS}-c{len(BLOCK_COLUMNS)}"
        f"-p{PAGE_BUCKETS}-t{len(PAGE_TYPES)}-s{len(SECTION_COLUMNS)}-g{len(STRUCTURE_COLUMNS)}-f{len(FAMILY_COLUMNS)}"
    )
