"""Boston housing prices (`keras.datasets.boston_housing`): 506 samples of 13 features, from Keras's file."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasish.datasets.cache import KERAS_DATASETS_URL, cached_file

__all__ = ["FILE_HASH", "ORIGIN", "check_test_split", "load_data", "shuffle_and_split"]

ORIGIN = f"{KERAS_DATASETS_URL}boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"  # sha256 of Keras's file


def check_test_split(test_split: Any) -> float:
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float, np.floating)) \
            or not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split!r}. It must be between 0 and 1 (exclusive of "
                         f"1).")
    return float(test_split)


def shuffle_and_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: Any):
    """Keras's split of the regression sets: shuffled by `RandomState(seed)`, the last `test_split` for testing."""
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def load_data(path: Any = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Loads the Boston housing data from the file Keras caches, as `keras.datasets.boston_housing.load_data`.

    The file is `boston_housing.npz` in Keras's cache folder (`$KERAS_HOME/datasets/`, by default
    `~/.keras/datasets/`), checked against Keras's sha256; a `path` with a folder names the file itself.
    Never downloads.

    Args:
      path: the file's name in the cache, or a path to it.
      test_split: the fraction of samples held out for testing, in [0, 1).
      seed: the seed of the shuffle before the split.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` float64 `(n, 13)`, `y_*` float64 `(n,)` (prices in
      thousands of dollars); the test part is the last `test_split` of the shuffled samples.

    Raises:
      ValueError: for a `test_split` outside [0, 1), or a cached file whose hash is not Keras's.
      FileNotFoundError: when the file is missing.

    Example:
      >>> import os, tempfile
      >>> path = os.path.join(tempfile.mkdtemp(), "boston_housing.npz")
      >>> np.savez(path, x=np.random.rand(10, 13), y=np.random.rand(10))
      >>> (x_train, y_train), (x_test, y_test) = load_data(path, test_split=0.2)
      >>> x_train.shape, x_test.shape
      ((8, 13), (2, 13))
    """
    test_split = check_test_split(test_split)
    with np.load(cached_file(path, ORIGIN, FILE_HASH), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffle_and_split(x, y, test_split, seed)
