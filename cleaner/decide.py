"""From block scores to the kept blocks: the one decision rule for cleaning and evaluation.

By default the page is decoded as a whole: the kept set is the one that maximises the
page's expected word F1 under the model's probabilities. Sorting blocks by P(body) and
keeping the best prefix finds it, which amounts to a threshold chosen per page: high on a
page with one clear article, lower on a listing or product page where every block looks
uncertain but the content is still there to be kept. Measured on one grouped WCXB fold,
this beat the best fixed threshold by about 0.005 F1. A fixed `threshold` can be given
instead (the CLI's `--threshold`).

Either way, identical blocks (of at least MIN_REPEAT_CHARS characters) share one
decision, taken on the lowest of their scores: a caption printed twice, a donation appeal
repeated, a menu shown for desktop and mobile are chrome far more often than body, and a
repeat in the kept text costs precision anyway. On an HTML page only the first of kept
identical blocks stays: a page that carries a hidden second copy of its article (or prints a
pull quote or a teaser's summary again) says it once. Out of fold on WCXB dev this took HTML
from 0.8605 to 0.8641 and dragnet from 0.8117 to 0.8134 (docs/research-log.md).

In plain text hard-wrapped at a fixed width, the lines of one wrapped paragraph share one
score too, their word-weighted mean: the paragraph was one block of the page, and a
paragraph's short last line ("survey had shown.") is no less body than the lines above it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _speedups
from .text_rules.dumps import control_lines, link_list_start, picture_paragraphs
from .text_rules.shapes import LineShapes, line_shapes
from .text_rules.wrapping import paragraph_spans, wrap_width
from .types import Block

MIN_REPEAT_CHARS = 20
MIN_SCORE = 0.05  # page decoding never keeps a block the model gives less than this


def _repeat_key(text: str) -> str:
    """Blocks are the same when they differ only in white space and letter case."""
    return " ".join(text.split()).casefold()


def _repeat_keys(texts: list[str]) -> list[str]:
    """`_repeat_key` of each text, for the whole page in three string operations: case
    folding works character by character and white space becomes single spaces, so joining
    the texts with NUL, normalising once and splitting again gives each text's key (with at
    most a space left at either end)."""
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:  # a text holds NUL itself
        return list(map(_repeat_key, texts))
    return [key.strip(" ") for key in " ".join(joined.split()).casefold().split("\0")]


def word_counts(texts: list[str]) -> np.ndarray:
    """`len(text.split())` of each text: the weight of a block in the page's word F1."""
    if (c_decodetext := _speedups.get("decodetext")) is not None:
        counts = np.empty(len(texts), dtype=np.int64)
        c_decodetext.word_counts(texts, counts)
        return counts
    return np.array([len(text.split()) for text in texts], dtype=np.int64)


def repeat_groups(texts: Sequence[str]) -> np.ndarray:
    """For each text, the index of the first text with the same `_repeat_key` (its own
    index when none came before), or -1 for a text under MIN_REPEAT_CHARS characters.
    In C when built: keys are compared by hash there and made only to confirm a match,
    where making every line's key took a tenth of a plain-text page's time."""
    groups = np.full(len(texts), -1, dtype=np.int64)
    if (c_decodetext := _speedups.get("decodetext")) is not None:
        c_decodetext.repeat_groups(
            texts if isinstance(texts, list) else list(texts), MIN_REPEAT_CHARS, groups
        )
        return groups
    at = np.flatnonzero(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) >= MIN_REPEAT_CHARS)
    first_of: dict[str, int] = {}
    for index, key in zip(at.tolist(), _repeat_keys([texts[i] for i in at.tolist()])):
        groups[index] = first_of.setdefault(key, index)
    return groups


def shared_scores(texts: Sequence[str], body: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Body scores with each set of identical blocks lowered to its lowest score
    (`groups`: the texts' `repeat_groups`, where the caller has them)."""
    scores = np.asarray(body, dtype=np.float64).copy()
    groups = repeat_groups(texts) if groups is None else groups
    at = np.flatnonzero(groups >= 0)
    same = groups[at]
    if (same == at).all():  # no block repeats another
        return scores
    lowest = np.ones(len(texts))
    np.minimum.at(lowest, same, scores[at])
    scores[at] = lowest[same]
    return scores


def share_wrapped_paragraphs(spans: Sequence[tuple[int, int]], scores: np.ndarray, words: np.ndarray) -> None:
    """Give the lines of each wrapped paragraph (`text_rules.wrapping.paragraph_spans`) the
    paragraph's mean score, weighted by the lines' `words`, in place."""
    for start, end in spans:
        weights = np.maximum(words[start:end], 1).astype(np.float64)
        scores[start:end] = float(scores[start:end] @ weights) / float(weights.sum())


def expected_f1_mask(scores: np.ndarray, word_counts: np.ndarray) -> np.ndarray:
    """The prefix of blocks, by descending score, with the highest expected word F1.

    With p the scores and w the word counts, keeping set S has expected F1 close to
    2 * sum_S(p*w) / (sum_S(w) + sum_all(p*w)).
    """
    keep = np.zeros(len(scores), dtype=bool)
    if not len(scores):
        return keep
    weights = np.maximum(np.asarray(word_counts, dtype=np.float64), 1.0)
    order = np.argsort(-scores, kind="stable")
    expected_hits = np.cumsum(scores[order] * weights[order])
    kept_words = np.cumsum(weights[order])
    f1 = 2.0 * expected_hits / (kept_words + (scores * weights).sum())
    keep[order[: int(np.argmax(f1)) + 1]] = True
    return keep & (scores >= MIN_SCORE)


def keep_mask(
    blocks: Sequence[Block],
    body: np.ndarray,
    threshold: float | None = None,
    plain_text: bool = False,
    shapes: LineShapes | None = None,
) -> np.ndarray:
    """Which blocks to keep: decoded per page, or at a fixed `threshold` when given.
    A trailing list of numbered link targets (a text browser's "References") is never kept,
    nor, in plain text, a text browser's pictures, form controls and alt texts said twice
    (`text_rules.dumps`), nor the page's script and style text (`text_rules.script`). `shapes`: plain
    text's `line_shapes`, where the caller has them."""
    texts = [block.text for block in blocks]
    words = word_counts(texts)
    groups = repeat_groups(texts)
    scores = shared_scores(texts, body, groups)
    if plain_text:
        shapes = shapes or line_shapes(texts)
        width = wrap_width(blocks, shapes)
        if width:
            spans = paragraph_spans(blocks, width, shapes, min_lines=2)
            share_wrapped_paragraphs(spans, scores, words)
            scores[picture_paragraphs(blocks, width, shapes, spans)] = 0.0
        scores[control_lines(texts, shapes)] = 0.0
        from .text_rules.script import script_lines  # plain text only: not loaded for HTML

        scores[script_lines(texts)] = 0.0
    listed = link_list_start(texts)
    if listed < len(texts):
        scores[listed:] = 0.0
    keep = scores >= threshold if threshold is not None else expected_f1_mask(scores, words)
    if not plain_text:
        keep &= (groups < 0) | (groups == np.arange(len(groups)))  # later copies go
    return keep
