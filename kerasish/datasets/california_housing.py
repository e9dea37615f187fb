"""California housing prices (`keras.datasets.california_housing`): 20,640 samples of 8 features."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasish.datasets.boston_housing import check_test_split, shuffle_and_split
from kerasish.datasets.cache import KERAS_DATASETS_URL, cached_file

__all__ = ["FILE_HASH", "ORIGIN", "load_data"]

ORIGIN = f"{KERAS_DATASETS_URL}california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"  # sha256 of Keras's file


def load_data(version: str = "large", path: Any = "california_housing.npz", test_split: float = 0.2,
              seed: int = 113):
    """Loads the California housing data from the file Keras caches, as Keras's `load_data`.

    The file is `california_housing.npz` in Keras's cache folder (`$KERAS_HOME/datasets/`, by default
    `~/.keras/datasets/`), checked against Keras's sha256; a `path` with a folder names the file itself.
    Never downloads. Features: median income, house age, average rooms, average bedrooms, population,
    average occupancy, latitude, longitude; target: the median house value in dollars.

    Args:
      version: `"large"` (all samples) or `"small"` (the first 600, a stand-in for Boston housing).
      path: the file's name in the cache, or a path to it.
      test_split: the fraction of samples held out for testing, in [0, 1).
      seed: the seed of the shuffle before the split.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` `(n, 8)` and `y_*` `(n,)`, of the file's dtypes.

    Raises:
      ValueError: for an unknown `version`, a `test_split` outside [0, 1), or a cached file whose hash is
        not Keras's.
      FileNotFoundError: when the file is missing.

    Example:
      >>> import os, tempfile
      >>> path = os.path.join(tempfile.mkdtemp(), "california_housing.npz")
      >>> np.savez(path, x=np.random.rand(700, 8).astype("float32"), y=np.random.rand(700).astype("float32"))
      >>> (x_train, y_train), (x_test, y_test) = load_data("small", path=path)
      >>> x_train.shape, x_test.shape, y_train.dtype
      ((480, 8), (120, 8), dtype('float32'))
    """
    if version not in ("small", "large"):
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version!r}")
    test_split = check_test_split(test_split)
    with np.load(cached_file(path, ORIGIN, FILE_HASH), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_and_split(x, y, test_split, seed)
