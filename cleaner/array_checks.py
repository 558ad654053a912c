"""Checks of `runtime.npz`'s arrays before anything is built from them.

The SHA-256 in meta.json catches a corrupted file, not a crafted model folder: whoever can
write the folder can recompute the hash. The arrays reach C loops that index with them
unchecked (a split's feature column, a child node) and loops that run as long as the arrays
say (`tree_depths` follows children down to the leaves: a cycle never ends, a shared child
doubles the work a level). So every index, count and shape the scorers rely on is checked
here, vectorized, and a bad one raises ValueError with one line naming the kind, the array
and the fault (the loader makes it a ModelError).
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np

from .features.context import CONTEXT_WIDTH
from .features.markup_guess import COLUMNS_PER_GUESS, GUESSES
from .features.tokens import HASH_FEATURES, PAGE_BUCKETS, PAGE_TYPES
from .types import LABELS
from .weight_codes import CODE_MAX, TABLE_WIDTH

INTEGER, FLOAT = "i", "f"  # signed: the loader casts to int64, unsigned could wrap
MAX_DILATION = 1024  # the shipped network's largest is 16; a layer reads +-d blocks away
MAX_NODES = 2**31 - 1  # pack_nodes keeps node indices and features in int32


class _Kind:
    """One input kind's arrays, fetched with dtype and rank checked; errors name the array."""

    def __init__(self, kind: str, data: dict[str, np.ndarray]):
        self.kind = kind
        self.arrays = {name[len(kind) + 1 :]: a for name, a in data.items() if name.startswith(kind + ".")}

    def fail(self, field: str, problem: str) -> NoReturn:
        raise ValueError(f"model arrays: {self.kind}.{field}: {problem}")

    def expect(self, ok: bool, field: str, problem: str) -> None:
        if not ok:
            self.fail(field, problem)

    def get(self, field: str, kinds: str, ndim: int, allow_inf: bool = False) -> np.ndarray:
        """The array, refused if missing, of another dtype kind or rank, or (floats) NaN or
        infinite: one NaN weight makes every score of the stage NaN."""
        if field not in self.arrays:
            self.fail(field, "missing")
        a = self.arrays[field]
        wanted = "signed integer" if kinds == INTEGER else "float"
        self.expect(a.dtype.kind in kinds, field, f"dtype {a.dtype}, expected {wanted}")
        self.expect(a.ndim == ndim, field, f"{a.ndim} dimensions {a.shape}, expected {ndim}")
        if kinds == FLOAT and not np.isfinite(a).all():
            bad = np.isnan(a) if allow_inf else ~np.isfinite(a)
            if bad.any():
                at = np.unravel_index(int(np.argmax(bad)), a.shape)
                self.fail(field, f"entry {tuple(map(int, at))} is {a[at]}, not a finite number")
        return a


def _first(bad: np.ndarray) -> int:
    return int(np.flatnonzero(bad)[0])


def _check_linear(k: _Kind, name: str, intercept: str, columns: int) -> int:
    """8-bit weight codes (weight_codes.py) index their row's table: a code beyond
    +-CODE_MAX would read another code's value. Returns the number of rows."""
    codes, table = k.get(f"{name}_codes", INTEGER, 2), k.get(f"{name}_table", FLOAT, 2)
    rows = codes.shape[0]
    k.expect(codes.shape[1] == columns, f"{name}_codes", f"shape {codes.shape}, expected {columns} columns")
    k.expect(
        table.shape == (rows, TABLE_WIDTH),
        f"{name}_table",
        f"shape {table.shape}, not {rows} x {TABLE_WIDTH}",
    )
    if codes.size and (codes.min() < -CODE_MAX or codes.max() > CODE_MAX):
        k.fail(f"{name}_codes", f"codes run {codes.min()}..{codes.max()}, outside +-{CODE_MAX}")
    length = len(k.get(intercept, FLOAT, 1))
    k.expect(length == rows, intercept, f"length {length}, but {name} has {rows} rows")
    return rows


def _check_classes(k: _Kind, field: str, n_values: int, rows: int, weights: str) -> None:
    """Class indices pick output columns (`out[:, classes] = ...`): in range, once each, and
    as many as the weight rows give (one row for two classes, as scikit-learn keeps them)."""
    classes = k.get(field, INTEGER, 1)
    bad = (classes < 0) | (classes >= n_values)
    if bad.any():
        k.fail(field, f"class {classes[_first(bad)]} outside [0, {n_values})")
    k.expect(len(set(classes.tolist())) == len(classes) > 0, field, f"empty or repeated: {classes.tolist()}")
    allowed = {1: (0, 1), 2: (1,)}.get(len(classes), (len(classes),))
    k.expect(rows in allowed, f"{weights}_codes", f"{rows} rows, but {len(classes)} classes need {allowed}")


def _check_roots(k: _Kind, roots: np.ndarray, n: int) -> None:
    """Tree t owns nodes roots[t] .. roots[t+1]-1: every node in exactly one tree."""
    k.expect(len(roots) > 0, "roots", "no trees")
    bad = (roots < 0) | (roots >= n)
    if bad.any():
        k.fail("roots", f"tree {_first(bad)} starts at node {roots[_first(bad)]}, outside the {n} nodes")
    k.expect(roots[0] == 0, "roots", f"the first tree starts at node {roots[0]}, not 0")
    steps = np.diff(roots) <= 0
    if steps.any():
        k.fail("roots", f"not strictly increasing at tree {_first(steps) + 1}")


def _check_children(k: _Kind, left: np.ndarray, right: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """A leaf leads to itself both ways; an inner node to two later nodes of its own tree,
    as the exporter lays them out: no cycle, no jump between trees. Each node but a root has
    exactly one parent (a shared child doubles `tree_depths`' frontier). Returns `inner`."""
    node = np.arange(len(left))
    end = np.repeat(np.append(roots[1:], len(left)), np.diff(np.append(roots, len(left))))
    inner = ~((left == node) & (right == node))
    for field, child in (("left", left), ("right", right)):
        back = inner & (child <= node)
        if back.any():
            i = _first(back)
            k.fail(field, f"node {i} points back at node {child[i]} (a cycle, or half a leaf)")
        out = inner & (child >= end)
        if out.any():
            i = _first(out)
            k.fail(field, f"node {i} points at node {child[i]}, outside its tree (nodes ..{end[i] - 1})")
    parents = np.bincount(np.concatenate((left[inner], right[inner])), minlength=len(left))
    parents[roots] += 1  # nothing points at a root (checked above): count it as one
    if (parents != 1).any():
        i = _first(parents != 1)
        k.fail("left/right", f"node {i} has {parents[i]} parents; every node but a root needs one")
    return inner


def _deepest(parent: np.ndarray) -> int:
    """Edges on the longest root-to-leaf path, by pointer doubling: log2(depth) vectorized
    passes, so that a crafted chain of 10**5 nodes cannot stall the check. Needs trees
    (a root its own parent), which `_check_children` ensured."""
    hops = (parent != np.arange(len(parent))).astype(np.int64)
    while not np.array_equal(grand := parent[parent], parent):
        hops += hops[parent]
        parent = grand
    return int(hops.max())


def _check_trees(k: _Kind, width: int) -> None:
    """What the C loop (_treescore.c) and the numpy walk index, and how long they walk."""
    feature, left, right = k.get("feature", INTEGER, 1), k.get("left", INTEGER, 1), k.get("right", INTEGER, 1)
    others = {"threshold": k.get("threshold", FLOAT, 1, allow_inf=True), "value": k.get("value", FLOAT, 1)}
    roots, depth = k.get("roots", INTEGER, 1), k.get("depth", INTEGER, 0)
    k.expect(k.get("baseline", FLOAT, 1).shape == (1,), "baseline", "expected one value")
    n = len(feature)
    k.expect(0 < n <= MAX_NODES, "feature", f"{n} nodes, expected 1..{MAX_NODES}")
    for field, a in {"left": left, "right": right, **others}.items():
        k.expect(len(a) == n, field, f"{len(a)} entries, but feature has {n}")
    _check_roots(k, roots, n)
    inner = _check_children(k, left, right, roots)
    bad = (feature < 0) | (feature >= width)  # leaves too: the C loop reads a leaf's column
    if bad.any():
        i = _first(bad)
        k.fail("feature", f"node {i} reads column {feature[i]}, outside the {width} columns of a row")
    parent = np.arange(n)
    parent[left[inner]], parent[right[inner]] = parent[inner], parent[inner]
    real, largest = _deepest(parent), int(np.diff(np.append(roots, n)).max())
    k.expect(
        real <= depth <= largest,
        "depth",
        f"{depth}, not in {real}..{largest}: the deepest leaf and the largest tree",
    )


def _check_sequence(k: _Kind, width: int) -> None:
    """The network (sequence.py) standardizes rows of `width` columns, runs C channels and a
    convolution layer per dilation over them; every shape has to agree."""
    if not any(field.startswith("seq_") for field in k.arrays):
        return
    dilations = k.get("seq_dilations", INTEGER, 1)
    c, layers = k.get("seq_w_in", FLOAT, 2).shape[1], len(dilations)
    shapes = dict(mean=(width,), scale=(width,), w_in=(width, c), b_in=(c,), w_page=(c, c), b_page=(c,))
    shapes.update(conv_w=(layers, 3, c, c), conv_b=(layers, c), w_out=(2 * c + width,), b_out=(1,))
    for name, shape in shapes.items():
        a = k.get(f"seq_{name}", FLOAT, len(shape))
        k.expect(
            a.shape == shape,
            f"seq_{name}",
            f"shape {a.shape}, expected {shape} ({width} columns, {c} channels)",
        )
    bad = (dilations < 1) | (dilations > MAX_DILATION)
    k.expect(not bad.any(), "seq_dilations", f"{dilations.tolist()}: each must be in 1..{MAX_DILATION}")
    k.expect(
        bool((k.arrays["seq_scale"] > 0).all()),
        "seq_scale",
        "a scale is not positive (rows are divided by it)",
    )


def check_arrays(data: dict[str, np.ndarray]) -> None:
    """Refuse arrays that could crash, hang or silently mislead the scorers; every input kind
    present ("<kind>.<field>" keys) is checked whole. Raises ValueError (one line)."""
    for kind in sorted({name.partition(".")[0] for name in data}):
        k = _Kind(kind, data)
        if "coef" in k.arrays and "coef_codes" not in k.arrays:
            k.fail("coef_codes", "missing: float weights of an older layout; retrain with `clean train`")
        rows = _check_linear(k, "coef", "intercept", HASH_FEATURES)
        _check_classes(k, "classes", len(LABELS), rows, "coef")
        page_rows = _check_linear(k, "page_coef", "page_intercept", PAGE_BUCKETS)
        _check_classes(k, "page_classes", len(PAGE_TYPES), page_rows, "page_coef")
        guesses = _check_linear(k, "markup_coef", "markup_intercept", HASH_FEATURES)
        k.expect(
            guesses in (0, len(GUESSES)), "markup_coef_codes", f"{guesses} rows, not 0 or {len(GUESSES)}"
        )
        width = CONTEXT_WIDTH + guesses * COLUMNS_PER_GUESS  # predict_proba: context, then guesses
        _check_trees(k, width)
        _check_sequence(k, width)
