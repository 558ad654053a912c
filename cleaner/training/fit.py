"""Fit the block classifier's stages with scikit-learn (the training side).

Per input kind ("html", "text"): a linear first stage over the hashed block tokens, a
linear page-type stage over the page vector, markup guesses for plain text, and a
gradient-boosted second stage (with the page-order network beside it) over the context
rows. The tokens are hashed by `features.tokens.scan_blocks`, as cleaning hashes them, and
the second stage reads the same `features.context` rows. Feature code stays outside the
estimators; `export.py` turns them into the arrays that cleaning and evaluation score with.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold

from ..features.context import context_features
from ..features.markup_guess import GUESSES, markup_columns
from ..features.tokens import HASH_FEATURES, PAGE_TYPES, page_vector, scan_blocks, with_url_buckets
from ..score import _expit
from ..sequence import SequenceStage
from ..types import LABELS, Block

log = logging.getLogger(__name__)

SEED = 13
OOF_FOLDS = 5
MARKUP_EPOCHS = 10


def token_matrix(blocks: Sequence[Block]) -> csr_matrix:
    """Token counts per block (rows) and bucket (columns): `scan_blocks`' pairs, summed."""
    buckets, owners, _ = scan_blocks(blocks)
    matrix = csr_matrix(
        (np.ones(len(buckets)), (owners, buckets)), shape=(len(blocks), HASH_FEATURES), dtype=np.float64
    )
    matrix.sum_duplicates()
    return matrix


def page_row(tokens: csr_matrix, url: str | None) -> np.ndarray:
    """`page_vector` of a page from its token matrix and its URL, as cleaning makes it."""
    buckets = np.repeat(tokens.indices.astype(np.int64), tokens.data.astype(np.int64))
    return page_vector(with_url_buckets(buckets, url))


@dataclass
class PageTypeStage:
    """Guesses the page type from the page vector; a constant guess when training saw
    fewer than two types (hand-made documents alone are nearly all articles)."""

    estimator: SGDClassifier | None
    only_type: int = 0

    @classmethod
    def fit(cls, vectors: np.ndarray, types: Sequence[int]) -> PageTypeStage:
        known = np.asarray(types) >= 0
        present = sorted(set(np.asarray(types)[known].tolist()))
        if len(present) < 2:
            return cls(None, present[0] if present else 0)
        estimator = SGDClassifier(
            loss="log_loss",
            alpha=1e-4,
            max_iter=30,
            tol=None,
            random_state=SEED,
        ).fit(vectors[known], np.asarray(types)[known])
        return cls(estimator)

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        if self.estimator is None:
            out = np.zeros((len(vectors), len(PAGE_TYPES)), dtype=np.float32)
            out[:, self.only_type] = 1.0
            return out
        return _full_proba(self.estimator, vectors, len(PAGE_TYPES))


@dataclass
class MarkupFit:
    """One logistic model per `markup_guess.GUESSES` over the block tokens, for plain text
    (no rows for HTML). Kept as arrays: binary SGD fits, one per guess, stacked."""

    coef: np.ndarray  # (guesses, HASH_FEATURES)
    intercept: np.ndarray  # (guesses,)

    @classmethod
    def none(cls) -> MarkupFit:
        return cls(np.zeros((0, HASH_FEATURES), dtype=np.float32), np.zeros(0))

    @classmethod
    def fit(cls, X, truth: np.ndarray, weights: np.ndarray) -> MarkupFit:
        """Rows whose truth is unknown (-1: text that never was HTML) are left out; a guess
        whose truth is all one way, or unknown, becomes a constant."""
        known = truth[:, 0] >= 0
        coef = np.zeros((truth.shape[1], X.shape[1]), dtype=np.float32)
        intercept = np.zeros(truth.shape[1])
        for guess in range(truth.shape[1]):
            y = truth[known, guess]
            if len(y) == 0:
                continue
            if y.min() == y.max():
                intercept[guess] = 10.0 if y[0] else -10.0
                continue
            model = SGDClassifier(
                loss="log_loss",
                alpha=2e-6,
                max_iter=MARKUP_EPOCHS,
                tol=None,
                random_state=SEED,
            ).fit(X[known], y, sample_weight=weights[known])
            coef[guess], intercept[guess] = model.coef_[0], model.intercept_[0]
        return cls(coef, intercept)

    def predict(self, tokens) -> np.ndarray:
        return _expit(tokens @ self.coef.T + self.intercept).astype(np.float32)


@dataclass
class KindModel:
    """The stages for one input kind. Plain sklearn estimators inside.

    The first stage scores all three labels from tokens; the page stage guesses the page
    type from all the page's tokens; the second decides body or not from context. The
    title comes from the first stage alone: it is one block a page, and keeping the second
    stage binary makes it three times smaller and faster.
    """

    first: SGDClassifier
    page: PageTypeStage
    second: HistGradientBoostingClassifier
    markup: MarkupFit
    sequence: SequenceStage | None = None  # the page-order network beside the trees


def _full_proba(estimator, X, n_classes: int = len(LABELS)) -> np.ndarray:
    """Probabilities over all classes, even if a class was absent in training."""
    proba = estimator.predict_proba(X)
    out = np.zeros((proba.shape[0], n_classes), dtype=np.float32)
    for column, cls in enumerate(estimator.classes_):
        out[:, int(cls)] = proba[:, column]
    return out


def _first_stage() -> SGDClassifier:
    return SGDClassifier(
        loss="log_loss",
        alpha=2e-6,
        max_iter=15,
        tol=None,
        random_state=SEED,
        class_weight=None,
    )


def _second_stage() -> HistGradientBoostingClassifier:
    # Trees at most 8 deep: scoring walks every tree to the deepest leaf, so depth is run
    # time. On a grouped WCXB fold, depth 8 x 150 trees scored within 0.002 F1 of
    # unbounded depth (17) x 200, at under half the scoring cost.
    return HistGradientBoostingClassifier(
        max_iter=150,
        max_depth=8,
        learning_rate=0.1,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=15,
        random_state=SEED,
    )


def fit_kind(
    docs: Sequence[Sequence[Block]],
    labels: Sequence[Sequence[int]],
    groups: Sequence[str],
    weights: Sequence[float],
    page_types: Sequence[str] | None = None,
    urls: Sequence[str | None] | None = None,
    markup: Sequence[np.ndarray | None] | None = None,
    with_sequence: bool = False,
) -> KindModel:
    """Fit all stages; the second sees first-stage, markup-guess and page-type scores made
    out of fold, as at inference. `page_types` names each document's type (others count as
    unknown). `markup` gives each plain-text document's markup truth (None where unknown);
    without it (HTML) there is no markup stage. `with_sequence` adds the page-order
    network (`sequence.py`) beside the trees, on the same columns."""
    from scipy.sparse import vstack

    token_rows = [token_matrix(blocks) for blocks in docs]
    y = np.concatenate([np.asarray(doc_labels, dtype=np.int64) for doc_labels in labels])
    w = np.concatenate([np.full(len(b), wt, dtype=np.float64) for b, wt in zip(docs, weights)])
    row_groups = np.concatenate([[g] * len(b) for b, g in zip(docs, groups)])
    X_tokens = vstack(token_rows).tocsr()
    truth = np.zeros((len(y), 0), dtype=np.int8)
    if markup is not None:
        truth = np.vstack(
            [
                np.full((len(b), len(GUESSES)), -1, dtype=np.int8) if t is None else t
                for b, t in zip(docs, markup)
            ]
        )
    oof = np.zeros((len(y), len(LABELS)), dtype=np.float32)
    markup_oof = np.zeros(truth.shape, dtype=np.float32)
    n_folds = min(OOF_FOLDS, len(set(groups)))
    if n_folds >= 2:
        for train_idx, test_idx in GroupKFold(n_splits=n_folds).split(X_tokens, y, row_groups):
            stage = _first_stage().fit(X_tokens[train_idx], y[train_idx], sample_weight=w[train_idx])
            oof[test_idx] = _full_proba(stage, X_tokens[test_idx])
            if markup is not None:
                fold_markup = MarkupFit.fit(X_tokens[train_idx], truth[train_idx], w[train_idx])
                markup_oof[test_idx] = fold_markup.predict(X_tokens[test_idx])
    first = _first_stage().fit(X_tokens, y, sample_weight=w)
    markup_stage = MarkupFit.fit(X_tokens, truth, w) if markup is not None else MarkupFit.none()
    if n_folds < 2:
        oof = _full_proba(first, X_tokens)
        markup_oof = markup_stage.predict(X_tokens)
    type_index = {name: i for i, name in enumerate(PAGE_TYPES)}
    doc_types = np.array([type_index.get(t, -1) for t in (page_types or [""] * len(docs))])
    urls = urls or [None] * len(docs)
    vectors = np.vstack([page_row(rows, url) for rows, url in zip(token_rows, urls)])
    page = PageTypeStage.fit(vectors, doc_types)
    page_oof = page.predict_proba(vectors)
    if n_folds >= 2:
        for train_docs, test_docs in GroupKFold(n_splits=n_folds).split(vectors, groups=groups):
            fold_stage = PageTypeStage.fit(vectors[train_docs], doc_types[train_docs])
            page_oof[test_docs] = fold_stage.predict_proba(vectors[test_docs])
    contexts = []
    start = 0
    for index, blocks in enumerate(docs):
        end = start + len(blocks)
        contexts.append(
            np.hstack(
                (
                    context_features(blocks, oof[start:end], page_oof[index]),
                    markup_columns(markup_oof[start:end]),
                )
            )
        )
        start = end
    is_body = (y == 1).astype(np.int64)
    second = _second_stage().fit(np.vstack(contexts), is_body, sample_weight=w)
    ends = np.cumsum([len(blocks) for blocks in docs])
    sequence = (
        SequenceStage.fit(
            [rows for rows in contexts if len(rows)],
            [part for part in np.split(is_body, ends[:-1]) if len(part)],
            [part for part in np.split(w, ends[:-1]) if len(part)],
            seed=SEED,
        )
        if with_sequence and len(y)
        else None
    )
    return KindModel(first=first, page=page, second=second, markup=markup_stage, sequence=sequence)
