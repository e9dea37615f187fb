"""CIFAR-100 (`keras.datasets.cifar100`): 60,000 32x32 colour images in 100 classes (20 superclasses)."""

from __future__ import annotations

import os

import numpy as np

from kerasish.datasets.cifar import batches_folder, load_batch, to_image_data_format

__all__ = ["FILE_HASH", "ORIGIN", "load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"  # sha256 of the archive


def load_data(label_mode: str = "fine", path: str | os.PathLike | None = None):
    """Loads CIFAR-100 from the files Keras caches, as `keras.datasets.cifar100.load_data`; never downloads.

    Keras 3 keeps the archive as `$KERAS_HOME/datasets/cifar-100-python-target_archive` (by default under
    `~/.keras`) and extracts it into `.../cifar-100-python-target/`; earlier versions left
    `.../datasets/cifar-100-python/`. Any of these is read; the pickles through a restricted unpickler
    (NumPy arrays and Python values only).

    Args:
      label_mode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).
      path: instead of Keras's cache, the downloaded `cifar-100-python.tar.gz`, or a folder holding
        `train` and `test` (or their folder `cifar-100-python`). Keras's `load_data` has no `path`.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` uint8 `(n, 32, 32, 3)` (channels-first if so
      configured), `y_*` int64 `(n, 1)` (as Keras returns them); n is 50,000 and 10,000 for the real data.

    Raises:
      ValueError: for another `label_mode`, an archive whose hash is not Keras's, or a file not CIFAR's.
      FileNotFoundError: when the files are missing (the message names where to put them and the URL).
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode!r}.')
    folder = batches_folder(path, "cifar-100-python-target", "cifar-100-python", "test", ORIGIN, FILE_HASH)
    splits = []
    for name in ("train", "test"):
        images, labels = load_batch(folder / name, label_key=f"{label_mode}_labels")
        splits.append((to_image_data_format(np.asarray(images)), np.reshape(labels, (len(labels), 1))))
    return splits[0], splits[1]
