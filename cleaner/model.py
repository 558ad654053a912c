"""The model folder: where it lives, what its meta.json promises, the checks, the arrays read into scorers.

Kept free of scikit-learn so that `clean` starts fast: cleaning reads only `runtime.npz`
(numpy arrays, no pickle) and `meta.json`. Every model file is checked against the
SHA-256 recorded in meta.json before it is read, and against the feature set of this
cleaner, so a swapped, corrupted or stale model is refused with the fix in the message.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import weight_codes
from .array_checks import check_arrays
from .errors import ModelError
from .features.context import feature_fingerprint
from .features.table_cache import cached_arrays, source_of
from .score import (
    SEQUENCE_ARRAYS,
    LinearStage,
    MarkupStage,
    PageStage,
    Scorer,
    TreeStage,
    by_bucket,
    pack_nodes,
    tree_depths,
)
from .sequence import SequenceStage
from .site_adapter import ADAPTER_BUCKETS, SiteAdapter

MODEL_FILE = "model.joblib"
RUNTIME_FILE = "runtime.npz"
ADAPTER_FILE = "adapter.npz"
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
        raise ModelError(
            f"no model in {directory} (no {META_FILE}); rebuild it with `clean train --out {directory}`"
        )
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelError(
            f"{meta_path} is not valid JSON ({exc}); rebuild it with `clean train --out {directory}`"
        ) from exc


def checked_path(directory: Path, meta: dict[str, Any], name: str, hash_key: str) -> Path:
    """The path of a model file whose SHA-256 and feature set match meta.json."""
    path = directory / name
    if not path.exists():
        raise ModelError(f"no {name} in {directory}; rebuild it with `clean train --out {directory}`")
    if file_sha256(path) != meta.get(hash_key):
        raise ModelError(
            f"{path} does not match the SHA-256 recorded in {directory / META_FILE}; refusing to "
            f"load it. Reinstall cleaner or retrain with `clean train --out {directory}`."
        )
    if meta.get("feature_fingerprint") != feature_fingerprint():
        raise ModelError(
            f"the model in {directory} was trained on features {meta.get('feature_fingerprint')}, "
            f"but this cleaner computes {feature_fingerprint()}; retrain with `clean train --out {directory}`"
        )
    return path


def load_sequence(data: dict[str, np.ndarray], kind: str) -> SequenceStage | None:
    if f"{kind}.seq_w_in" not in data:
        return None
    fields = {name: data[f"{kind}.seq_{name}"] for name in SEQUENCE_ARRAYS}
    return SequenceStage(**fields, dilations=tuple(int(d) for d in data[f"{kind}.seq_dilations"]))


def load_runtime(path: Path, sha256: str | None = None) -> dict[str, Scorer]:
    """Read `runtime.npz` (no pickles allowed) into one scorer per input kind. The shipped
    model's decoded arrays (`sha256` given: the file's, as meta.json records it) are kept on disk
    once made (`table_cache`, keyed by it and by the code that checks and lays them out):
    decoding them took a third of the start-up."""

    def build() -> dict[str, np.ndarray]:
        with np.load(path, allow_pickle=False) as arrays:
            return ready_arrays({name: arrays[name] for name in arrays.files}, str(path))

    if sha256 is None:
        return scorers_from_ready(build())
    from . import array_checks, score  # the checks it passed and the layout it is read into

    key = (sha256, *map(source_of, (__file__, array_checks.__file__, score.__file__)))
    return scorers_from_ready(cached_arrays("shipped-model", build, key))


def scorers_from_arrays(data: dict[str, np.ndarray], source: str = "the model") -> dict[str, Scorer]:
    """One scorer per input kind from the exported arrays (see `ready_arrays`)."""
    return scorers_from_ready(ready_arrays(data, source))


def ready_arrays(data: dict[str, np.ndarray], source: str = "the model") -> dict[str, np.ndarray]:
    """The exported arrays in the layout the scorers read, after checking every index the
    scorers follow: a crafted or corrupted file is refused here, not met as a crash. The
    linear weights are decoded from their 8-bit codes and turned bucket-major; the first
    stage's and the markup guesses' side by side in one token table; the trees' nodes
    packed for the C loop."""
    try:
        check_arrays(data)
    except ValueError as error:
        raise ModelError(f"{source} is not a usable model: {error}") from None
    ready: dict[str, np.ndarray] = {}
    for kind in sorted({name.split(".", 1)[0] for name in data}):

        def get(field: str) -> np.ndarray:
            return data[f"{kind}.{field}"]

        def index(field: str) -> np.ndarray:  # the C tree scorer reads these raw
            return np.ascontiguousarray(get(field), dtype=np.int64)

        def real(field: str) -> np.ndarray:
            return np.ascontiguousarray(get(field), dtype=np.float64)

        def weights(field: str) -> np.ndarray:
            return by_bucket(weight_codes.restored(data, f"{kind}.{field}"))

        first = weights("coef")
        out = {
            "token_table": np.ascontiguousarray(np.hstack((first, weights("markup_coef"))), dtype=np.float32),
            "first_columns": np.array(first.shape[1]),
            "page_weights": weights("page_coef"),
            "feature": index("feature"),
            "threshold": real("threshold"),
            "left": index("left"),
            "right": index("right"),
            "value": real("value"),
            "roots": index("roots"),
        }
        out["nodes"] = pack_nodes(out["feature"], out["threshold"], out["left"], out["right"])
        out["tree_depths"] = tree_depths(out["left"], out["right"], out["roots"])
        for field in (
            "intercept",
            "classes",
            "markup_intercept",
            "page_intercept",
            "page_classes",
            "depth",
            "baseline",
        ):
            out[field] = get(field)
        out.update(
            {name[len(kind) + 1 :]: array for name, array in data.items() if name.startswith(f"{kind}.seq_")}
        )
        ready.update({f"{kind}.{field}": array for field, array in out.items()})
    return ready


def scorers_from_ready(ready: dict[str, np.ndarray]) -> dict[str, Scorer]:
    """One scorer per input kind from `ready_arrays`: views and wrappers, no copies."""
    models: dict[str, Scorer] = {}
    for kind in sorted({name.split(".", 1)[0] for name in ready}):

        def get(field: str) -> np.ndarray:
            return ready[f"{kind}.{field}"]

        table, split = get("token_table"), int(get("first_columns"))
        feature = get("feature")
        models[kind] = Scorer(
            first=LinearStage(table[:, :split], get("intercept"), get("classes")),
            markup=MarkupStage(table[:, split:], get("markup_intercept")),
            page=PageStage(get("page_weights"), get("page_intercept"), get("page_classes")),
            second=TreeStage(
                feature,
                get("threshold"),
                get("left"),
                get("right"),
                get("value"),
                get("roots"),
                int(get("depth")),
                float(get("baseline")[0]),
                int(feature.max()) + 1 if len(feature) else 0,
                get("nodes"),
                get("tree_depths"),
            ),
            sequence=load_sequence(ready, kind),
            # One lookup a token for both stages where there are markup guesses.
            token_table=table if table.shape[1] > split else None,
        )
    return models


def load_model(directory: Path | None = None) -> tuple[dict[str, Scorer], dict[str, Any]]:
    """The scorers and meta of a model directory (None: the shipped model), with its site
    layer (`adapter.npz`, from `clean adapt`) where it has one."""
    directory = shipped_dir() if directory is None else Path(directory)
    meta = read_meta(directory)
    path = checked_path(directory, meta, RUNTIME_FILE, "runtime_sha256")
    shipped = directory.resolve() == shipped_dir().resolve()
    scorers = load_runtime(path, meta["runtime_sha256"] if shipped else None)
    if "adapter_sha256" in meta:
        adapters = load_adapters(checked_path(directory, meta, ADAPTER_FILE, "adapter_sha256"))
        scorers = {kind: replace(s, adapter=adapters.get(kind)) for kind, s in scorers.items()}
    return scorers, meta


def load_adapters(path: Path) -> dict[str, SiteAdapter]:
    """`adapter.npz` (no pickles) into one SiteAdapter per adapted input kind, checked."""
    adapters: dict[str, SiteAdapter] = {}
    with np.load(path, allow_pickle=False) as arrays:
        for kind in ("html", "text"):
            if f"{kind}.weights" not in arrays.files:
                continue
            weights = arrays[f"{kind}.weights"].astype(np.float64)
            scale, bias = float(arrays[f"{kind}.scale"]), float(arrays[f"{kind}.bias"])
            if weights.shape != (ADAPTER_BUCKETS,) or not (
                np.isfinite(weights).all() and np.isfinite([scale, bias]).all()
            ):
                raise ModelError(f"{path}: the {kind} site layer has the wrong shape or non-finite values")
            adapters[kind] = SiteAdapter(weights, scale, bias)
    return adapters
