"""Keras's `split_dataset`, and the file indexing shared by `image_dataset_from_directory` and
`text_dataset_from_directory` (the same files, labels, class names and order as Keras's).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasish.data.dataset import Dataset, stack_elements

__all__ = ["check_validation_split_arg", "encode_labels", "get_training_or_validation_split", "index_directory",
           "paths_and_labels_to_dataset", "split_dataset"]


# ---------------------------------------------------------------------------------------------------------
# split_dataset
# ---------------------------------------------------------------------------------------------------------


def _rescale_split_sizes(left_size: Any, right_size: Any, total: int) -> tuple[int, int]:
    """The two split sizes as counts of samples, with Keras's rules and messages."""
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, Received: {name}={size!r} of "
                            f"type {type(size)}.")
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. Received: "
                         "left_size=None and right_size=None")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split sizes must be "
                         "non-zero.")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and not 0 < size < total) or (type(size) is float and not 0 < size < 1):
            raise ValueError(f"`{name}` should be either a positive integer smaller than {total}, or a float within "
                             f"the range `[0, 1]`. Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal "
                         "to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the {total}. Received: "
                         f"left_size + right_size = {left + right} and total_length = {total}")
    for side, size in (("left", left), ("right", right)):
        if size == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and `right_size`={right}. "
                             f"Resulting {side} side dataset split will be empty. Adjust any of the aforementioned "
                             f"parameters")
    return int(left), int(right)


def _as_columns(dataset: Any) -> tuple[Any, int | None]:
    """The data of `dataset` as an array or a tuple / dict of arrays of rows, and a batch size to restore."""
    if isinstance(dataset, np.ndarray):
        if dataset.ndim == 0:
            raise ValueError("Argument `dataset` of split_dataset must have samples along a first axis, received a "
                             "scalar array.")
        return dataset, None
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("Received an empty list dataset. Please provide a non-empty list/tuple of arrays.")
        for i, element in enumerate(dataset):
            if not isinstance(element, np.ndarray):
                raise ValueError(f"Expected a {type(dataset).__name__} of `numpy.ndarray` objects, Received: "
                                 f"{type(element)} at index {i}.")
            if element.shape[:1] != dataset[0].shape[:1]:
                raise ValueError(f"Received a {type(dataset).__name__} of NumPy arrays with different lengths. "
                                 f"Mismatch found at index {i}, Expected shape={dataset[0].shape} Received "
                                 f"shape={element.shape}. Please provide NumPy arrays of the same length.")
        return tuple(dataset), None
    if isinstance(dataset, Dataset):
        batch_size = dataset.batch_size
        elements = list(dataset.unbatch() if batch_size else dataset)
        if not elements:
            raise ValueError("Received an empty dataset. Argument `dataset` must be a non-empty list/tuple of "
                             "`numpy.ndarray` objects or a non-empty Dataset.")
        return stack_elements(elements), batch_size
    raise TypeError(f"The `dataset` argument must be either a `kerasish.data.Dataset` object, or a list/tuple of "
                    f"arrays (or an array). Received: dataset={dataset!r:.100} of type {type(dataset)}")


def _rows(columns: Any, index: np.ndarray) -> Any:
    if isinstance(columns, tuple):
        return tuple(_rows(column, index) for column in columns)
    if isinstance(columns, dict):
        return {key: _rows(column, index) for key, column in columns.items()}
    return columns[index]


def _length(columns: Any) -> int:
    while isinstance(columns, (tuple, dict)):
        columns = columns[0] if isinstance(columns, tuple) else next(iter(columns.values()))
    return len(columns)


def split_dataset(dataset: Any, left_size: int | float | None = None, right_size: int | float | None = None,
                  shuffle: bool = False, seed: int | None = None, preferred_backend: str | None = None
                  ) -> tuple[Dataset, Dataset]:
    """Splits a dataset into a left and a right part (e.g. train / test), as Keras's `split_dataset`.

    The sizes follow Keras's rules: a float is a fraction of the samples (rounded), an int a count, None
    the complement of the other; samples between the two parts (when the sizes add up to less) are left
    out. With `shuffle=True` the samples are shuffled first with Python's `random.Random(seed)`, giving
    the order Keras's own shuffle gives for that seed.

    Args:
      dataset: an array, a list or tuple of arrays with the same first axis, or a `kerasish.data.Dataset`
        (a batched one is split by samples and both parts batched again with its batch size).
      left_size: the left part's size (float in (0, 1), or int in (0, len)), or None.
      right_size: the right part's size, or None.
      shuffle: shuffle the samples before splitting.
      seed: the shuffle's seed (drawn from Python's global generator when None, as Keras does).
      preferred_backend: accepted for Keras's signature: the parts are always `kerasish.data.Dataset`s.

    Returns:
      `(left, right)`: two `kerasish.data.Dataset`s of samples (a tuple input gives tuple samples).

    Raises:
      TypeError: for an unsupported `dataset`, or sizes that are not int, float or None.
      ValueError: for sizes out of range, both None, or a part that would be empty.

    Example:
      >>> data = np.arange(10)
      >>> left, right = split_dataset(data, left_size=0.8)
      >>> len(left), [int(v) for v in right]
      (8, [8, 9])
    """
    if preferred_backend not in (None, "jax", "numpy", "tensorflow", "torch"):
        raise ValueError(f"Argument `preferred_backend` of split_dataset must be None or a backend name, received "
                         f"{preferred_backend!r}.")
    columns, batch_size = _as_columns(dataset)
    total = _length(columns)
    left, right = _rescale_split_sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(order)
    order = np.asarray(order, dtype=np.int64)
    parts = []
    for index in (order[:left], order[total - right:]):
        part = Dataset.from_tensor_slices(_rows(columns, index))
        parts.append(part.batch(batch_size) if batch_size else part)
    return parts[0], parts[1]


# ---------------------------------------------------------------------------------------------------------
# Files in class folders
# ---------------------------------------------------------------------------------------------------------


def check_validation_split_arg(validation_split: Any, subset: Any, shuffle: bool, seed: Any) -> None:
    """Keras's checks of `validation_split` / `subset` / `seed` for the `*_dataset_from_directory` functions."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"If `subset` is set, `validation_split` must be set, and inversely. Received: "
                         f"validation_split={validation_split}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
                         "to make sure that there is no overlap between the training and validation subset.")


def _valid_files(directory: str, follow_links: bool, formats: tuple[str, ...]):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def index_directory(directory: str, labels: Any, formats: tuple[str, ...], class_names: list[str] | None = None,
                    shuffle: bool = True, seed: int | None = None, follow_links: bool = False,
                    verbose: bool = True) -> tuple[list[str], Any, list[str] | None]:
    """Lists the files of `directory` with their labels, in Keras's order.

    With `labels="inferred"`, each sub-folder (sorted by name, or in the order of `class_names`) is a class
    and its files (searched recursively, sorted) get its index; with a list of labels, the files of the
    whole tree get them in sorted order; with None, no labels. When `shuffle`, the list is then shuffled
    with `numpy.random.RandomState(seed)`, as Keras does.

    Args:
      directory: the root folder.
      labels: `"inferred"`, None, or a list / tuple of int labels (one per file).
      formats: the accepted file extensions, lower case (`(".jpg", ".png")`).
      class_names: the classes (sub-folder names) to use, in this order; only with `labels="inferred"`.
      shuffle: shuffle the files (else they stay sorted).
      seed: the shuffle's seed (from NumPy's global generator when None).
      follow_links: visit sub-folders that are symbolic links.
      verbose: print how many files and classes were found.

    Returns:
      `(file_paths, labels, class_names)`: the paths (`directory` joined with each file's relative path),
      their labels (an int32 array when inferred, the given list otherwise, None without labels), and the
      class names (None without labels).

    Raises:
      FileNotFoundError: for a `directory` that is not a folder.
      ValueError: for `class_names` that are not sub-folders, `class_names` with explicit or no labels, or
        a number of labels other than the number of files.
    """
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Argument `directory` must be a folder; {directory!r} is not one.")
    if labels == "inferred":
        subdirs = [name for name in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"The `class_names` passed did not match the names of the subdirectories of the "
                                 f"target directory. Expected: {subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` cannot be specified (the "
                             "`class_names` will be the sorted list of labels).")
        subdirs = [""]
    filenames: list[str] = []
    inferred: list[int] = []
    for class_index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        dirname = os.path.basename(folder)
        for root, name in _valid_files(folder, follow_links, formats):
            filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, name), folder)))
            inferred.append(class_index)
    if labels == "inferred":
        labels, names = np.asarray(inferred, dtype="int32"), list(subdirs)
    elif labels is None:
        names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target directory. "
                             f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory "
                             f"{directory}.")
        names = [str(label) for label in sorted(set(labels))]
    if verbose:
        print(f"Found {len(filenames)} files." if labels is None else
              f"Found {len(filenames)} files belonging to {len(names)} classes.")
    file_paths = [os.path.join(directory, name) for name in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, names


def get_training_or_validation_split(samples: list, labels: Any, validation_split: float | None,
                                     subset: str | None) -> tuple[list, Any]:
    """The training part (all but the last `int(validation_split * n)` samples) or the validation part.

    Args:
      samples: the list of samples (file paths).
      labels: their labels, or None.
      validation_split: the fraction held out for validation; None or 0 returns everything.
      subset: `"training"` or `"validation"`.

    Returns:
      `(samples, labels)` of that part.

    Raises:
      ValueError: for another `subset` when `validation_split` is set.
    """
    if not validation_split:
        return samples, labels
    count = int(validation_split * len(samples))
    if count == 0 and subset in ("training", "validation"):
        raise ValueError(f"`validation_split`={validation_split} of {len(samples)} files holds out no file for "
                         f"validation (int({validation_split} * {len(samples)}) is 0): raise it to at least "
                         f"{1 / len(samples) if samples else 1:.3g}.")
    if subset == "training":
        print(f"Using {len(samples) - count} files for training.")
        return samples[:len(samples) - count], None if labels is None else labels[:len(labels) - count]
    if subset == "validation":
        print(f"Using {count} files for validation.")
        return samples[len(samples) - count:], None if labels is None else labels[len(labels) - count:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def encode_labels(labels: Any, label_mode: str, num_classes: int) -> np.ndarray:
    """Class indices as Keras's directory datasets yield them.

    `"int"`: int32 `(n,)`; `"binary"`: float32 `(n, 1)`; `"categorical"`: one-hot float32 `(n, num_classes)`.

    Raises:
      ValueError: for a binary label other than 0 / 1, or a categorical one outside `[0, num_classes)`.

    Example:
      >>> encode_labels([0, 2], "categorical", 3).tolist()
      [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = np.asarray(labels, dtype=np.int64)
    top = 2 if label_mode == "binary" else num_classes
    if label_mode in ("binary", "categorical") and labels.size and (labels.min() < 0 or labels.max() >= top):
        bad = int(labels.min() if labels.min() < 0 else labels.max())
        raise ValueError(f"With label_mode={label_mode!r}, labels must be in [0, {top}) (one per class of "
                         f"{num_classes}); received label {bad}. Keras would encode it as a row of zeros.")
    if label_mode == "binary":
        return labels.astype(np.float32)[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    return labels.astype(np.int32)


def paths_and_labels_to_dataset(paths: list[str], labels: Any, label_mode: str | None, num_classes: int,
                                load: Callable[[str], Any], shuffle: bool, seed: int | None, batch_size: int | None,
                                reshuffle_each_iteration: bool = True) -> Dataset:
    """A dataset of `load(path)` (with its encoded label): shuffled per pass when asked, batched when asked.

    Shared by the image and text directory functions.
    """
    encoded = encode_labels(labels, label_mode, num_classes) if label_mode else None

    def gather(rows: np.ndarray) -> Any:
        samples = stack_elements([load(paths[row]) for row in rows])
        return samples if encoded is None else (samples, encoded[rows])

    dataset = Dataset.from_rows(len(paths), gather, shuffle=shuffle, seed=seed,
                                reshuffle_each_iteration=reshuffle_each_iteration)
    return dataset if batch_size is None else dataset.batch(batch_size)
