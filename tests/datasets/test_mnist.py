"""kerasish.datasets.mnist against Keras's loader, on a small mnist.npz in Keras's format."""

import numpy as np
import pytest

from kerasish.datasets import mnist
from tests.datasets.conftest import accept


def write_mnist(path, n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, n_train, dtype=np.uint8),
             x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, n_test, dtype=np.uint8))


def assert_same(ours, theirs):
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1])):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def test_mnist_matches_keras_from_the_cache_and_a_path(keras_cache, monkeypatch):
    import keras

    write_mnist(keras_cache / "mnist.npz")
    accept(monkeypatch, mnist, keras_cache / "mnist.npz")
    assert_same(mnist.load_data(), keras.datasets.mnist.load_data())
    (keras_cache / "other").mkdir()
    write_mnist(keras_cache / "other" / "mine.npz", n_train=3)
    assert mnist.load_data(str(keras_cache / "other" / "mine.npz"))[0][0].shape == (3, 28, 28)


def test_mnist_missing_or_foreign_file(keras_cache):
    with pytest.raises(FileNotFoundError, match=r"'mnist.npz' is not in the cache: expected the file "
                                                r".*/datasets/mnist\.npz\. kerasish never downloads: fetch "
                                                r"https://storage\.googleapis\.com/tensorflow/tf-keras-datasets/"
                                                r"mnist\.npz by hand"):
        mnist.load_data()
    write_mnist(keras_cache / "mnist.npz")
    with pytest.raises(ValueError, match=r"mnist\.npz does not match its expected sha256 hash: expected "
                                         r"731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"):
        mnist.load_data()
    with pytest.raises(TypeError, match=r"`path` must be a file name \(in Keras's cache\) or a path, received 3"):
        mnist.load_data(3)
