"""Offline stand-ins for the datasets keras.io programs download, with the same shapes and dtypes per sample.

A program in `programs/` swaps its loading line (`keras.datasets.mnist.load_data()`, a CSV download, ...) for one of
these and changes nothing else; the sizes are small so that each program runs in seconds.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits


def mnist_load_data(n_train: int = 1000, n_test: int = 200):
    """`keras.datasets.mnist.load_data()`'s format: `((x_train, y_train), (x_test, y_test))`, images `(n, 28, 28)`
    uint8 in [0, 255] and labels `(n,)` uint8 in [0, 10). The images are scikit-learn's 8x8 digits, each pixel made
    3x3 and padded to 28x28."""
    digits = load_digits()
    images = np.kron(digits.images, np.ones((3, 3))) / 16.0 * 255.0
    images = np.pad(images, ((0, 0), (2, 2), (2, 2))).astype("uint8")
    labels = digits.target.astype("uint8")
    return (images[:n_train], labels[:n_train]), (images[n_train:n_train + n_test], labels[n_train:n_train + n_test])


def imdb_load_data(num_words: int = 20000, n: int = 200, max_length: int = 300, seed: int = 0):
    """`keras.datasets.imdb.load_data(num_words=...)`'s format: object arrays of token-id lists (ids in [1,
    num_words), the first one 1 as Keras's start mark) of varied lengths, and 0/1 labels; the labels follow the
    share of ids below `num_words // 2`, so there is something to learn."""
    rng = np.random.default_rng(seed)

    def split(count):
        lengths = rng.integers(10, max_length, count)
        sequences = [np.concatenate([[1], rng.integers(2, num_words, length - 1)]).tolist() for length in lengths]
        labels = np.array([int(np.mean(np.array(s) < num_words // 2) > 0.5) for s in sequences], "int64")
        out = np.empty(count, dtype=object)
        out[:] = sequences
        return out, labels

    return split(n), split(n // 2)


def timeseries_classification_data(n: int = 120, length: int = 500, seed: int = 0):
    """The FordA arrays of keras.io's time-series classification examples, `(x, y)` with x `(n, length)` float64 and
    labels -1 / 1: noisy sine waves whose frequency depends on the class."""
    rng = np.random.default_rng(seed)
    y = rng.choice([-1, 1], n)
    t = np.linspace(0, 1, length)
    x = np.sin(2 * np.pi * (4 + 2 * (y[:, None] > 0)) * t) + rng.normal(0, 0.3, (n, length))
    return x, y.astype("float64")
