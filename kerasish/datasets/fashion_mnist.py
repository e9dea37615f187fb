"""Fashion-MNIST (`keras.datasets.fashion_mnist`): 70,000 28x28 grayscale images of clothing in 10 classes.

Read from the four IDX files, plain or gzipped, in the first of these folders that holds them: `path`
when given; else Keras's cache (`$KERAS_HOME/datasets/fashion-mnist/`, by default
`~/.keras/datasets/fashion-mnist/`, where Keras keeps the `.gz` files it downloads); else the folder
Debian's `dataset-fashion-mnist` package installs, `/usr/share/datasets/fashion-mnist/`. Never downloads.
"""

from __future__ import annotations

import os
from pathlib import Path

from kerasish.datasets.cache import KERAS_DATASETS_URL
from kerasish.datasets.idx import read_idx
from kerasish.utils.file_utils import keras_home

__all__ = ["CLASS_NAMES", "DEFAULT_PATH", "FILES", "load_data"]

#: Where Debian's `dataset-fashion-mnist` package installs the files.
DEFAULT_PATH = Path("/usr/share/datasets/fashion-mnist")
#: The four files, each found plain or with a `.gz` suffix (Keras caches the `.gz` ones).
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
#: The name of each label 0-9.
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")


def _found(folder: Path) -> dict[str, Path]:
    found = {}
    for name in FILES:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                found[name] = candidate
                break
    return found


def load_data(path: str | os.PathLike | None = None):
    """Loads Fashion-MNIST from its four IDX files, as `keras.datasets.fashion_mnist.load_data`.

    Args:
      path: a folder holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
        and `t10k-labels-idx1-ubyte` (each plain or `.gz`); when None, Keras's cache folder, then
        `DEFAULT_PATH` (Keras's `load_data` takes no argument: it always reads its cache).

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` uint8 arrays `(n, 28, 28)` (0-255), `y_*` uint8 arrays
      `(n,)` (0-9, see `CLASS_NAMES`); n is 60,000 and 10,000 for the real data set.

    Raises:
      TypeError: if `path` is not None, a string or a path.
      FileNotFoundError: when no folder holds the four files; the message says where it looked, and where
        to get them.
      ValueError: for a truncated or corrupt file, a wrong magic number, image and label counts that
        differ, or a label above 9. The message names the file.

    Example:
      >>> import tempfile
      >>> import numpy as np
      >>> from kerasish.datasets import write_idx
      >>> folder = tempfile.mkdtemp()
      >>> for split, n in [("train", 3), ("t10k", 2)]:
      ...     write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), np.zeros((n, 28, 28), np.uint8))
      ...     write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte"), np.arange(n, dtype=np.uint8))
      >>> (x_train, y_train), (x_test, y_test) = load_data(path=folder)
      >>> x_train.shape, x_train.dtype, y_test.tolist()
      ((3, 28, 28), dtype('uint8'), [0, 1])
      >>> CLASS_NAMES[9]
      'Ankle boot'
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"Argument `path` must be None, a string or an os.PathLike folder, but received {path!r} of "
                        f"type {type(path).__name__}.")
    keras_cache = Path(keras_home()) / "datasets" / "fashion-mnist"
    how_to_get = (f"kerasish never downloads: put the four files Keras downloads ({KERAS_DATASETS_URL}<name>.gz for "
                  f"each name) in {str(keras_cache)!r}, install them with `apt-get install dataset-fashion-mnist` "
                  f"(Debian/Ubuntu: {str(DEFAULT_PATH)!r}), or pass path=... naming a folder that holds them.")
    if path is not None and not Path(path).is_dir():
        raise FileNotFoundError(f"Fashion-MNIST: looked for its IDX files in {str(path)!r}, which is not a folder. "
                                f"{how_to_get}")
    folders = [Path(path)] if path is not None else [keras_cache, DEFAULT_PATH]
    found: dict[str, Path] = {}
    for folder in folders:
        found = _found(folder)
        if len(found) == len(FILES):
            break
    else:
        where = " or ".join(repr(str(folder)) for folder in folders)
        missing = [name for name in FILES if name not in found] if path is not None else list(FILES)
        raise FileNotFoundError(f"Fashion-MNIST: found no {', '.join(missing)} (plain or .gz) in {where}. {how_to_get}")
    splits = []
    for prefix in ("train", "t10k"):
        images_file, labels_file = found[f"{prefix}-images-idx3-ubyte"], found[f"{prefix}-labels-idx1-ubyte"]
        images = read_idx(images_file, expected_magic=2051)
        labels = read_idx(labels_file, expected_magic=2049)
        if len(images) != len(labels):
            raise ValueError(f"Fashion-MNIST: {str(images_file)!r} holds {len(images)} images but {str(labels_file)!r} "
                             f"holds {len(labels)} labels; the two files of a split must hold the same count.")
        if labels.size and int(labels.max()) > 9:
            raise ValueError(f"Fashion-MNIST: {str(labels_file)!r} holds label {int(labels.max())}; labels must be "
                             f"0-9.")
        splits.append((images, labels))
    return splits[0], splits[1]
