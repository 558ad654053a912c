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
try:
    from . import _blockscan  # the optional C block scanner (setup.py)
except ImportError:  # not built: scan_blocks falls back on regex and numpy
    _blockscan = None
try:
    from . import _context  # the optional C context rows and token sums (setup.py)
except ImportError:  # not built: token_sums falls back on numpy
    _context = None

from . import weight_codes
from .features import (
    CHAR_COUNT_COLUMNS,
    HASH_FEATURES,
    MAX_WORDS,
    PAGE_BUCKETS,
    PAGE_TYPES,
    TAG_OF,
    WORD,
    _class_table,
    char_class_counts,
    context_features,
    length_band,
    markup_tokens,
    page_vector,
    url_tokens,
)
from .markup_guess import markup_columns
from .model_files import ModelError
from .sequence import SEQUENCE_SHARE, SequenceStage
from .types import LABELS, Block

SEQUENCE_ARRAYS = ("mean", "scale") + SequenceStage.PARAMS

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


@lru_cache(maxsize=1)
def _scan_tables() -> tuple[bytes, bytes]:
    """The C scanner's tables: which code points `features.WORD` counts as word characters
    (found by running WORD itself over every code point), and the class bits of
    `features._class_table`."""
    codes = np.arange(0x110000, dtype=np.uint32)
    codes[0xD800:0xE000] = 0x20  # surrogates cannot be decoded; none is a word character
    every_char = codes.tobytes().decode("utf-32-le")
    edges = np.zeros(0x110001, dtype=np.int64)
    for match in WORD.finditer(every_char):  # a few hundred runs of word characters
        edges[match.start()] += 1
        edges[match.end()] -= 1
    is_word = (np.cumsum(edges[:-1]) > 0).astype(np.uint8)
    return is_word.tobytes(), _class_table().tobytes()


def _word_tokens_c(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What `_word_tokens_python` and `features.char_class_counts` give, from the C scanner."""
    n = len(texts)
    capacity = n * (MAX_WORDS + 2)  # at most MAX_WORDS `w=` tokens, `first=` and `last=`
    buckets = np.empty(capacity, dtype=np.int64)
    owners = np.empty(capacity, dtype=np.int64)
    word_counts = np.empty(n, dtype=np.int64)
    class_counts = np.empty((n, len(CHAR_COUNT_COLUMNS)), dtype=np.int64)
    words_table, class_table = _scan_tables()
    used = _blockscan.scan(
        texts, words_table, class_table, HASH_FEATURES, MAX_WORDS, buckets, owners, word_counts, class_counts
    )
    return buckets[:used], owners[:used], word_counts, class_counts


def _word_tokens_python(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Buckets of the `w=`, `first=` and `last=` tokens, their blocks, each block's word
    count: words of the whole document found in one regex pass, hashed through caches."""
    n = len(texts)
    words, counts = _words_by_block(texts)
    # Each block's slots: its words, then one separator (the last block has none).
    slot_owner = np.repeat(np.arange(n, dtype=np.int64), counts + 1)[: len(words)]
    starts = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))
    within = np.arange(len(words), dtype=np.int64) - starts[slot_owner]
    is_token = within < np.minimum(counts, MAX_WORDS)[slot_owner]
    parts = [np.fromiter(map(_word_bucket, words), dtype=np.int64, count=len(words))[is_token]]
    owner_parts = [slot_owner[is_token]]
    with_words = np.flatnonzero(counts > 0)
    if len(with_words):
        first_at, last_at = starts[with_words], starts[with_words] + counts[with_words] - 1
        parts.append(np.fromiter(map(_first_bucket, [words[i] for i in first_at.tolist()]), dtype=np.int64))
        parts.append(np.fromiter(map(_last_bucket, [words[i] for i in last_at.tolist()]), dtype=np.int64))
        owner_parts += [with_words, with_words]
    return np.concatenate(parts), np.concatenate(owner_parts), counts


def scan_blocks(blocks: Sequence[Block], use_c: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bucket of every token of `features.block_tokens`, the block it belongs to, and each
    block's `features.char_class_counts`.

    Same (block, bucket) pairs as hashing `block_tokens` of each block (a test checks), in
    another order. The word tokens and class counts come from the C scanner in one pass
    over the characters when it is built, else from one regex pass and numpy; markup
    tokens, shared by blocks of the same shape, through a cache.
    """
    n = len(blocks)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros((0, len(CHAR_COUNT_COLUMNS)), dtype=np.int64)
    texts = [block.text for block in blocks]
    if use_c and _blockscan is not None:
        word_buckets, word_owners, counts, class_counts = _word_tokens_c(texts)
    else:
        word_buckets, word_owners, counts = _word_tokens_python(texts)
        class_counts = char_class_counts(texts)
    parts = [word_buckets, _LENGTH_BUCKET_OF_COUNT[np.minimum(counts, 41)]]
    owner_parts = [word_owners, np.arange(n, dtype=np.int64)]
    if not any(map(TAG_OF, blocks)):  # plain text: no markup tokens
        return np.concatenate(parts), np.concatenate(owner_parts), class_counts
    markup = [_markup_buckets(block.tag, block.path, block.attr_words) if block.tag else () for block in blocks]
    markup_counts = np.fromiter(map(len, markup), dtype=np.int64, count=n)
    if markup_counts.any():
        parts.append(np.fromiter(chain.from_iterable(markup), dtype=np.int64, count=int(markup_counts.sum())))
        owner_parts.append(np.repeat(np.arange(n, dtype=np.int64), markup_counts))
    return np.concatenate(parts), np.concatenate(owner_parts), class_counts


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


def token_sums(weights: np.ndarray, buckets: np.ndarray, owners: np.ndarray, n: int, use_c: bool = True) -> np.ndarray:
    """Each block's sum of its tokens' weights, per column of `weights` (buckets x rows,
    C order, so that a token's weights share a cache line): (n, rows) float64.

    One C pass over the tokens where `_context` is built: the weight lookups are memory
    bound, a fifth of a plain-text page's time as a numpy gather and bincount per row. The
    numpy fallback adds in the same order, so both give the same sums (a test checks)."""
    buckets_total, rows = weights.shape
    out = np.empty((n, rows), dtype=np.float64)
    if use_c and _context is not None and rows:
        # A stage's columns of a `shared_token_table` are a view, copied here: cleaning reads
        # the whole table at once and never comes this way with one.
        _context.token_sums(
            n, rows, buckets_total, np.ascontiguousarray(weights), np.ascontiguousarray(buckets, dtype=np.int64),
            np.ascontiguousarray(owners, dtype=np.int64), out,
        )
        return out
    for row in range(rows):
        out[:, row] = np.bincount(owners, weights=weights[buckets, row], minlength=n)
    return out


def by_bucket(coef: np.ndarray) -> np.ndarray:
    """A linear stage's (rows, buckets) weights as `token_sums` reads them."""
    return np.ascontiguousarray(coef.T, dtype=np.float32)


def shared_token_table(first: np.ndarray, markup: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two stages' `by_bucket` weights side by side in one table, and each stage's
    columns of it (views, so the weights are held once). The lookups are memory bound:
    one cache line a token for both stages took 80 µs a plain-text page where two took
    140 (`token_sums`, 150 WCXB pages)."""
    table = np.ascontiguousarray(np.hstack((first, markup)), dtype=np.float32)
    return table, table[:, : first.shape[1]], table[:, first.shape[1]:]


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

    def proba(self, buckets: np.ndarray, use_c: bool = True) -> np.ndarray:
        decision = (self.decision(buckets, use_c) + self.intercept)[None, :]
        return _one_vs_rest(decision, self.classes, len(PAGE_TYPES))[0]

    def decision(self, buckets: np.ndarray, use_c: bool = True) -> np.ndarray:
        """coef @ page_vector(buckets), in float64. In C where built, from the page's few
        hundred distinct buckets: the dense vector of PAGE_BUCKETS entries and its product
        took a tenth of a plain-text page's time."""
        page_buckets, classes = self.weights.shape
        if use_c and _context is not None and classes:
            out = np.empty(classes, dtype=np.float64)
            _context.page_decision(
                page_buckets, classes, self.weights, np.ascontiguousarray(buckets, dtype=np.int64), out,
            )
            return out
        return (page_vector(buckets) @ self.weights).astype(np.float64)


# One node of the C tree loop (_treescore.c's Node).
NODE_DTYPE = np.dtype([("threshold", "<f8"), ("feature", "<i4"), ("left", "<i4"), ("right", "<i4"), ("is_leaf", "<i4")])


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

    def proba(self, X: np.ndarray, use_c: bool = True) -> np.ndarray:
        return _expit(self.log_odds(X, use_c))

    def log_odds(self, X: np.ndarray, use_c: bool = True) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.shape[1] < self.width:  # the C loop reads rows unchecked
            raise ValueError(f"rows have {X.shape[1]} features; the trees read {self.width}")
        if use_c and _treescore is not None:
            sums = np.empty(X.shape[0], dtype=np.float64)
            _treescore.leaf_sums(
                X.shape[0], X.shape[1], len(self.nodes), len(self.roots), X, self.nodes, self.value,
                self.roots, self.tree_depths, sums,
            )
            return sums + self.baseline
        # Rows in chunks: the walk holds rows x trees node indices, so a page of 100,000
        # blocks would otherwise need gigabytes.
        parts = [self._sums_numpy(X[start:start + ROW_CHUNK]) for start in range(0, X.shape[0], ROW_CHUNK)]
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
class RuntimeKindModel:
    """Both stages for one input kind, with the same `predict_proba` as `model.KindModel`."""

    first: LinearStage
    page: PageStage
    second: TreeStage
    markup: MarkupStage
    sequence: SequenceStage | None = None
    # The first stage's and the markup guesses' weights side by side (`shared_token_table`),
    # where there are guesses: one lookup a token for both.
    token_table: np.ndarray | None = None

    def predict_proba(self, blocks: Sequence[Block], url: str | None = None) -> np.ndarray:
        if not blocks:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
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
        url_words = url_tokens(url)
        if url_words:
            buckets = np.concatenate((buckets, np.array([_bucket(token) for token in url_words], dtype=np.int64)))
        page_types = self.page.proba(buckets)
        context = context_features(blocks, first, page_types, class_counts)
        if guesses is not None:
            context = np.hstack((context, markup_columns(guesses)))
        body = body_proba(self.second.log_odds(context), self.sequence, context)
        return np.stack([1.0 - body, body, first[:, 2]], axis=1).astype(np.float32)


def export_arrays(kind: str, model) -> dict[str, np.ndarray]:
    """Flatten a fitted `model.KindModel` into named arrays for `runtime.npz`. The linear
    weights are stored as 8-bit codes; `model.round_to_stored` gives the estimators the
    decoded values."""
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
        **weight_codes.stored(f"{kind}.coef", sgd.coef_),
        f"{kind}.intercept": sgd.intercept_.astype(np.float64),
        f"{kind}.classes": sgd.classes_.astype(np.int64),
        **weight_codes.stored(f"{kind}.page_coef", page.coef_ if page is not None else np.zeros((0, PAGE_BUCKETS))),
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
        **weight_codes.stored(f"{kind}.markup_coef", model.markup.coef),
        f"{kind}.markup_intercept": model.markup.intercept.astype(np.float64),
        **sequence_arrays(kind, model.sequence),
    }


def sequence_arrays(kind: str, sequence: SequenceStage | None) -> dict[str, np.ndarray]:
    """The network's arrays (none when the model has no network), as float32."""
    if sequence is None:
        return {}
    arrays = {f"{kind}.seq_{name}": np.asarray(getattr(sequence, name), dtype=np.float32) for name in SEQUENCE_ARRAYS}
    arrays[f"{kind}.seq_dilations"] = np.asarray(sequence.dilations, dtype=np.int64)
    return arrays


def load_sequence(data: dict[str, np.ndarray], kind: str) -> SequenceStage | None:
    if f"{kind}.seq_w_in" not in data:
        return None
    fields = {name: data[f"{kind}.seq_{name}"] for name in SEQUENCE_ARRAYS}
    return SequenceStage(**fields, dilations=tuple(int(d) for d in data[f"{kind}.seq_dilations"]))


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

        def weights(field: str) -> np.ndarray:
            return weight_codes.restored(data, f"{kind}.{field}")

        if f"{kind}.coef_codes" not in data:
            raise ModelError(
                f"{path} stores its weights in an older layout than this cleaner reads "
                "(float arrays, not 8-bit codes); retrain with `clean train`"
            )

        nodes = index("feature"), real("threshold"), index("left"), index("right"), real("value")
        if len(nodes[0]) >= 2**31:
            raise ValueError("too many tree nodes for the packed node layout")
        first, markup, table = by_bucket(weights("coef")), by_bucket(weights("markup_coef")), None
        if markup.shape[1]:
            table, first, markup = shared_token_table(first, markup)
        models[kind] = RuntimeKindModel(
            first=LinearStage(first, get("intercept"), get("classes")),
            markup=MarkupStage(markup, get("markup_intercept")),
            page=PageStage(by_bucket(weights("page_coef")), get("page_intercept"), get("page_classes")),
            second=TreeStage(
                *nodes, index("roots"), int(get("depth")), float(get("baseline")[0]),
                int(get("feature").max()) + 1 if len(get("feature")) else 0, pack_nodes(*nodes[:4]),
                tree_depths(nodes[2], nodes[3], index("roots")),
            ),
            sequence=load_sequence(data, kind),
            token_table=table,
        )
    return models
