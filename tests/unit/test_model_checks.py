"""A model is code: the loader checks its hash, scikit-learn version and feature set."""

from __future__ import annotations

import json
import shutil

import pytest

from cleaner.errors import ModelError
from cleaner.features import tokens
from cleaner.training.export import load


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
    assert meta["cleaner_version"] == "test" and meta["feature_fingerprint"]


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


def test_runtime_arrays_score_like_the_sklearn_estimators(small_model_dir):
    """Cleaning uses the exported arrays; they must give the estimators' probabilities."""
    from cleaner.model import load_model
    from cleaner.segment.html import html_blocks, parse_html
    from cleaner.segment.text import text_blocks
    from tests.conftest import FIXTURES, SEEDS
    from tests.sklearn_reference import estimator_proba

    estimators, _ = load(small_model_dir)
    runtime, _ = load_model(small_model_dir)
    pages = {
        "html": [html_blocks(parse_html(p.read_text())) for p in sorted(FIXTURES.glob("html/*.html"))[:6]],
        "text": [text_blocks(p.read_text()) for p in sorted(SEEDS.glob("*.txt"))],
    }
    assert all(model.page.estimator is not None for model in estimators.values())
    for kind, docs in pages.items():
        for blocks, url in zip(docs, ("https://example.com/t/a-thread/123", None) * 10):
            expected = estimator_proba(estimators[kind], blocks, url)
            got = runtime[kind].predict_proba(blocks, url)
            assert got.shape == expected.shape
            assert abs(got - expected).max() < 1e-4


def test_tampered_runtime_is_refused_by_the_cleaner(small_model_dir, tmp_path):
    from cleaner.clean import Cleaner

    directory = _copy(small_model_dir, tmp_path)
    with (directory / "runtime.npz").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelError, match="SHA-256"):
        Cleaner(directory)


def test_training_token_matrix_is_scikit_learns_feature_hashing():
    """Training builds its matrix from `scan_blocks`, as cleaning hashes; it is the matrix that
    scikit-learn's FeatureHasher makes of the token strings (the hashing the model was
    first trained with)."""
    from sklearn.feature_extraction import FeatureHasher

    from cleaner.features.tokens import HASH_FEATURES, block_tokens
    from cleaner.segment.html import html_blocks, parse_html
    from cleaner.training.fit import token_matrix
    from tests.conftest import FIXTURES

    for path in sorted(FIXTURES.glob("html/*.html"))[:4]:
        blocks = html_blocks(parse_html(path.read_text()))
        hasher = FeatureHasher(n_features=HASH_FEATURES, input_type="string", alternate_sign=False)
        expected = hasher.transform(block_tokens(block) for block in blocks)
        assert (token_matrix(blocks) != expected).nnz == 0


TRAIN_AND_SAVE = """
import sys
from pathlib import Path

from cleaner.training.export import save
from cleaner.training.train import fit, load_handmade

seeds, fixtures, out = map(Path, sys.argv[1:])
save(fit(load_handmade(seeds, fixtures)), out, {"cleaner_version": "test"})
"""


def test_training_is_deterministic(tmp_path):
    """`clean train` on the same data writes the same model, byte for byte: two trainings in
    two separate processes, each with its own string-hash seed (as two runs of the command
    would have), share no state that could make them agree by accident."""
    import os
    import subprocess
    import sys

    from tests.conftest import FIXTURES, ROOT, SEEDS

    outs = [tmp_path / "first", tmp_path / "second"]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", TRAIN_AND_SAVE, str(SEEDS), str(FIXTURES), str(out)],
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for hash_seed, out in enumerate(outs, 1)
    ]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err[-2000:]
    first, second = outs
    for name in ("runtime.npz", "model.joblib"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), (
            f"{name} differs between the two trainings"
        )
    metas = [json.loads((out / "meta.json").read_text()) for out in outs]
    assert (metas[0]["sha256"], metas[0]["runtime_sha256"]) == (
        metas[1]["sha256"],
        metas[1]["runtime_sha256"],
    )


def test_clearing_caches_empties_them_and_changes_no_result():
    """The benchmark's cold passes: caches emptied, the same text out."""
    from cleaner.clean import Cleaner, clear_caches
    from cleaner.types import Document
    from tests.conftest import FIXTURES

    cleaner = Cleaner()
    page = Document((FIXTURES / "html" / "01_public_radio_semantic.html").read_text(), "html")
    warm = cleaner.clean(page)
    assert tokens._markup_buckets.cache_info().currsize > 0  # the C scanner skips the word caches
    clear_caches()
    assert tokens._word_bucket.cache_info().currsize == 0
    assert tokens._markup_buckets.cache_info().currsize == 0
    assert cleaner.clean(page) == warm


def test_one_token_table_for_both_linear_stages_scores_as_two():
    """The text model looks each token up once for its first stage and its markup guesses
    (`model.ready_arrays` puts their weights side by side); its scores are those of the two
    stages apart."""
    import dataclasses

    import numpy as np

    from cleaner.model import load_model
    from cleaner.segment.text import text_blocks
    from tests.conftest import SEEDS

    models, _ = load_model(None)
    shared = models["text"]
    assert shared.token_table is not None and models["html"].token_table is None
    apart = dataclasses.replace(shared, token_table=None)
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = text_blocks(path.read_text())
        assert np.array_equal(
            shared.predict_proba(blocks, "https://example.org/news/a"),
            apart.predict_proba(blocks, "https://example.org/news/a"),
        )
