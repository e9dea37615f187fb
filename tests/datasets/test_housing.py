"""kerasish.datasets.boston_housing and california_housing against Keras's loaders (the same shuffled split)."""

import numpy as np
import pytest

from kerasish.datasets import boston_housing, california_housing
from tests.datasets.conftest import accept


def assert_same(ours, theirs):
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1])):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.35, "seed": 4}, {"test_split": 0.0}])
def test_boston_housing_matches_keras(keras_cache, monkeypatch, kwargs):
    import keras

    rng = np.random.default_rng(1)
    np.savez(keras_cache / "boston_housing.npz", x=rng.normal(size=(23, 13)), y=rng.normal(size=23))
    accept(monkeypatch, boston_housing, keras_cache / "boston_housing.npz")
    assert_same(boston_housing.load_data(**kwargs), keras.datasets.boston_housing.load_data(**kwargs))


@pytest.mark.parametrize("kwargs", [{}, {"version": "small"}, {"version": "small", "test_split": 0.5, "seed": 0}])
def test_california_housing_matches_keras(keras_cache, monkeypatch, kwargs):
    import keras

    rng = np.random.default_rng(2)
    np.savez(keras_cache / "california_housing.npz", x=rng.normal(size=(640, 8)).astype("float32"),
             y=rng.uniform(1e4, 5e5, 640).astype("float32"))
    accept(monkeypatch, california_housing, keras_cache / "california_housing.npz")
    assert_same(california_housing.load_data(**kwargs), keras.datasets.california_housing.load_data(**kwargs))


def test_errors(keras_cache):
    with pytest.raises(ValueError, match=r"Invalid `test_split` argument: 1\. It must be between 0 and 1"):
        boston_housing.load_data(test_split=1)
    with pytest.raises(ValueError, match=r"`version` must be one of 'small', 'large'. Received: version='medium'"):
        california_housing.load_data(version="medium")
    with pytest.raises(FileNotFoundError, match=r"expected the file .*california_housing\.npz.*fetch "
                                                r"https://storage\.googleapis\.com/.*california_housing\.npz"):
        california_housing.load_data()
