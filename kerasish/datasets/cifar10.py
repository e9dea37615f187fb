"""CIFAR-10 (`keras.datasets.cifar10`): 60,000 32x32 colour images in 10 classes, from Keras's cached batches."""

from __future__ import annotations

import os

import numpy as np

from kerasish.datasets.cifar import batches_folder, load_batch, to_image_data_format

__all__ = ["CLASS_NAMES", "FILE_HASH", "ORIGIN", "load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"  # sha256 of the archive
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data(path: str | os.PathLike | None = None):
    """Loads CIFAR-10 from the batches Keras caches, as `keras.datasets.cifar10.load_data`; never downloads.

    Keras 3 keeps the downloaded archive as `$KERAS_HOME/datasets/cifar-10-batches-py-target_archive`
    (by default under `~/.keras`) and extracts it into `.../cifar-10-batches-py-target/`; earlier versions
    left `.../datasets/cifar-10-batches-py/`. Any of these is read (an archive is checked against Keras's
    sha256 and extracted). The batches are pickles: they are read with a restricted unpickler that only
    rebuilds NumPy arrays and Python values, so a tampered file cannot run code.

    Args:
      path: instead of Keras's cache, the downloaded `cifar-10-python.tar.gz`, or a folder holding
        `data_batch_1` ... `data_batch_5` and `test_batch` (or their folder `cifar-10-batches-py`). Keras's
        `load_data` takes no argument.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` uint8 `(n, 32, 32, 3)` (`(n, 3, 32, 32)` when
      `kerasish.backend.image_data_format()` is channels-first), `y_*` uint8 `(n, 1)` (0-9, see
      `CLASS_NAMES`); n is 50,000 and 10,000 for the real data set.

    Raises:
      FileNotFoundError: when the files are missing (the message names where to put them and the URL).
      ValueError: for an archive whose hash is not Keras's, or a batch that is not CIFAR's.
    """
    folder = batches_folder(path, "cifar-10-batches-py-target", "cifar-10-batches-py", "test_batch", ORIGIN,
                            FILE_HASH)
    parts = [load_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    x_train = np.concatenate([data for data, _ in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(labels) for _, labels in parts]).astype("uint8").reshape(-1, 1)
    x_test, y_test = load_batch(folder / "test_batch")
    x_test = np.asarray(x_test).astype(x_train.dtype)
    y_test = np.reshape(y_test, (len(y_test), 1)).astype(y_train.dtype)
    return (to_image_data_format(x_train), y_train), (to_image_data_format(x_test), y_test)
