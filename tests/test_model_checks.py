"""A model is code: the loader checks its hash, scikit-learn version and feature set."""

from __future__ import annotations

import json
import shutil

import pytest

from cleaner.model import ModelError, load


def _copy(model_dir, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    return target


def _edit_meta(directory, **changes):
    meta_path = directory / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update(changes)
    meta_path.write_text(json.dumps(meta))


def test_a_good_model_loads(small_model_dir):
    models, meta = load(small_model_dir)
    assert set(models) == {"html", "text"}
    assert meta["threshold"] == 0.3


def test_tampered_model_is_refused(small_model_dir, tmp_path):
    directory = _copy(small_model_dir, tmp_path)
    with (directory / "model.joblib").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelError, match="SHA-256"):
        load(directory)


def test_other_sklearn_version_is_refused_with_the_fix(small_model_dir, tmp_path):
    directory = _copy(small_model_dir, tmp_path)
    _edit_meta(directory, sklearn_version="0.1.0")
    with pytest.raises(ModelError, match=r"scikit-learn==0\.1\.0.*clean train"):
        load(directory)


def test_other_feature_set_is_refused(small_model_dir, tmp_path):
    directory = _copy(small_model_dir, tmp_path)
    _edit_meta(directory, feature_fingerprint="v0-old")
    with pytest.raises(ModelError, match="retrain"):
        load(directory)


def test_missing_model_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelError, match="clean train"):
        load(tmp_path)
