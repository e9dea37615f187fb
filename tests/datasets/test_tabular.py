"""Tests for kerasish.datasets.tabular: the splits of the data sets bundled with scikit-learn."""

import re

import numpy as np
import pytest
import sklearn.datasets

from kerasish.datasets import load_breast_cancer, load_digits, load_iris, load_wine

# loader, samples, features, classes
TABULAR = [
    (load_iris, 150, 4, 3),
    (load_breast_cancer, 569, 30, 2),
    (load_wine, 178, 13, 3),
]
TABULAR_IDS = ["iris", "breast_cancer", "wine"]
ALL_LOADERS = [load_digits, load_iris, load_breast_cancer, load_wine]


# ---------------------------------------------------------------------------------------------------------
# sklearn-backed loaders
# ---------------------------------------------------------------------------------------------------------


def test_digits_shapes_dtypes_and_range():
    (x_train, y_train), (x_test, y_test) = load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert sorted(np.unique(y_train)) == list(range(10)) == sorted(np.unique(y_test))


def test_digits_unnormalized_and_unflattened():
    (x_train, _), (x_test, _) = load_digits(normalize=False, flatten=False)
    assert x_train.shape == (1437, 8, 8, 1) and x_test.shape == (360, 8, 8, 1)
    assert x_train.dtype == np.float32
    assert x_train.max() == 16.0
    # Normalizing only rescales: the same seed gives the same samples, divided by 16.
    (x_norm, _), _ = load_digits(normalize=True, flatten=False)
    np.testing.assert_array_equal(x_norm, x_train / 16.0)


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=["digits", *TABULAR_IDS])
def test_same_seed_same_split_other_seed_other_split(loader):
    (a_x, a_y), (a_xt, a_yt) = loader(seed=3)
    (b_x, b_y), (b_xt, b_yt) = loader(seed=3)
    for a, b in [(a_x, b_x), (a_y, b_y), (a_xt, b_xt), (a_yt, b_yt)]:
        np.testing.assert_array_equal(a, b)
    (c_x, _), _ = loader(seed=4)
    assert not np.array_equal(a_x, c_x)


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=["digits", *TABULAR_IDS])
@pytest.mark.parametrize("test_size", [0.2, 0.5])
def test_split_is_stratified_and_disjoint(loader, test_size):
    kwargs = {"normalize": False} if loader is load_digits else {"standardize": False}
    (x_train, y_train), (x_test, y_test) = loader(test_size=test_size, seed=0, **kwargs)
    y_all = np.concatenate([y_train, y_test])
    n = len(y_all)
    assert len(y_test) == int(np.ceil(test_size * n))
    for label, total in zip(*np.unique(y_all, return_counts=True), strict=True):
        # Each class keeps its share of the test split, up to rounding.
        assert abs(np.sum(y_test == label) - test_size * total) <= 1
    # The two splits together hold every sample exactly once (as a multiset: iris has a duplicate row).
    original = getattr(sklearn.datasets, loader.__name__)().data.astype(np.float32)
    both = np.concatenate([x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, original.tolist()))


@pytest.mark.parametrize(("loader", "n", "d", "k"), TABULAR, ids=TABULAR_IDS)
def test_tabular_shapes_dtypes_and_labels(loader, n, d, k):
    (x_train, y_train), (x_test, y_test) = loader()
    n_test = int(np.ceil(0.2 * n))
    assert x_train.shape == (n - n_test, d) and x_test.shape == (n_test, d)
    assert x_train.dtype == x_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int32
    assert set(np.unique(y_train)) == set(np.unique(y_test)) == set(range(k))


def test_breast_cancer_labels_are_binary():
    (_, y_train), (_, y_test) = load_breast_cancer()
    assert set(np.unique(np.concatenate([y_train, y_test])).tolist()) == {0, 1}


@pytest.mark.parametrize(("loader", "n", "d", "k"), TABULAR, ids=TABULAR_IDS)
def test_standardize_uses_train_statistics(loader, n, d, k):
    (raw_train, _), (raw_test, _) = loader(seed=1, standardize=False)
    (x_train, _), (x_test, _) = loader(seed=1, standardize=True)
    np.testing.assert_allclose(x_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(x_train.std(axis=0), 1.0, atol=1e-4)
    # The test split is scaled with the TRAIN mean and std, so its own mean is not exactly 0.
    mean = raw_train.astype(np.float64).mean(axis=0)
    std = raw_train.astype(np.float64).std(axis=0)
    np.testing.assert_allclose(x_test, (raw_test - mean) / std, rtol=1e-5, atol=1e-5)
    assert np.abs(x_test.mean(axis=0)).max() > 1e-3


@pytest.mark.parametrize("loader", ALL_LOADERS, ids=["digits", *TABULAR_IDS])
@pytest.mark.parametrize("test_size", [0, 0.0, 1, 1.0, -0.1, 1.5, float("nan")])
def test_test_size_out_of_range(loader, test_size):
    with pytest.raises(ValueError, match=r"`test_size` must be strictly between 0 and 1.*test_size="):
        loader(test_size=test_size)


@pytest.mark.parametrize("test_size", ["0.2", None, True, [0.2]])
def test_test_size_wrong_type(test_size):
    with pytest.raises(
        TypeError, match=re.escape("`test_size` must be a float") + ".*" + re.escape(repr(test_size))
    ):
        load_iris(test_size=test_size)


def test_test_size_too_small_for_stratification():
    # ceil(0.001 * 150) = 1 test sample for 3 classes.
    with pytest.raises(ValueError, match=r"`test_size`=0\.001 cannot split iris \(150 samples, 3 classes\)"):
        load_iris(test_size=0.001)


@pytest.mark.parametrize("seed", [1.5, "0", None, True])
def test_seed_wrong_type(seed):
    with pytest.raises(TypeError, match=r"`seed` must be an integer.*" + re.escape(repr(seed))):
        load_wine(seed=seed)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seed_out_of_range(seed):
    with pytest.raises(ValueError, match=rf"`seed` must be an integer in \[0, 2\*\*32 - 1\].*seed={seed}"):
        load_digits(seed=seed)


def test_numpy_integer_seed_is_accepted():
    (a, _), _ = load_iris(seed=np.int64(2))
    (b, _), _ = load_iris(seed=2)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("loader", "kwargs"),
    [
        (load_digits, {"normalize": "yes"}),
        (load_digits, {"flatten": 1}),
        (load_iris, {"standardize": None}),
    ],
)
def test_flags_must_be_bool(loader, kwargs):
    ((name, value),) = kwargs.items()
    with pytest.raises(TypeError, match=rf"`{name}` must be True or False.*{re.escape(repr(value))}"):
        loader(**kwargs)
