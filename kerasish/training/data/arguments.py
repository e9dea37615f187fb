"""Datasets from the arguments of `fit`, `evaluate` and `predict`: which kind of data, the default batch size,
the validation split and `validation_data`, all in one place.

The call's arrays are checked and converted here (`checks.prepare_arrays`); an iterable of batches is
wrapped as it is and checked batch by batch as it is read.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np

from kerasish.training.data.arrays import ArrayDataset
from kerasish.training.data.checks import num_samples, prepare_arrays
from kerasish.training.data.dataset import Dataset
from kerasish.training.data.iterables import IterableDataset

_ARRAY_TYPES = (np.ndarray, jax.Array, list, tuple, dict, int, float, np.generic)
_NAMES = ("x", "y", "sample_weight")
_VALIDATION_NAMES = ("validation_data[0]", "validation_data[1]", "validation_data[2]")


def is_array_data(x: Any) -> bool:
    """True for arrays and containers of arrays; False for iterables of batches (generators, ...)."""
    if isinstance(x, list) and x and all(
            isinstance(b, tuple) and b and isinstance(b[0], (np.ndarray, jax.Array, tuple, dict)) for b in x):
        return False  # a list of (x, y) batch tuples: a re-iterable of batches
    if isinstance(x, (list, tuple, dict)):
        return True
    return isinstance(x, _ARRAY_TYPES) or hasattr(x, "__array__")


def default_batch_size(batch_size: Any, arrays: bool) -> int | None:
    """32 for arrays (Keras's default), None for iterables (their batches are batched already).

    Raises:
      ValueError: for a batch size with an iterable, or one that is not an int >= 1.
    """
    if batch_size is None:
        return 32 if arrays else None
    if not arrays:
        raise ValueError(f"Argument `batch_size` must be None when the data is an iterable of batches (they "
                         f"are already batched), received {batch_size!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"Argument `batch_size` must be an int >= 1, received {batch_size!r}.")
    return int(batch_size)


def split_validation(arrays: tuple, validation_split: float) -> tuple[tuple, tuple]:
    """Keras's split: the LAST `validation_split` fraction (before any shuffling) is the validation set."""
    n = num_samples(arrays[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Argument `validation_split`={validation_split} leaves "
                         f"{'no training' if split_at == 0 else 'no validation'} sample out of {n}; "
                         f"use more data or another split.")
    head = jax.tree.map(lambda a: a[:split_at], arrays)
    tail = jax.tree.map(lambda a: a[split_at:], arrays)
    return head, tail


def make_dataset(x: Any, y: Any = None, sample_weight: Any = None, batch_size: Any = None, *, shuffle: bool = False,
                 seed: int = 0, steps: int | None = None, class_weight: Any = None,
                 names: tuple[str, str, str] = _NAMES, streamed: bool = False) -> Dataset:
    """The dataset of `x` (arrays, or an iterable of batches) with its targets and weights.

    `streamed`: arrays are read once in order (evaluate, predict), so on an accelerator each dispatch's rows are
    copied to it as they come instead of the whole data first (XLA:CPU reads the arrays where they lie).

    Raises:
      ValueError / TypeError: for bad data (see `checks.prepare_arrays`), `y` / `sample_weight` /
        `class_weight` given with an iterable, or a bad batch size.
    """
    if x is None:
        raise ValueError(f"Argument `{names[0]}` is required, received None.")
    arrays = is_array_data(x)
    batch_size = default_batch_size(batch_size, arrays)
    if arrays:
        data = prepare_arrays(x, y, sample_weight, class_weight, names, copy=False)
        return ArrayDataset(data, batch_size, shuffle, seed, steps, streamed=streamed, names=names)
    # `class_weight` goes with a PyDataset (as in Keras): IterableDataset weighs its batches, or refuses it
    given = [(name, value) for name, value in zip((names[1], names[2]), (y, sample_weight)) if value is not None]
    if given:
        name, value = given[0]
        raise ValueError(f"When `{names[0]}` is an iterable of batches, `{names[1]}`, `{names[2]}` and "
                         f"`class_weight` must be None (put targets and weights in the batches), received "
                         f"`{name}` of type {type(value).__name__}.")
    return IterableDataset(x, steps, names=names, shuffle=shuffle, class_weight=class_weight)


def validation_dataset(validation_data: Any, batch_size: int | None, steps: int | None) -> Dataset:
    """The dataset of fit's `validation_data`: `(x_val, y_val)`, `(x_val, y_val, sample_weight_val)` or an
    iterable of batches."""
    is_tuple = isinstance(validation_data, (tuple, list)) and is_array_data(validation_data)
    if is_tuple and 2 <= len(validation_data) <= 3 and is_array_data(validation_data[0]):
        vx, vy, vsw = (tuple(validation_data) + (None,))[:3]
        if vy is None:
            raise ValueError("Argument `validation_data` must hold targets: (x_val, y_val) or "
                             "(x_val, y_val, sample_weight_val).")
        return make_dataset(vx, vy, vsw, batch_size or 32, steps=steps, names=_VALIDATION_NAMES)
    if is_tuple:
        raise ValueError(f"Argument `validation_data` must be (x_val, y_val), (x_val, y_val, sample_weight_val) "
                         f"or an iterable of batches, received a {type(validation_data).__name__} of length "
                         f"{len(validation_data)}.")
    return make_dataset(validation_data, steps=steps, names=("validation_data", "y", "sample_weight"))


def fit_datasets(x: Any, y: Any, sample_weight: Any, class_weight: Any, batch_size: Any, *, shuffle: bool, seed: int,
                 steps_per_epoch: int | None, validation_split: float, validation_data: Any,
                 validation_batch_size: int | None, validation_steps: int | None,
                 targets_required: bool = True) -> tuple[Dataset, Dataset | None]:
    """`(train, validation)` datasets of a `fit` call (validation None when there is none). `targets_required`
    False: arrays may come without a `y` (a model whose own `train_step` takes the batches as they are, such as an
    autoencoder's, or one compiled without a loss that minimises its `add_loss` values).

    Raises:
      ValueError: for `validation_split` with `validation_data`, arrays without `y`, `validation_split` with an
        iterable, or a split that leaves no training or no validation sample.
    """
    if x is None:
        raise ValueError("Argument `x` of fit is required, received None.")
    if validation_split and validation_data is not None:
        raise ValueError("Pass either `validation_split` or `validation_data` to fit, not both.")
    arrays = is_array_data(x)
    if arrays and y is None and targets_required:
        raise ValueError("Argument `y` of fit is required when `x` is an array, received None.")
    if not arrays and validation_split:
        raise ValueError(f"Argument `validation_split` needs array data (it takes the last fraction of the arrays); "
                         f"`x` is an iterable of batches: pass `validation_data` instead, received "
                         f"validation_split={validation_split!r}.")
    batch_size = default_batch_size(batch_size, arrays)
    val: Dataset | None = None
    if arrays:
        data = prepare_arrays(x, y, sample_weight, class_weight, copy=False)
        held_out = None
        if validation_split:
            data, held_out = split_validation(data, validation_split)
        train: Dataset = ArrayDataset(data, batch_size, shuffle, seed, steps_per_epoch)
        if held_out is not None:
            val = ArrayDataset(held_out, validation_batch_size or batch_size)
    else:
        train = make_dataset(x, y, sample_weight, shuffle=shuffle, steps=steps_per_epoch, class_weight=class_weight)
    if validation_data is not None:
        val = validation_dataset(validation_data, validation_batch_size or batch_size, validation_steps)
    return train, val
