"""Blocks to feature rows: the one feature function that training and inference share.

Two kinds of evidence, for the model's two stages:
- `block_tokens`: sparse words of the block itself (its words, first word, shape) and of
  its markup (tag, enclosing tags, class/id words). A linear model turns these into a
  first "looks like body / chrome / title" score per block.
- `context_matrix`: dense numbers per block (length, punctuation, link density, position,
  repeats within the page) plus the first-stage scores of the block, its neighbours and
  windows around it. Body comes in runs, so a gradient-boosted model over this context
  decides each block in the light of the page around it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import regex
from sklearn.feature_extraction import FeatureHasher

from .types import Block

FEATURE_VERSION = "2"  # bump whenever a feature changes: old models are then refused
HASH_FEATURES = 2**18
MAX_WORDS = 40  # words per block that become tokens; the rest add little and cost time

_WORD = regex.compile(r"\w+")
_DIGIT = regex.compile(r"\d")
_UPPER = regex.compile(r"\p{Lu}")
_LETTER = regex.compile(r"\p{L}")
_PUNCT = regex.compile(r"[\p{P}\p{S}]")
_SEPARATOR = regex.compile(r"[|·•/»›>]")
_SENTENCE_END = regex.compile(r"[.!?。！？…\"'”’»)\]:]$")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

_hasher = FeatureHasher(n_features=HASH_FEATURES, input_type="string", alternate_sign=False)


def _shape(n_words: int) -> str:
    if n_words <= 2:
        return str(n_words)
    if n_words <= 6:
        return "3-6"
    if n_words <= 15:
        return "7-15"
    if n_words <= 40:
        return "16-40"
    return "41+"


def block_tokens(block: Block) -> list[str]:
    """The sparse evidence of one block, as strings for the hashing trick."""
    text_words = _WORD.findall(block.text.lower())
    tokens = [f"w={word}" for word in text_words[:MAX_WORDS]]
    tokens.append(f"len={_shape(len(text_words))}")
    if text_words:
        tokens.append(f"first={text_words[0]}")
        tokens.append(f"last={text_words[-1]}")
    if block.tag:
        tokens.append(f"tag={block.tag}")
        tokens.extend(f"in={tag}" for tag in set(block.path[1:]))
        if len(block.path) > 1:
            tokens.append(f"parent={block.tag}/{block.path[1]}")
        tokens.extend(f"attr={word}" for word in block.attr_words)
    return tokens


def token_matrix(blocks: Sequence[Block]):
    """Hashed sparse matrix of `block_tokens`, one row per block."""
    return _hasher.transform(block_tokens(block) for block in blocks)


BLOCK_COLUMNS = (
    "log_chars", "log_words", "digit_share", "upper_share", "punct_share", "letter_share",
    "sentence_end", "starts_upper", "separators", "mean_word_len", "link_density",
    "depth", "is_heading", "gap_before", "gap_after", "repeats", "position",
    "chars_before_share",
)
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
WINDOWS = (3, 10)


def block_stats(blocks: Sequence[Block]) -> np.ndarray:
    """Per-block numbers that do not depend on the model."""
    n = len(blocks)
    stats = np.zeros((n, len(BLOCK_COLUMNS)), dtype=np.float32)
    if n == 0:
        return stats
    repeats = Counter(block.text for block in blocks)
    chars = np.array([len(block.text) for block in blocks], dtype=np.float32)
    before = np.concatenate(([0.0], np.cumsum(chars)[:-1]))
    total = max(float(chars.sum()), 1.0)
    for i, block in enumerate(blocks):
        text = block.text
        length = max(len(text), 1)
        text_words = _WORD.findall(text)
        letters = len(_LETTER.findall(text)) or 1
        stats[i, :16] = (
            np.log1p(len(text)),
            np.log1p(len(text_words)),
            len(_DIGIT.findall(text)) / length,
            len(_UPPER.findall(text)) / letters,
            len(_PUNCT.findall(text)) / length,
            letters / length,
            1.0 if _SENTENCE_END.search(text) else 0.0,
            1.0 if text[:1].isupper() else 0.0,
            len(_SEPARATOR.findall(text)),
            (sum(len(w) for w in text_words) / len(text_words)) if text_words else 0.0,
            block.link_chars / length,
            block.depth,
            1.0 if block.tag in _HEADINGS else 0.0,
            block.gap_before,
            block.gap_after,
            repeats[text] - 1,
        )
    stats[:, 16] = np.arange(n) / max(n - 1, 1)
    stats[:, 17] = before / total
    return stats


def _shifted(values: np.ndarray, offset: int, fill: float) -> np.ndarray:
    out = np.full_like(values, fill)
    if offset > 0:
        out[:-offset] = values[offset:]
    elif offset < 0:
        out[-offset:] = values[:offset]
    else:
        out[:] = values
    return out


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    padded = np.concatenate(([0.0], np.cumsum(values)))
    n = len(values)
    idx = np.arange(n)
    lo = np.clip(idx - radius, 0, n)
    hi = np.clip(idx + radius + 1, 0, n)
    return (padded[hi] - padded[lo]) / (hi - lo)


def context_matrix(stats: np.ndarray, first_scores: np.ndarray) -> np.ndarray:
    """Stage-two features: a block's own numbers and scores, its neighbours', the page's.

    `first_scores` holds the first stage's class probabilities (chrome, body, title).
    """
    n = len(stats)
    body = first_scores[:, 1].astype(np.float32)
    columns = [stats, first_scores.astype(np.float32)]
    neighbour_cols = [body, stats[:, 0], stats[:, 10], stats[:, 6]]
    for offset in NEIGHBOUR_OFFSETS:
        columns.append(
            np.stack([_shifted(col, offset, -1.0) for col in neighbour_cols], axis=1)
        )
    weights = stats[:, 0]
    for radius in WINDOWS:
        columns.append(_window_mean(body, radius)[:, None])
        columns.append(_window_mean(body * weights, radius)[:, None])
    page = np.array(
        [np.log1p(n), body.mean() if n else 0.0, (body > 0.5).mean() if n else 0.0],
        dtype=np.float32,
    )
    columns.append(np.broadcast_to(page, (n, len(page))))
    return np.hstack(columns).astype(np.float32)


def feature_fingerprint() -> str:
    """Identifies the feature set a model was trained with."""
    return f"v{FEATURE_VERSION}-h{HASH_FEATURES}-w{MAX_WORDS}-c{len(BLOCK_COLUMNS)}"
