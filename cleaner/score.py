"""Blocks to class probabilities, with the model as plain numpy arrays (no scikit-learn).

`clean train` fits scikit-learn estimators (kept in `model.joblib`, the record of what was
trained) and exports them to `runtime.npz` (`training/export.py`); `model.py` reads the
arrays back into a `Scorer` per input kind. Cleaning and `clean evaluate` both score with
it, so what is measured is what ships; a test checks that it gives the estimators' own
probabilities. `clean` thus starts without importing scikit-learn, and loading a model
unpickles nothing: an `.npz` file read with `allow_pickle=False` cannot run code.

The stages, in order: the first linear stage over the hashed tokens (`features.tokens`),
the markup guesses for plain text, the page-type stage over the page vector, then the
gradient-boosted trees and the page-order network over the context rows
(`features.context`), whose log-odds are blended into P(body).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _speedups
from .features.context import context_features
from .features.markup_guess import markup_columns
from .features.tokens import (
    PAGE_TYPES,
    page_vector,
    scan_blocks,
    with_url_buckets,
)
from .sequence import SEQUENCE_SHARE, SequenceStage
from .site_adapter import SiteAdapter
from .types import LABELS, Block

SEQUENCE_ARRAYS = ("mean", "scale") + SequenceStage.PARAMS

ROW_CHUNK = 4096


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -300.0, 300.0)))


def body_proba(tree_log_odds: np.ndarray, sequence: SequenceStage | None, context: np.ndarray) -> np.ndarray:
    """P(body) of a page's blocks: the trees' and the network's log-odds averaged
    (the trees' alone when there is no network)."""
    log_odds = np.asarray(tree_log_odds, dtype=np.float64)
    if sequence is not None:
        log_odds = (1.0 - SEQUENCE_SHARE) * log_odds + SEQUENCE_SHARE * sequence.logits(context)
    return _expit(log_odds)


def _one_vs_rest(decision: np.ndarray, classes: np.ndarray, n_out: int) -> np.ndarray:
    """Class probabilities from decision values, normalised like SGDClassifier's."""
    n = decision.shape[0]
    if len(classes) == 1:  # a stage that saw one class only: a constant answer
        scores = np.ones((n, 1))
    elif len(classes) == 2:  # a binary SGDClassifier keeps one row of weights
        positive = _expit(decision[:, 0])
        scores = np.stack([1.0 - positive, positive], axis=1)
    else:
        scores = _expit(decision)
        scores /= scores.sum(axis=1, keepdims=True)
    out = np.zeros((n, n_out), dtype=np.float32)
    out[:, classes] = scores
    return out


def token_sums(weights: np.ndarray, buckets: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
    """Each block's sum of its tokens' weights, per column of `weights` (buckets x rows,
    C order, so that a token's weights share a cache line): (n, rows) float64.

    One C pass over the tokens where `_context` is built: the weight lookups are memory
    bound, a fifth of a plain-text page's time as a numpy gather and bincount per row. The
    numpy fallback adds in the same order, so both give the same sums (a test checks)."""
    buckets_total, rows = weights.shape
    out = np.empty((n, rows), dtype=np.float64)
    if (c_context := _speedups.get("context")) is not None and rows:
        # A stage's columns of a shared token table are a view, copied here: cleaning reads
        # the whole table at once and never comes this way with one.
        c_context.token_sums(
            n,
            rows,
            buckets_total,
            np.ascontiguousarray(weights),
            np.ascontiguousarray(buckets, dtype=np.int64),
            np.ascontiguousarray(owners, dtype=np.int64),
            out,
        )
        return out
    for row in range(rows):
        out[:, row] = np.bincount(owners, weights=weights[buckets, row], minlength=n)
    return out


def by_bucket(coef: np.ndarray) -> np.ndarray:
    """A linear stage's (rows, buckets) weights as `token_sums` reads them."""
    return np.ascontiguousarray(coef.T, dtype=np.float32)


@dataclass(frozen=True)
class LinearStage:
    """One-vs-rest logistic scores of each block over its hashed tokens."""

    weights: np.ndarray  # (HASH_FEATURES, classes): `by_bucket` of the estimator's coef
    intercept: np.ndarray  # (classes,)
    classes: np.ndarray  # label index of each column of weights

    def proba(self, buckets: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
        return self.proba_of_sums(token_sums(self.weights, buckets, owners, n))

    def proba_of_sums(self, sums: np.ndarray) -> np.ndarray:
        """From each block's `token_sums` of this stage's weights."""
        return _one_vs_rest(sums + self.intercept, self.classes, len(LABELS))


@dataclass(frozen=True)
class MarkupStage:
    """Plain text's markup guesses (`markup_guess`): one logistic score per guess and block
    over the same hashed tokens as the first stage; no rows for HTML."""

    weights: np.ndarray  # (HASH_FEATURES, guesses): `by_bucket` of the fitted coef
    intercept: np.ndarray  # (guesses,)

    def proba(self, buckets: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
        return self.proba_of_sums(token_sums(self.weights, buckets, owners, n))

    def proba_of_sums(self, sums: np.ndarray) -> np.ndarray:
        return _expit(sums + self.intercept).astype(np.float32)


@dataclass(frozen=True)
class PageStage:
    """One-vs-rest logistic page-type scores over the page vector of all its tokens."""

    weights: np.ndarray  # (PAGE_BUCKETS, classes): `by_bucket` of the estimator's coef
    intercept: np.ndarray
    classes: np.ndarray  # index into PAGE_TYPES of each row

    def proba(self, buckets: np.ndarray) -> np.ndarray:
        decision = (self.decision(buckets) + self.intercept)[None, :]
        return _one_vs_rest(decision, self.classes, len(PAGE_TYPES))[0]

    def decision(self, buckets: np.ndarray) -> np.ndarray:
        """coef @ page_vector(buckets), in float64. In C where built, from the page's few
        hundred distinct buckets: the dense vector of PAGE_BUCKETS entries and its product
        took a tenth of a plain-text page's time."""
        page_buckets, classes = self.weights.shape
        if (c_context := _speedups.get("context")) is not None and classes:
            out = np.empty(classes, dtype=np.float64)
            c_context.page_decision(
                page_buckets,
                classes,
                self.weights,
                np.ascontiguousarray(buckets, dtype=np.int64),
                out,
            )
            return out
        return (page_vector(buckets) @ self.weights).astype(np.float64)


# One node of the C tree loop (c_treescore.c's Node).
NODE_DTYPE = np.dtype(
    [("threshold", "<f8"), ("feature", "<i4"), ("left", "<i4"), ("right", "<i4"), ("is_leaf", "<i4")]
)


def pack_nodes(feature, threshold, left, right) -> np.ndarray:
    """The trees' node arrays as one record per node, for the C loop (a leaf leads to itself)."""
    nodes = np.zeros(len(left), dtype=NODE_DTYPE)
    nodes["threshold"], nodes["feature"], nodes["left"], nodes["right"] = threshold, feature, left, right
    nodes["is_leaf"] = left == np.arange(len(left))
    return nodes


def tree_depths(left: np.ndarray, right: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Steps from each tree's root to its deepest leaf, found a level at a time for all
    trees together (a leaf leads to itself)."""
    tree_of = np.repeat(np.arange(len(roots)), np.diff(np.append(roots, len(left))))
    depths = np.zeros(len(roots), dtype=np.int64)
    frontier, level = np.asarray(roots, dtype=np.int64), 0
    while len(frontier):
        inner = frontier[left[frontier] != frontier]
        if len(inner):
            level += 1
            depths[tree_of[inner]] = level
        frontier = np.concatenate((left[inner], right[inner]))
    return depths


@dataclass(frozen=True)
class TreeStage:
    """A binary gradient-boosted ensemble over dense rows.

    Scored by the C loop of `_treescore` when it is built (see setup.py), else by a numpy
    walk of all trees at once over all blocks; both give the same sums (a test checks).
    Leaves point to themselves with an infinite threshold, so in the numpy walk every row
    can take the same number of steps (the deepest tree's depth) without checking for leaves.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    baseline: float
    width: int  # columns a row needs: the highest feature index the trees read, plus one
    nodes: np.ndarray  # the same nodes packed for the C loop (`pack_nodes`)
    tree_depths: np.ndarray  # steps to each tree's deepest leaf (`tree_depths`), for the C loop

    def proba(self, X: np.ndarray) -> np.ndarray:
        return _expit(self.log_odds(X))

    def log_odds(self, X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.shape[1] < self.width:  # the C loop reads rows unchecked
            raise ValueError(f"rows have {X.shape[1]} features; the trees read {self.width}")
        if (c_treescore := _speedups.get("treescore")) is not None:
            sums = np.empty(X.shape[0], dtype=np.float64)
            c_treescore.leaf_sums(
                X.shape[0],
                X.shape[1],
                len(self.nodes),
                len(self.roots),
                X,
                self.nodes,
                self.value,
                self.roots,
                self.tree_depths,
                sums,
            )
            return sums + self.baseline
        # Rows in chunks: the walk holds rows x trees node indices, so a page of 100,000
        # blocks would otherwise need gigabytes.
        parts = [self._sums_numpy(X[start : start + ROW_CHUNK]) for start in range(0, X.shape[0], ROW_CHUNK)]
        sums = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)
        return sums + self.baseline

    def _sums_numpy(self, X: np.ndarray) -> np.ndarray:
        rows = np.arange(X.shape[0])[:, None]
        node = np.broadcast_to(self.roots, (X.shape[0], len(self.roots)))
        for _ in range(self.depth):
            x = X[rows, self.feature[node]]
            node = np.where(x <= self.threshold[node], self.left[node], self.right[node])
        return self.value[node].sum(axis=1)


@dataclass(frozen=True)
class Scorer:
    """All stages for one input kind, as arrays: blocks in, class probabilities out.

    Cleaning and `clean evaluate` both score with this (training exports its estimators
    first), so what is measured is what ships."""

    first: LinearStage
    page: PageStage
    second: TreeStage
    markup: MarkupStage
    sequence: SequenceStage | None = None
    # The first stage's and the markup guesses' weights side by side (`model.ready_arrays`),
    # where there are guesses: one lookup a token for both.
    token_table: np.ndarray | None = None
    adapter: SiteAdapter | None = None  # a site's layer over P(body) (`clean adapt`)

    def predict_proba(self, blocks: Sequence[Block], url: str | None = None) -> np.ndarray:
        if not blocks:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self.explain(blocks, url).proba

    def explain(self, blocks: Sequence[Block], url: str | None = None) -> Evidence:
        """The stages' outputs for a page, for `predict_proba` and for `clean view`."""
        buckets, owners, class_counts = scan_blocks(blocks)
        guesses = None
        if self.token_table is not None:
            sums = token_sums(self.token_table, buckets, owners, len(blocks))
            split = self.first.weights.shape[1]
            first = self.first.proba_of_sums(sums[:, :split])
            guesses = self.markup.proba_of_sums(sums[:, split:])
        else:
            first = self.first.proba(buckets, owners, len(blocks))
            if self.markup.weights.shape[1]:
                guesses = self.markup.proba(buckets, owners, len(blocks))
        page_types = self.page.proba(with_url_buckets(buckets, url))
        context = context_features(blocks, first, page_types, class_counts)
        if guesses is not None:
            context = np.hstack((context, markup_columns(guesses)))
        body = body_proba(self.second.log_odds(context), self.sequence, context)
        if self.adapter is not None:
            body = self.adapter.apply(blocks, body)
        proba = np.stack([1.0 - body, body, first[:, 2]], axis=1).astype(np.float32)
        return Evidence(first=first, page_types=page_types, context=context, proba=proba)


class Evidence(NamedTuple):
    """What the stages made of a page: the first stage's (chrome, body, title) per block,
    the page-type probabilities (PAGE_TYPES), the context rows the trees read, and the
    final class probabilities."""

    first: np.ndarray
    page_types: np.ndarray
    context: np.ndarray
    proba: np.ndarray
