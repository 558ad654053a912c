"""The trained model in the form cleaning uses: plain numpy arrays, no scikit-learn.

`clean train` fits scikit-learn estimators (kept in `model.joblib`, the record of what
was trained) and exports them here to `runtime.npz`. Scoring with the arrays gives the
same probabilities (a test checks it), while `clean` starts without importing
scikit-learn, and loading the model unpickles nothing: an `.npz` file read with
`allow_pickle=False` cannot run code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import mmh3
import numpy as np

from .features import (
    HASH_FEATURES,
    MAX_WORDS,
    PAGE_BUCKETS,
    PAGE_TYPES,
    block_words,
    context_features,
    length_band,
    markup_tokens,
    page_vector,
    url_tokens,
)
from .types import LABELS, Block

_INT32_MIN = -(2**31)
ROW_CHUNK = 4096


@lru_cache(maxsize=1 << 20)
def _bucket(token: str) -> int:
    """Bucket of one token, as scikit-learn's FeatureHasher computes it (MurmurHash3, seed 0)."""
    h = mmh3.hash(token)
    if h == _INT32_MIN:
        return (2**31 - 1 - (HASH_FEATURES - 1)) % HASH_FEATURES
    return abs(h) % HASH_FEATURES


@lru_cache(maxsize=1 << 20)
def _word_bucket(word: str) -> int:
    """Bucket of a word's `w=` token: words recur, so each is formatted and hashed once."""
    return _bucket(f"w={word}")


@lru_cache(maxsize=1 << 16)
def _markup_buckets(tag: str, path: tuple[str, ...], attr_words: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(_bucket(token) for token in markup_tokens(tag, path, attr_words))


_LENGTH_BUCKETS = {band: _bucket(f"len={band}") for band in ("0", "1", "2", "3-6", "7-15", "16-40", "41+")}


def hash_tokens(blocks: Sequence[Block]) -> tuple[np.ndarray, np.ndarray]:
    """Bucket of every token of `features.block_tokens`, and the block it belongs to.

    Builds the buckets from cached parts (mapped in C, no per-word Python frame) instead of
    formatting and hashing every token string; a test checks that the result equals
    hashing `block_tokens` directly.
    """
    buckets: list[int] = []
    counts: list[int] = []
    for block in blocks:
        words = block_words(block)
        start = len(buckets)
        buckets.extend(map(_word_bucket, words[:MAX_WORDS]))
        buckets.append(_LENGTH_BUCKETS[length_band(len(words))])
        if words:
            buckets.append(_bucket(f"first={words[0]}"))
            buckets.append(_bucket(f"last={words[-1]}"))
        buckets.extend(_markup_buckets(block.tag, block.path, block.attr_words))
        counts.append(len(buckets) - start)
    owners = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return np.array(buckets, dtype=np.int64), owners


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -300.0, 300.0)))


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


@dataclass(frozen=True)
class LinearStage:
    """One-vs-rest logistic scores of each block over its hashed tokens."""

    coef: np.ndarray  # (classes, HASH_FEATURES)
    intercept: np.ndarray  # (classes,)
    classes: np.ndarray  # label index of each row of coef

    def proba(self, buckets: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
        decision = np.empty((n, len(self.coef)), dtype=np.float64)
        for row in range(len(self.coef)):
            decision[:, row] = np.bincount(owners, weights=self.coef[row, buckets], minlength=n)
        decision += self.intercept
        return _one_vs_rest(decision, self.classes, len(LABELS))


@dataclass(frozen=True)
class PageStage:
    """One-vs-rest logistic page-type scores over the page vector of all its tokens."""

    coef: np.ndarray  # (classes, PAGE_BUCKETS); no rows when training saw one type
    intercept: np.ndarray
    classes: np.ndarray  # index into PAGE_TYPES of each row

    def proba(self, buckets: np.ndarray) -> np.ndarray:
        decision = (self.coef @ page_vector(buckets)).astype(np.float64)  # float32: no copy
        decision = (decision + self.intercept)[None, :]
        return _one_vs_rest(decision, self.classes, len(PAGE_TYPES))[0]


@dataclass(frozen=True)
class TreeStage:
    """A binary gradient-boosted ensemble, all trees walked at once over all blocks.

    Leaves point to themselves with an infinite threshold, so every row can take the
    same number of steps (the deepest tree's depth) without checking for leaves.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    baseline: float

    def proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        # Rows in chunks: the walk holds rows x trees node indices, so a page of 100,000
        # blocks would otherwise need gigabytes.
        parts = [self._proba_rows(X[start:start + ROW_CHUNK]) for start in range(0, X.shape[0], ROW_CHUNK)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)

    def _proba_rows(self, X: np.ndarray) -> np.ndarray:
        rows = np.arange(X.shape[0])[:, None]
        node = np.broadcast_to(self.roots, (X.shape[0], len(self.roots)))
        for _ in range(self.depth):
            x = X[rows, self.feature[node]]
            node = np.where(x <= self.threshold[node], self.left[node], self.right[node])
        return _expit(self.value[node].sum(axis=1) + self.baseline)


@dataclass(frozen=True)
class RuntimeKindModel:
    """Both stages for one input kind, with the same `predict_proba` as `model.KindModel`."""

    first: LinearStage
    page: PageStage
    second: TreeStage

    def predict_proba(self, blocks: Sequence[Block], url: str | None = None) -> np.ndarray:
        if not blocks:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        buckets, owners = hash_tokens(blocks)
        first = self.first.proba(buckets, owners, len(blocks))
        url_buckets = np.array([_bucket(token) for token in url_tokens(url)], dtype=np.int64)
        page_types = self.page.proba(np.concatenate((buckets, url_buckets)))
        body = self.second.proba(context_features(blocks, first, page_types))
        return np.stack([1.0 - body, body, first[:, 2]], axis=1).astype(np.float32)


def export_arrays(kind: str, model) -> dict[str, np.ndarray]:
    """Flatten a fitted `model.KindModel` into named arrays for `runtime.npz`."""
    sgd, hgb, page = model.first, model.second, model.page.estimator
    nodes = [predictors[0].nodes for predictors in hgb._predictors]
    sizes = np.array([len(n) for n in nodes])
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    allnodes = np.concatenate(nodes)
    base = np.repeat(offsets, sizes)
    own = np.arange(len(allnodes))
    leaf = allnodes["is_leaf"].astype(bool)
    if (allnodes["is_categorical"] != 0).any():
        raise ValueError("categorical splits are not supported by the runtime model")
    return {
        f"{kind}.coef": sgd.coef_.astype(np.float32),
        f"{kind}.intercept": sgd.intercept_.astype(np.float64),
        f"{kind}.classes": sgd.classes_.astype(np.int64),
        f"{kind}.page_coef": (
            page.coef_ if page is not None else np.zeros((0, PAGE_BUCKETS))
        ).astype(np.float32),
        f"{kind}.page_intercept": (
            page.intercept_ if page is not None else np.zeros(0)
        ).astype(np.float64),
        f"{kind}.page_classes": (
            page.classes_ if page is not None else np.array([model.page.only_type])
        ).astype(np.int64),
        f"{kind}.feature": np.where(leaf, 0, allnodes["feature_idx"]).astype(np.int64),
        f"{kind}.threshold": np.where(leaf, np.inf, allnodes["num_threshold"]),
        f"{kind}.left": np.where(leaf, own, allnodes["left"].astype(np.int64) + base),
        f"{kind}.right": np.where(leaf, own, allnodes["right"].astype(np.int64) + base),
        f"{kind}.value": np.where(leaf, allnodes["value"], 0.0),
        f"{kind}.roots": offsets.astype(np.int64),
        f"{kind}.depth": np.array(int(allnodes["depth"].max()) if len(allnodes) else 0),
        f"{kind}.baseline": np.asarray(hgb._baseline_prediction, dtype=np.float64).ravel()[:1],
    }


def load_runtime(path: Path) -> dict[str, RuntimeKindModel]:
    """Read `runtime.npz` (no pickles allowed) into one model per input kind."""
    with np.load(path, allow_pickle=False) as arrays:
        data = {name: arrays[name] for name in arrays.files}
    kinds = sorted({name.split(".", 1)[0] for name in data})
    models: dict[str, RuntimeKindModel] = {}
    for kind in kinds:
        def get(field: str) -> np.ndarray:
            return data[f"{kind}.{field}"]

        models[kind] = RuntimeKindModel(
            first=LinearStage(get("coef"), get("intercept"), get("classes")),
            page=PageStage(get("page_coef"), get("page_intercept"), get("page_classes")),
            second=TreeStage(
                get("feature"), get("threshold"), get("left"), get("right"), get("value"),
                get("roots"), int(get("depth")), float(get("baseline")[0]),
            ),
        )
    return models
