"""The page-order network (`cleaner/sequence.py`): its gradients are right, it learns what a
block's neighbours say, it never reads across a page's edge, and it survives the export."""

import numpy as np
import pytest

from cleaner.model import load_sequence
from cleaner.score import body_proba
from cleaner.sequence import SEQUENCE_SHARE, SequenceStage
from cleaner.training.export import sequence_arrays


def _toy_model(rng, columns=5, channels=4, dilations=(1, 2)):
    X = rng.standard_normal((23, columns))
    model = SequenceStage.initial(X.mean(0), X.std(0), channels, dilations, rng, dtype=np.float64)
    model.w_out = rng.standard_normal(model.w_out.shape) * 0.5  # zero at first: no gradient would flow
    model.b_in += 0.1
    model.conv_b += 0.1
    return model, X


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    model, X = _toy_model(rng)
    y = (rng.random(len(X)) > 0.5).astype(float)
    w = rng.random(len(X)) + 0.5
    pages = np.repeat([0, 1, 2], [7, 10, 6])
    _, grads = model.gradients(X, y, w, pages)
    step = 1e-6
    for name in SequenceStage.PARAMS:
        values = getattr(model, name)
        for index in np.ndindex(values.shape):
            old = values[index]
            values[index] = old + step
            up, _ = model.gradients(X, y, w, pages)
            values[index] = old - step
            down, _ = model.gradients(X, y, w, pages)
            values[index] = old
            assert grads[name][index] == pytest.approx((up - down) / (2 * step), abs=1e-7), name


def test_pages_do_not_see_each_other():
    """Changing one page's rows leaves the other pages' scores as they were."""
    rng = np.random.default_rng(1)
    model, X = _toy_model(rng)
    pages = np.repeat([0, 1, 2], [7, 10, 6])
    before = model.logits(X, pages)
    changed = X.copy()
    changed[7:17] = rng.standard_normal((10, X.shape[1]))
    after = model.logits(changed, pages)
    assert np.allclose(before[:7], after[:7]) and np.allclose(before[17:], after[17:])
    assert not np.allclose(before[7:17], after[7:17])
    alone = model.logits(X[:7])
    assert np.allclose(alone, before[:7])


def _pages_where_neighbours_decide(rng, n_pages):
    """A block is body when the block three before it has a high first column: nothing in
    its own row tells, so a model that cannot read its neighbours scores at chance."""
    pages, labels = [], []
    for _ in range(n_pages):
        rows = rng.standard_normal((int(rng.integers(20, 60)), 3)).astype(np.float32)
        label = np.zeros(len(rows), dtype=np.int64)
        label[3:] = rows[:-3, 0] > 0
        pages.append(rows)
        labels.append(label)
    return pages, labels


def test_learns_from_neighbours():
    rng = np.random.default_rng(2)
    pages, labels = _pages_where_neighbours_decide(rng, 120)
    weights = [np.ones(len(rows)) for rows in pages]
    model = SequenceStage.fit(
        pages, labels, weights, seed=3, channels=16, dilations=(1, 2), epochs=30, rows_per_batch=500
    )
    test_pages, test_labels = _pages_where_neighbours_decide(rng, 30)
    hits = [(model.logits(rows)[3:] > 0) == (label[3:] == 1) for rows, label in zip(test_pages, test_labels)]
    assert np.concatenate(hits).mean() > 0.9


def test_export_round_trip_scores_alike():
    rng = np.random.default_rng(4)
    model, X = _toy_model(rng)
    model = SequenceStage(
        **{
            name: getattr(model, name).astype(np.float32) for name in ("mean", "scale") + SequenceStage.PARAMS
        },
        dilations=model.dilations,
    )
    loaded = load_sequence(sequence_arrays("html", model), "html")
    assert loaded.dilations == model.dilations
    assert np.array_equal(loaded.logits(X), model.logits(X))
    assert load_sequence({}, "html") is None


def test_body_proba_averages_log_odds():
    rng = np.random.default_rng(5)
    model, X = _toy_model(rng)
    trees = rng.standard_normal(len(X))
    alone = body_proba(trees, None, X)
    assert np.allclose(alone, 1 / (1 + np.exp(-trees)))
    mixed = body_proba(trees, model, X)
    expected = 1 / (1 + np.exp(-((1 - SEQUENCE_SHARE) * trees + SEQUENCE_SHARE * model.logits(X))))
    assert np.allclose(mixed, expected)
