"""MNIST (`keras.datasets.mnist`): 70,000 28x28 grayscale images of the digits 0-9, from Keras's `mnist.npz`."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasish.datasets.cache import KERAS_DATASETS_URL, cached_file

__all__ = ["FILE_HASH", "ORIGIN", "load_data"]

ORIGIN = f"{KERAS_DATASETS_URL}mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # sha256 of Keras's file


def load_data(path: Any = "mnist.npz") -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads MNIST from the file Keras caches, as `keras.datasets.mnist.load_data`; never downloads.

    The file is `mnist.npz` in Keras's cache folder (`$KERAS_HOME/datasets/`, by default
    `~/.keras/datasets/`), checked against Keras's sha256; a `path` with a folder in it names the file
    directly (read as it is). To get it without Keras: `curl -L -o ~/.keras/datasets/mnist.npz
    https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz`.

    Args:
      path: the file's name in the cache, or a path to it.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` uint8 arrays `(n, 28, 28)` (0-255), `y_*` uint8
      arrays `(n,)` (0-9); n is 60,000 and 10,000 for the real file.

    Raises:
      FileNotFoundError: when the file is missing (the message names where to put it and the URL).
      ValueError: for a cached file whose hash is not Keras's.

    Example:
      >>> import os, tempfile
      >>> path = os.path.join(tempfile.mkdtemp(), "mnist.npz")
      >>> np.savez(path, x_train=np.zeros((3, 28, 28), "uint8"), y_train=np.arange(3, dtype="uint8"),
      ...          x_test=np.zeros((2, 28, 28), "uint8"), y_test=np.arange(2, dtype="uint8"))
      >>> (x_train, y_train), (x_test, y_test) = load_data(path)
      >>> x_train.shape, x_train.dtype, y_test.tolist()
      ((3, 28, 28), dtype('uint8'), [0, 1])
    """
    with np.load(cached_file(path, ORIGIN, FILE_HASH), allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
