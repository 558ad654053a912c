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
from itertools import chain
from pathlib import Path

import mmh3
import numpy as np

try:
    from . import _treescore  # the optional C tree scorer (setup.py)
except ImportError:  # not built: TreeStage falls back on numpy
    _treescore = None

from .features import (
    HASH_FEATURES,
    MAX_WORDS,
    PAGE_BUCKETS,
    PAGE_TYPES,
    WORD,
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


# Bucket of the `len=` token for each word count up to 41 (41 and more share a band).
_LENGTH_BUCKET_OF_COUNT = np.array(
    [_bucket(f"len={length_band(count)}") for count in range(42)], dtype=np.int64
)
# Joins a document's block texts so that one regex pass finds all their words; a word no
# text contains (checked), so the blocks' words can be told apart again.
_SEPARATOR_WORD = "qzxcleanerblockqzx"


@lru_cache(maxsize=1 << 18)
def _first_bucket(word: str) -> int:
    return _bucket(f"first={word}")


@lru_cache(maxsize=1 << 18)
def _last_bucket(word: str) -> int:
    return _bucket(f"last={word}")


def _words_by_block(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """All words of all blocks (as `features.block_words` finds them) in one flat list,
    each block's words followed by the separator word, and each block's word count."""
    joined = f" {_SEPARATOR_WORD} ".join(texts).lower()
    words = WORD.findall(joined)
    if words.count(_SEPARATOR_WORD) != len(texts) - 1:  # a text holds the word itself
        words, counts = [], []
        for text in texts:
            found = WORD.findall(text.lower())
            words.extend(found)
            words.append(_SEPARATOR_WORD)
            counts.append(len(found))
        return words[:-1], np.array(counts, dtype=np.int64)
    ends, at, index = [], -1, words.index
    for _ in range(len(texts) - 1):
        at = index(_SEPARATOR_WORD, at + 1)
        ends.append(at)
    ends.append(len(words))
    ends_array = np.array(ends, dtype=np.int64)
    starts = np.concatenate(([0], ends_array[:-1] + 1))
    return words, ends_array - starts


def hash_tokens(blocks: Sequence[Block]) -> tuple[np.ndarray, np.ndarray]:
    """Bucket of every token of `features.block_tokens`, and the block it belongs to.

    Same (block, bucket) pairs as hashing `block_tokens` of each block (a test checks),
    in another order: words of the whole document are found in one regex pass and hashed
    through caches, and the per-block tokens are built with numpy, not per block.
    """
    n = len(blocks)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    words, counts = _words_by_block([block.text for block in blocks])
    # Each block's slots: its words, then one separator (the last block has none).
    slot_owner = np.repeat(np.arange(n, dtype=np.int64), counts + 1)[: len(words)]
    starts = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))
    within = np.arange(len(words), dtype=np.int64) - starts[slot_owner]
    is_token = within < np.minimum(counts, MAX_WORDS)[slot_owner]
    word_buckets = np.fromiter(map(_word_bucket, words), dtype=np.int64, count=len(words))[is_token]
    parts = [word_buckets, _LENGTH_BUCKET_OF_COUNT[np.minimum(counts, 41)]]
    owner_parts = [slot_owner[is_token], np.arange(n, dtype=np.int64)]
    with_words = np.flatnonzero(counts > 0)
    if len(with_words):
        first_at, last_at = starts[with_words], starts[with_words] + counts[with_words] - 1
        parts.append(np.fromiter(map(_first_bucket, [words[i] for i in first_at.tolist()]), dtype=np.int64))
        parts.append(np.fromiter(map(_last_bucket, [words[i] for i in last_at.tolist()]), dtype=np.int64))
        owner_parts += [with_words, with_words]
    markup = [_markup_buckets(block.tag, block.path, block.attr_words) if block.tag else () for block in blocks]
    markup_counts = np.fromiter(map(len, markup), dtype=np.int64, count=n)
    if markup_counts.any():
        parts.append(np.fromiter(chain.from_iterable(markup), dtype=np.int64, count=int(markup_counts.sum())))
        owner_parts.append(np.repeat(np.arange(n, dtype=np.int64), markup_counts))
    return np.concatenate(parts), np.concatenate(owner_parts)


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

    def proba(self, X: np.ndarray, use_c: bool = True) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.shape[1] < self.width:  # the C loop reads rows unchecked
            raise ValueError(f"rows have {X.shape[1]} features; the trees read {self.width}")
        if use_c and _treescore is not None:
            sums = np.empty(X.shape[0], dtype=np.float64)
            _treescore.leaf_sums(
                X.shape[0], X.shape[1], len(self.feature), len(self.roots), X, self.feature,
                self.threshold, self.left, self.right, self.value, self.roots, sums,
            )
            return _expit(sums + self.baseline)
        # Rows in chunks: the walk holds rows x trees node indices, so a page of 100,000
        # blocks would otherwise need gigabytes.
        parts = [self._sums_numpy(X[start:start + ROW_CHUNK]) for start in range(0, X.shape[0], ROW_CHUNK)]
        sums = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)
        return _expit(sums + self.baseline)

    def _sums_numpy(self, X: np.ndarray) -> np.ndarray:
        rows = np.arange(X.shape[0])[:, None]
        node = np.broadcast_to(self.roots, (X.shape[0], len(self.roots)))
        for _ in range(self.depth):
            x = X[rows, self.feature[node]]
            node = np.where(x <= self.threshold[node], self.left[node], self.right[node])
        return self.value[node].sum(axis=1)


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

        def index(field: str) -> np.ndarray:  # the C tree scorer reads these raw
            return np.ascontiguousarray(get(field), dtype=np.int64)

        def real(field: str) -> np.ndarray:
            return np.ascontiguousarray(get(field), dtype=np.float64)

        models[kind] = RuntimeKindModel(
            first=LinearStage(get("coef"), get("intercept"), get("classes")),
            page=PageStage(get("page_coef"), get("page_intercept"), get("page_classes")),
            second=TreeStage(
                index("feature"), real("threshold"), index("left"), index("right"),
                real("value"), index("roots"), int(get("depth")), float(get("baseline")[0]),
                int(get("feature").max()) + 1 if len(get("feature")) else 0,
            ),
        )
    return models
