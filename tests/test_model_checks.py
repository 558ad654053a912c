"""A model is code: the loader checks its hash, scikit-learn version and feature set."""

from __future__ import annotations
from cleaner.features import tokens
from cleaner.features.tokens import scan_blocks
from tests.conftest import need_c, pure

import json
import shutil

import pytest

from cleaner.errors import ModelError
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

    from .conftest import FIXTURES, SEEDS
    from .sklearn_reference import estimator_proba

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


def test_runtime_hashing_equals_hashing_every_token_string():
    from cleaner.segment.html import html_blocks, parse_html

    from .conftest import FIXTURES

    blocks = html_blocks(parse_html((FIXTURES / "html" / "01_public_radio_semantic.html").read_text()))
    _assert_hashed_like_every_token_string(blocks)


def _assert_hashed_like_every_token_string(blocks):
    """`scan_blocks` gives the (block, bucket) pairs of hashing each of `block_tokens`' strings
    one by one, the class counts of `char_class_counts` and the numbers of `block_fields`, on
    the C scanner (where built) and on the Python fallback alike."""
    import numpy as np

    from cleaner import _speedups
    from cleaner.features.context import block_fields
    from cleaner.features.tokens import _bucket, block_tokens, char_class_counts, scan_blocks

    want = sorted((row, _bucket(token)) for row, block in enumerate(blocks) for token in block_tokens(block))

    def check(with_c: bool) -> None:
        buckets, owners, class_counts = scan_blocks(blocks)
        assert sorted(zip(owners.tolist(), buckets.tolist())) == want, f"with_c={with_c}"
        assert np.array_equal(class_counts, char_class_counts([b.text for b in blocks])), f"with_c={with_c}"
        assert np.array_equal(block_fields(blocks), [
            (len(b.text), b.link_chars, b.depth, b.gap_before, b.gap_after) for b in blocks
        ]), f"with_c={with_c}"

    pure(check, False)
    if _speedups.get("blockscan") is not None:
        check(True)


def test_training_token_matrix_is_scikit_learns_feature_hashing():
    """Training builds its matrix from `scan_blocks`, as cleaning hashes; it is the matrix that
    scikit-learn's FeatureHasher makes of the token strings (the hashing the model was
    first trained with)."""
    from sklearn.feature_extraction import FeatureHasher

    from cleaner.features.tokens import HASH_FEATURES, block_tokens
    from cleaner.segment.html import html_blocks, parse_html
    from cleaner.training.fit import token_matrix

    from .conftest import FIXTURES

    for path in sorted(FIXTURES.glob("html/*.html"))[:4]:
        blocks = html_blocks(parse_html(path.read_text()))
        hasher = FeatureHasher(n_features=HASH_FEATURES, input_type="string", alternate_sign=False)
        expected = hasher.transform(block_tokens(block) for block in blocks)
        assert (token_matrix(blocks) != expected).nnz == 0


def test_training_is_deterministic(small_model_dir, tmp_path):
    """`clean train` on the same data writes the same model, byte for byte."""
    import json

    from cleaner.training.export import save
    from cleaner.training.train import fit, load_handmade

    from .conftest import FIXTURES, SEEDS

    save(fit(load_handmade(SEEDS, FIXTURES)), tmp_path, {"cleaner_version": "test"})
    again = json.loads((tmp_path / "meta.json").read_text())
    first = json.loads((small_model_dir / "meta.json").read_text())
    assert (again["sha256"], again["runtime_sha256"]) == (first["sha256"], first["runtime_sha256"])


def test_c_tree_scorer_equals_the_numpy_walk():
    """The optional C loop and the numpy fallback score the shipped trees alike."""
    import numpy as np

    from cleaner import score as runtime
    from cleaner.features.context import context_features
    from cleaner.model import load_model
    from cleaner.segment.html import html_blocks, parse_html

    from .conftest import FIXTURES

    need_c("treescore")
    models, _ = load_model(None)
    model = models["html"]
    for path in sorted(FIXTURES.glob("html/*.html"))[:4]:
        blocks = html_blocks(parse_html(path.read_text()))
        buckets, owners, _ = scan_blocks(blocks)
        first = model.first.proba(buckets, owners, len(blocks))
        X = context_features(blocks, first, model.page.proba(buckets))
        X[::7, 3] = np.nan  # a missing value goes right in both walks
        c_scores = model.second.proba(X)
        numpy_scores = pure(model.second.proba, X)
        assert np.allclose(c_scores, numpy_scores, rtol=0, atol=1e-12)
        assert 0.0 < c_scores.min() <= c_scores.max() < 1.0


def test_runtime_hashing_of_plain_text_and_odd_blocks():
    """Per-document hashing gives each block its own tokens, also for blocks without
    words, long blocks, and a text that holds the word used to join blocks."""
    from cleaner.features.tokens import _SEPARATOR_WORD
    from cleaner.segment.text import text_blocks
    from cleaner.types import Block

    from .conftest import SEEDS

    seed = text_blocks(sorted(SEEDS.glob("*.txt"))[0].read_text())
    odd = [
        Block("— · —"),
        Block(" ".join(f"w{i}" for i in range(90))),
        Block("ΚΑΛΗΜΕΡΑ ΣΑΣ, Straße"),
        Block("menu", tag="a", path=("a", "li", "ul"), attr_words=("nav",)),
        Block(""),
        Block("İSTANBUL Ǆemal ǅ x² snake_case café́ 𝐁𝐨𝐥𝐝 𠀀字 😀 ١٢٣ ߊ"),  # case, marks, astral
        Block("A" * 700 + " Ωmega " + "ß" * 300),  # words longer than the scanner's buffer
        Block("\u0300\u0301 \t\u00a0 \ufeff — «» a\ud800b"),  # marks alone, a lone surrogate
        Block("𝐁old, said “Ⅷ.”", tag="a", path=("a", "p"), link_chars=9, depth=3, gap_before=True),
        Block("Ⓐ last:", gap_after=True),  # upper case but not a letter; a sentence end
    ]
    for blocks in (seed, odd, odd + [Block(f"the {_SEPARATOR_WORD} word")], odd[:1]):
        _assert_hashed_like_every_token_string(blocks)


def test_clearing_caches_empties_them_and_changes_no_result():
    """The benchmark's cold passes: caches emptied, the same text out."""
    from cleaner.clean import Cleaner
    from cleaner.types import Document
    from cleaner import score as runtime
    from cleaner.clean import clear_caches

    from .conftest import FIXTURES

    cleaner = Cleaner()
    page = Document((FIXTURES / "html" / "01_public_radio_semantic.html").read_text(), "html")
    warm = cleaner.clean(page)
    assert tokens._markup_buckets.cache_info().currsize > 0  # the C scanner skips the word caches
    clear_caches()
    assert tokens._word_bucket.cache_info().currsize == 0
    assert tokens._markup_buckets.cache_info().currsize == 0
    assert cleaner.clean(page) == warm


def test_c_context_rows_equal_block_stats_and_context_matrix():
    """The optional C context rows are `context_matrix(block_stats(...))`, cell for cell, on
    real pages in both kinds, on a page of repeated shapes, and on a one-block page."""
    import numpy as np

    from cleaner.features import context as features
    from cleaner import score as runtime
    from cleaner.model import load_model
    from cleaner.segment.html import html_blocks, parse_html
    from cleaner.segment.text import text_blocks
    from cleaner.types import Block

    from .conftest import FIXTURES, SEEDS

    need_c("context")
    models, _ = load_model(None)
    pages = [("html", html_blocks(parse_html(path.read_text()))) for path in sorted(FIXTURES.glob("html/*.html"))[:6]]
    pages += [("text", text_blocks(path.read_text())) for path in sorted(SEEDS.glob("*.txt"))]
    cards = [Block(f"Card {i} title", tag="h3", path=("h3", "div", "li"), attr_words=("card",)) for i in range(5)]
    pages += [("html", cards + [Block("Card 0 title", tag="a", link_chars=12)]), ("text", [Block("Only line.")])]
    for kind, blocks in pages:
        model = models[kind]
        buckets, owners, counts = scan_blocks(blocks)
        first = model.first.proba(buckets, owners, len(blocks))
        page_types = model.page.proba(buckets)
        c_rows = features.context_features(blocks, first, page_types, counts)
        python_rows = pure(features.context_features, blocks, first, page_types, counts)
        assert c_rows.shape == python_rows.shape == (len(blocks), features.CONTEXT_WIDTH)
        assert np.array_equal(c_rows, python_rows), kind


def _fixture_and_seed_pages():
    """(kind, blocks) of four HTML fixtures and of every seed: pages to compare C and numpy on."""
    from cleaner.segment.html import html_blocks, parse_html
    from cleaner.segment.text import text_blocks

    from .conftest import FIXTURES, SEEDS

    pages = [("html", html_blocks(parse_html(p.read_text()))) for p in sorted(FIXTURES.glob("html/*.html"))[:4]]
    return pages + [("text", text_blocks(p.read_text())) for p in sorted(SEEDS.glob("*.txt"))]


def test_c_token_sums_equal_the_numpy_bincount():
    """The linear stages' per-block sums: one C pass over the tokens, or a numpy bincount
    per row; the same additions in the same order give the same sums, for every stage."""
    import numpy as np

    from cleaner import score as runtime
    from cleaner.model import load_model

    need_c("context")
    models, _ = load_model(None)
    for kind, blocks in _fixture_and_seed_pages():
        buckets, owners, _ = scan_blocks(blocks)
        for stage in (models[kind].first, models[kind].markup):
            c_sums = runtime.token_sums(stage.weights, buckets, owners, len(blocks))
            numpy_sums = pure(runtime.token_sums, stage.weights, buckets, owners, len(blocks))
            assert c_sums.shape == (len(blocks), stage.weights.shape[1])
            assert np.array_equal(c_sums, numpy_sums)
    with pytest.raises(ValueError, match="out of range"):
        runtime.token_sums(models["text"].first.weights, np.array([2**40]), np.array([0]), 1)


def test_c_page_type_decision_equals_the_dense_page_vector_product():
    """The page-type stage's decision values: from the page's distinct buckets in C, or as
    the product with the dense page vector; the same up to the order of the additions."""
    import numpy as np

    from cleaner import score as runtime
    from cleaner.features.tokens import PAGE_BUCKETS
    from cleaner.model import load_model

    need_c("context")
    models, _ = load_model(None)
    for kind, blocks in _fixture_and_seed_pages():
        stage = models[kind].page
        buckets = scan_blocks(blocks)[0]
        for tokens in (buckets, np.concatenate((buckets, buckets + PAGE_BUCKETS)), buckets[:0]):
            c_values = stage.decision(tokens)
            numpy_values = pure(stage.decision, tokens)
            assert c_values.shape == (stage.weights.shape[1],)
            np.testing.assert_allclose(c_values, numpy_values, rtol=1e-5, atol=1e-6)
        assert stage.decision(buckets).any()
    with pytest.raises(ValueError, match="negative"):
        models["text"].page.decision(np.array([-1]))


def test_one_token_table_for_both_linear_stages_scores_as_two():
    """The text model looks each token up once for its first stage and its markup guesses
    (`runtime.shared_token_table`); its scores are those of the two stages apart."""
    import dataclasses

    import numpy as np

    from cleaner.model import load_model
    from cleaner.segment.text import text_blocks

    from .conftest import SEEDS

    models, _ = load_model(None)
    shared = models["text"]
    assert shared.token_table is not None and models["html"].token_table is None
    apart = dataclasses.replace(shared, token_table=None)
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = text_blocks(path.read_text())
        assert np.array_equal(shared.predict_proba(blocks, "https://example.org/news/a"), apart.predict_proba(blocks, "https://example.org/news/a"))
