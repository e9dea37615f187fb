"""Where a data set's file is: Keras's cache (`KERAS_HOME` or `~/.keras`, folder `datasets`), or a given path."""

from __future__ import annotations

import os
from typing import Any

from kerasish.utils.file_utils import get_file

__all__ = ["KERAS_DATASETS_URL", "cached_file"]

#: Where Keras downloads most of its data sets from (the file name is appended).
KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def cached_file(path: Any, origin: str, file_hash: str | None = None, **kwargs: Any) -> str:
    """The path of a data set file: `path` under Keras's cache (checked against Keras's `file_hash`), or
    `path` itself when it is a path (then read as it is: it may be the user's own copy).

    Raises:
      TypeError: for a `path` that is not a string or a path.
      FileNotFoundError: when the file is missing (the message names where to put it and the URL).
      ValueError: for a cached file that is not Keras's (another hash: an incomplete download).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"Argument `path` must be a file name (in Keras's cache) or a path, received {path!r} of type "
                        f"{type(path).__name__}.")
    path = os.fspath(path)
    is_path = os.sep in path or bool(os.altsep and os.altsep in path)
    return get_file(path, origin=origin, file_hash=None if is_path else file_hash, **kwargs)
