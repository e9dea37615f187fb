"""Keras's `text_dataset_from_directory`, giving a `kerasish.data.Dataset` of NumPy batches of strings."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import kerasish.utils.dataset_utils as dataset_utils
from kerasish.data.dataset import Dataset

__all__ = ["text_dataset_from_directory"]


def _read_text(path: str, max_length: int | None) -> str:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text if max_length is None else text[:max_length]


def text_dataset_from_directory(directory: str | os.PathLike, labels: Any = "inferred",
                                label_mode: str | None = "int", class_names: list[str] | None = None,
                                batch_size: int | None = 32, max_length: int | None = None, shuffle: bool = True,
                                seed: int | None = None, validation_split: float | None = None,
                                subset: str | None = None, follow_links: bool = False, format: str = "tf",
                                verbose: bool = True) -> Dataset | list[Dataset]:
    """A dataset of texts (and labels) from a folder of class sub-folders of `.txt` files, as Keras's function.

    The files, their order, labels and `class_names` are Keras's (see `image_dataset_from_directory` for
    the folder layout, the shuffles and `format`). Each file is read as UTF-8 text and cut to `max_length`
    characters; a batch of texts is a NumPy array of dtype object holding Python strings (Keras yields
    TensorFlow byte strings with `format="tf"`, lists of Python strings with `format="grain"`).

    Args:
      directory: the folder.
      labels: `"inferred"`, None (texts only), or a list / tuple of int labels in the sorted order of the paths.
      label_mode: `"int"`, `"categorical"`, `"binary"` (exactly 2 classes) or None.
      class_names: the sub-folders to use, in this order (only with `labels="inferred"`).
      batch_size: texts per batch; None yields single texts.
      max_length: keep at most this many characters of each text.
      shuffle: shuffle the texts.
      seed: the seed of the shuffles.
      validation_split: the fraction held out for validation.
      subset: `"training"`, `"validation"` or `"both"` (a list `[train, validation]`).
      follow_links: visit sub-folders that are symbolic links.
      format: `"tf"` or `"grain"` (both give a `kerasish.data.Dataset`; `"grain"` keeps one shuffled order).
      verbose: print the numbers of files and classes found.

    Returns:
      A `kerasish.data.Dataset` yielding `(texts, labels)` (or `texts`): texts an object array `(batch,)`,
      labels int32 `(batch,)`, float32 `(batch, 1)` (binary) or float32 `(batch, num_classes)`. It has
      `class_names`. With `subset="both"`, a list of two.

    Raises:
      ValueError: for invalid arguments (with Keras's messages), or no text file found.
      FileNotFoundError: for a `directory` that is not a folder.

    Example:
      >>> import tempfile
      >>> root = tempfile.mkdtemp()
      >>> for name, text in (("neg", "dull"), ("pos", "great fun")):
      ...     os.mkdir(os.path.join(root, name))
      ...     with open(os.path.join(root, name, "review.txt"), "w") as f:
      ...         _ = f.write(text)
      >>> ds = text_dataset_from_directory(root, shuffle=False, verbose=False)
      >>> texts, labels = next(iter(ds))
      >>> texts.tolist(), labels.tolist(), ds.class_names
      (['dull', 'great fun'], [0, 1], ['neg', 'pos'])
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             f"number of text files in the target directory. If you wish to infer the labels from "
                             f'the subdirectory names in the target directory, pass `labels="inferred"`. If you wish '
                             f"to get a dataset that only contains text samples (no labels), pass `labels=None`. "
                             f"Received: labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, '
                             f"and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. Received: '
                         f"label_mode={label_mode}")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 0):
        raise ValueError(f"Argument `max_length` must be None or an int >= 0, received {max_length!r}.")
    if labels is None or label_mode is None:
        labels = label_mode = None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    directory = os.fspath(directory)
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=(".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={class_names}")

    def make(subset_name: str | None, shuffled: bool) -> Dataset:
        part_paths, part_labels = dataset_utils.get_training_or_validation_split(paths, labels, validation_split,
                                                                                 subset_name)
        if not part_paths:
            which = {"training": "training ", "validation": "validation "}.get(subset_name or "", "")
            raise ValueError(f"No {which}text files found in directory {directory}. Allowed format: .txt")
        dataset = dataset_utils.paths_and_labels_to_dataset(
            part_paths, part_labels, label_mode, len(class_names or ()), lambda path: _read_text(path, max_length),
            shuffled, seed, batch_size, reshuffle_each_iteration=format == "tf")
        dataset.class_names = class_names
        return dataset

    if subset == "both":
        return [make("training", shuffle), make("validation", False)]
    return make(subset, shuffle)
