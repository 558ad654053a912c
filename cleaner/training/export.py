"""Fitted scikit-learn estimators to the arrays that cleaning scores with (`runtime.npz`).

Only public attributes are read: the linear stages' `coef_`, `intercept_`, `classes_`, and
for the trees the predictor nodes of `HistGradientBoostingClassifier`, which scikit-learn
keeps in `_predictors`. That one attribute is private, so scikit-learn is pinned in
pyproject.toml and `tests/` check that an exported model scores as the estimators do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from .. import weight_codes
from ..errors import ModelError
from ..features.context import feature_fingerprint
from ..features.tokens import PAGE_BUCKETS
from ..model import (
    META_FILE,
    MODEL_FILE,
    RUNTIME_FILE,
    checked_path,
    file_sha256,
    read_meta,
    scorers_from_arrays,
    shipped_dir,
)
from ..score import SEQUENCE_ARRAYS, Scorer
from ..sequence import SequenceStage
from ..types import Kind
from .fit import KindModel

_NODE_FIELDS = (
    "value",
    "feature_idx",
    "num_threshold",
    "left",
    "right",
    "is_leaf",
    "depth",
    "is_categorical",
)


def tree_nodes(hgb) -> list[np.ndarray]:
    """Each tree's node records. scikit-learn keeps them in the private `_predictors`; the
    layout is checked here so that a scikit-learn that moved it fails with a message, not
    with a wrong model (pyproject.toml pins the version this was written for)."""
    predictors = getattr(hgb, "_predictors", None)
    if not predictors or not all(len(p) == 1 and hasattr(p[0], "nodes") for p in predictors):
        raise RuntimeError(f"cannot read the trees of scikit-learn {sklearn.__version__}: its layout changed")
    nodes = [p[0].nodes for p in predictors]
    missing = [name for name in _NODE_FIELDS if name not in nodes[0].dtype.names]
    if missing:
        raise RuntimeError(
            f"scikit-learn {sklearn.__version__}'s tree nodes lack {missing}: its layout changed"
        )
    return nodes


def scorer(kind: Kind, model: KindModel) -> Scorer:
    """The model as cleaning will score with it: exported (the linear weights rounded to
    their stored codes) and read back. Evaluation scores with this, so it measures what ships."""
    return scorers_from_arrays(round_to_stored(kind, model), f"the {kind} model")[kind]


def export_arrays(kind: str, model) -> dict[str, np.ndarray]:
    """Flatten a fitted `model.KindModel` into named arrays for `runtime.npz`. The linear
    weights are stored as 8-bit codes; `round_to_stored` gives the estimators the
    decoded values."""
    sgd, hgb, page = model.first, model.second, model.page.estimator
    nodes = tree_nodes(hgb)
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
        **weight_codes.stored(
            f"{kind}.page_coef", page.coef_ if page is not None else np.zeros((0, PAGE_BUCKETS))
        ),
        f"{kind}.page_intercept": (page.intercept_ if page is not None else np.zeros(0)).astype(np.float64),
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
    arrays = {
        f"{kind}.seq_{name}": np.asarray(getattr(sequence, name), dtype=np.float32)
        for name in SEQUENCE_ARRAYS
    }
    arrays[f"{kind}.seq_dilations"] = np.asarray(sequence.dilations, dtype=np.int64)
    return arrays


def round_to_stored(kind: Kind, model: KindModel) -> dict[str, np.ndarray]:
    """The model's runtime arrays, with its linear weights as 8-bit codes (`weight_codes`).
    The estimators take the decoded weights, so that they score as the runtime will:
    `save` relies on it, and cross-validation scores what would ship."""
    exported = export_arrays(kind, model)
    model.first.coef_ = weight_codes.restored(exported, f"{kind}.coef")
    model.markup.coef = weight_codes.restored(exported, f"{kind}.markup_coef")
    if model.page.estimator is not None:
        model.page.estimator.coef_ = weight_codes.restored(exported, f"{kind}.page_coef")
    return exported


def save(models: dict[Kind, KindModel], directory: Path, meta: dict[str, Any]) -> Path:
    """Write model.joblib (the fitted estimators), runtime.npz (their arrays) and meta.json.
    The estimators are saved with the weights that runtime.npz stores (`round_to_stored`)."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for kind, model in models.items():
        arrays.update(round_to_stored(kind, model))
    path = directory / MODEL_FILE
    joblib.dump(dict(models), path, compress=("xz", 6))
    runtime_path = directory / RUNTIME_FILE
    with runtime_path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)
    sha = file_sha256(path)
    meta = {
        "version": f"{meta.get('cleaner_version', '0')}+{sha[:10]}",
        **meta,
        "sklearn_version": sklearn.__version__,
        "feature_fingerprint": feature_fingerprint(),
        "sha256": sha,
        "runtime_sha256": file_sha256(runtime_path),
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def load(directory: Path | None = None) -> tuple[dict[Kind, KindModel], dict[str, Any]]:
    """Load the fitted scikit-learn estimators after checking hash, version and features.

    Cleaning does not need this (it reads runtime.npz); it serves inspection and export.
    The pickle runs code when loaded: only load models you trust.
    """
    directory = shipped_dir() if directory is None else Path(directory)
    meta = read_meta(directory)
    path = checked_path(directory, meta, MODEL_FILE, "sha256")
    if meta.get("sklearn_version") != sklearn.__version__:
        raise ModelError(
            f"the model was built with scikit-learn {meta.get('sklearn_version')}, but "
            f"{sklearn.__version__} is installed; install scikit-learn=={meta.get('sklearn_version')} "
            "or retrain with `clean train`"
        )
    return joblib.load(path), meta
