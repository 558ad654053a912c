"""The model folder: where it lives, what its meta.json promises, the checks, the arrays read into scorers.

Kept free of scikit-learn so that `clean` starts fast: cleaning reads only `runtime.npz`
(numpy arrays, no pickle) and `meta.json`. Every model file is checked against the
SHA-256 recorded in meta.json before it is read, and against the feature set of this
cleaner, so a swapped, corrupted or stale model is refused with the fix in the message.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from . import weight_codes
from .array_checks import check_arrays
from .errors import ModelError
from .features.context import feature_fingerprint
from .score import (
    SEQUENCE_ARRAYS,
    LinearStage,
    MarkupStage,
    PageStage,
    Scorer,
    TreeStage,
    by_bucket,
    pack_nodes,
    shared_token_table,
    tree_depths,
)
from .sequence import SequenceStage

MODEL_FILE = "model.joblib"
RUNTIME_FILE = "runtime.npz"
META_FILE = "meta.json"
_PACKAGE_MODELS = Path(__file__).resolve().parent / "models"  # inside an installed wheel
_SOURCE_MODELS = Path(__file__).resolve().parent.parent / "models"  # a source checkout


def shipped_dir() -> Path:
    return _PACKAGE_MODELS if (_PACKAGE_MODELS / META_FILE).exists() else _SOURCE_MODELS


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_meta(directory: Path) -> dict[str, Any]:
    meta_path = directory / META_FILE
    if not meta_path.exists():
        raise ModelError(f"no model in {directory} (no {META_FILE}); rebuild it with `clean train`")
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelError(f"{meta_path} is not valid JSON ({exc}); rebuild it with `clean train`") from exc


def checked_path(directory: Path, meta: dict[str, Any], name: str, hash_key: str) -> Path:
    """The path of a model file whose SHA-256 and feature set match meta.json."""
    path = directory / name
    if not path.exists():
        raise ModelError(f"no {name} in {directory}; rebuild it with `clean train`")
    if file_sha256(path) != meta.get(hash_key):
        raise ModelError(
            f"{path} does not match the SHA-256 recorded in {directory / META_FILE}; refusing to "
            "load it. Reinstall cleaner or retrain with `clean train`."
        )
    if meta.get("feature_fingerprint") != feature_fingerprint():
        raise ModelError(
            f"the model in {directory} was trained on features {meta.get('feature_fingerprint')}, "
            f"but this cleaner computes {feature_fingerprint()}; retrain with `clean train`"
        )
    return path


def load_sequence(data: dict[str, np.ndarray], kind: str) -> SequenceStage | None:
    if f"{kind}.seq_w_in" not in data:
        return None
    fields = {name: data[f"{kind}.seq_{name}"] for name in SEQUENCE_ARRAYS}
    return SequenceStage(**fields, dilations=tuple(int(d) for d in data[f"{kind}.seq_dilations"]))


def load_runtime(path: Path) -> dict[str, Scorer]:
    """Read `runtime.npz` (no pickles allowed) into one scorer per input kind."""
    with np.load(path, allow_pickle=False) as arrays:
        data = {name: arrays[name] for name in arrays.files}
    return scorers_from_arrays(data, str(path))


def scorers_from_arrays(data: dict[str, np.ndarray], source: str = "the model") -> dict[str, Scorer]:
    """One scorer per input kind from the exported arrays, after checking every index the
    scorers follow: a crafted or corrupted file is refused here, not met as a crash."""
    try:
        check_arrays(data)
    except ValueError as error:
        raise ModelError(f"{source} is not a usable model: {error}") from None
    kinds = sorted({name.split(".", 1)[0] for name in data})
    models: dict[str, Scorer] = {}
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
                f"{source} stores its weights in an older layout than this cleaner reads "
                "(float arrays, not 8-bit codes); retrain with `clean train`"
            )

        nodes = index("feature"), real("threshold"), index("left"), index("right"), real("value")
        if len(nodes[0]) >= 2**31:
            raise ValueError("too many tree nodes for the packed node layout")
        first, markup, table = by_bucket(weights("coef")), by_bucket(weights("markup_coef")), None
        if markup.shape[1]:
            table, first, markup = shared_token_table(first, markup)
        models[kind] = Scorer(
            first=LinearStage(first, get("intercept"), get("classes")),
            markup=MarkupStage(markup, get("markup_intercept")),
            page=PageStage(by_bucket(weights("page_coef")), get("page_intercept"), get("page_classes")),
            second=TreeStage(
                *nodes,
                index("roots"),
                int(get("depth")),
                float(get("baseline")[0]),
                int(get("feature").max()) + 1 if len(get("feature")) else 0,
                pack_nodes(*nodes[:4]),
                tree_depths(nodes[2], nodes[3], index("roots")),
            ),
            sequence=load_sequence(data, kind),
            token_table=table,
        )
    return models


def load_model(directory: Path | None = None) -> tuple[dict[str, Scorer], dict[str, Any]]:
    """The scorers and meta of a model directory (None: the shipped model)."""
    directory = shipped_dir() if directory is None else Path(directory)
    meta = read_meta(directory)
    return load_runtime(checked_path(directory, meta, RUNTIME_FILE, "runtime_sha256")), meta
