"""The linear weights' 8-bit storage: what it keeps exactly and how far it may round."""

import numpy as np
import pytest

from cleaner import weight_codes
from cleaner.errors import ModelError
from cleaner.model import load_runtime


def _weights(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    weights = rng.laplace(scale=0.2, size=(3, 5000)) * rng.choice([0.0, 1.0], size=(3, 5000))
    weights[0, :3] = (9.5, -7.25, 1e-7)  # a few large weights and a tiny one
    return weights


def test_zeros_and_signs_are_kept():
    weights = _weights()
    decoded = weight_codes.decode(*weight_codes.encode(weights))
    assert decoded.dtype == np.float32 and decoded.shape == weights.shape
    assert np.array_equal(decoded == 0, weights == 0)
    assert np.array_equal(np.sign(decoded), np.sign(weights))


def test_rounding_error_is_bounded_per_row():
    """|error| <= (s + |w|) * (e^step - 1): about 1% of s for small weights, 2% of w for large."""
    weights = _weights()
    codes, tables = weight_codes.encode(weights)
    decoded = weight_codes.decode(codes, tables)
    for row in range(len(weights)):
        values = weights[row][weights[row] != 0]
        scale = np.median(np.abs(values))
        step = np.log1p(np.abs(values).max() / scale) / weight_codes.CODE_MAX
        bound = (scale + np.abs(weights[row])) * np.expm1(step) + 1e-6
        assert (np.abs(decoded[row] - weights[row]) <= bound).all()
    # the largest weight keeps its value up to float32 rounding
    assert decoded[0, 0] == pytest.approx(9.5, rel=1e-6)


def test_empty_and_all_zero_rows():
    codes, tables = weight_codes.encode(np.zeros((0, 10)))
    assert codes.shape == (0, 10) and tables.shape == (0, weight_codes.TABLE_WIDTH)
    assert weight_codes.decode(codes, tables).shape == (0, 10)
    weights = np.zeros((2, 10))
    weights[1, 4] = -0.5
    decoded = weight_codes.decode(*weight_codes.encode(weights))
    assert not decoded[0].any() and decoded[1, 4] == pytest.approx(-0.5)


def test_codes_and_tables_must_fit():
    codes, tables = weight_codes.encode(_weights())
    with pytest.raises(ValueError, match="do not fit"):
        weight_codes.decode(codes, tables[:2])


def test_runtime_file_in_the_old_float_layout_is_refused(tmp_path):
    path = tmp_path / "runtime.npz"
    np.savez(path, **{"text.coef": np.zeros((3, 8), dtype=np.float32), "text.intercept": np.zeros(3)})
    with pytest.raises(ModelError, match="retrain"):
        load_runtime(path)
