"""CIFAR's python batches: pickles of a dict of arrays, read without running code (`npz_utils`), and where
Keras keeps them (`cifar10` and `cifar100` share this)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from kerasish import backend
from kerasish.datasets.npz_utils import load_pickle
from kerasish.utils.file_utils import get_file, keras_home

__all__ = ["batches_folder", "load_batch", "to_image_data_format"]


def load_batch(fpath: str | os.PathLike, label_key: str = "labels") -> tuple[np.ndarray, Any]:
    """Reads one CIFAR batch file: `(data, labels)` with data uint8 `(n, 3, 32, 32)`, labels as stored (a list).

    Args:
      fpath: the batch file (a pickle of a dict with `data` `(n, 3072)` and `label_key` entries).
      label_key: `"labels"` (CIFAR-10), `"fine_labels"` or `"coarse_labels"` (CIFAR-100).

    Raises:
      pickle.UnpicklingError: for a pickle naming anything but NumPy arrays and Python values.
      ValueError: for a file without `data` or `label_key`.
    """
    with open(fpath, "rb") as f:
        content = load_pickle(f, encoding="bytes")
    if not isinstance(content, dict):
        raise ValueError(f"CIFAR batch {os.fspath(fpath)!r} holds a {type(content).__name__}, not a dict.")
    content = {key.decode("utf8") if isinstance(key, bytes) else key: value for key, value in content.items()}
    for key in ("data", label_key):
        if key not in content:
            raise ValueError(f"CIFAR batch {os.fspath(fpath)!r} has no {key!r} entry (it has {sorted(content)}).")
    data = np.asarray(content["data"])
    return data.reshape(data.shape[0], 3, 32, 32), content[label_key]


def to_image_data_format(images: np.ndarray) -> np.ndarray:
    """`(n, 3, 32, 32)` batches as `(n, 32, 32, 3)` when `backend.image_data_format()` is channels-last."""
    return images.transpose(0, 2, 3, 1) if backend.image_data_format() == "channels_last" else images


def batches_folder(path: Any, dirname: str, inner: str, probe: str, origin: str, file_hash: str) -> Path:
    """The folder holding a CIFAR data set's batch files (`inner`, e.g. `cifar-10-batches-py`).

    `path` (a folder holding `inner` or the batch files, or the downloaded `.tar.gz`) when given; else
    Keras's cache: the archive Keras 3 keeps as `<dirname>_archive`, extracted into `<dirname>/`, or the
    folder `datasets/<inner>` that earlier Keras versions extracted. `probe` is a file that must be there.
    """
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Argument `path` must be None, a folder or the downloaded archive, received {path!r}.")
        given = Path(path)
        if given.is_file():
            root = Path(get_file(os.fspath(given.resolve()), origin=origin, extract=True))
        elif given.is_dir():
            root = given
        else:
            raise FileNotFoundError(f"Argument `path`={os.fspath(path)!r} is neither a folder nor a file. Fetch "
                                    f"{origin} by hand and pass the archive, or the folder it extracts to.")
        for folder in (root / inner, root):
            if (folder / probe).is_file():
                return folder
        raise FileNotFoundError(f"{os.fspath(root)!r} holds no {inner}/{probe} (nor {probe}): it is not the "
                                f"extracted {origin}.")
    legacy = Path(keras_home()) / "datasets" / inner
    try:
        root = Path(get_file(dirname, origin=origin, extract=True, file_hash=file_hash))
    except FileNotFoundError as err:
        if (legacy / probe).is_file():
            return legacy
        raise FileNotFoundError(f"{err} (An extracted folder {str(legacy)!r}, as earlier Keras versions left it, is "
                                f"read too.)") from None
    if not (root / inner / probe).is_file():
        raise FileNotFoundError(f"{os.fspath(root)!r} holds no {inner}/{probe}: it is not the extracted {origin}.")
    return root / inner
