"""Where the model lives, what its meta.json promises, and the checks before loading it.

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

from .features import feature_fingerprint

MODEL_FILE = "model.joblib"
RUNTIME_FILE = "runtime.npz"
META_FILE = "meta.json"
_PACKAGE_MODELS = Path(__file__).resolve().parent / "models"  # inside an installed wheel
_SOURCE_MODELS = Path(__file__).resolve().parent.parent / "models"  # a source checkout


class ModelError(RuntimeError):
    """The model cannot be used; the message says how to fix it."""


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


def load_runtime_checked(directory: Path | None = None):
    """The runtime models and meta of a model directory (None: the shipped model)."""
    from .runtime import load_runtime

    directory = shipped_dir() if directory is None else Path(directory)
    meta = read_meta(directory)
    return load_runtime(checked_path(directory, meta, RUNTIME_FILE, "runtime_sha256")), meta
