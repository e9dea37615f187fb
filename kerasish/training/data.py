"""Data adapters: turn what a user passes to `fit` into checked arrays and per-epoch batch plans.

Arrays (NumPy, JAX, lists; or tuples/dicts of them for several inputs) are checked once, moved to
the device once, and each epoch is a plan of index batches: the engine gathers a batch inside the
compiled step, so no sample crosses from the host per step. Every sample is used exactly once per
epoch; the last, smaller batch is kept (it compiles once, not once per epoch).

Python iterables and generators of `(x, y)` / `(x, y, sample_weight)` batches are read batch by
batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_ARRAY_TYPES = (np.ndarray, jax.Array, list, tuple, dict, int, float, np.generic)


def is_array_data(x: Any) -> bool:
    """True for arrays and containers of arrays; False for iterables of batches (generators, ...)."""
    if isinstance(x, list) and x and all(
            isinstance(b, tuple) and b and isinstance(b[0], (np.ndarray, jax.Array, tuple, dict)) for b in x):
        return False  # a list of (x, y) batch tuples: a re-iterable of batches
    if isinstance(x, (list, tuple, dict)):
        return True
    return isinstance(x, _ARRAY_TYPES) or hasattr(x, "__array__")


def to_array(value: Any, argument: str) -> np.ndarray:
    """Checks one array argument and returns it as float32 / int32 / bool NumPy (JAX's default widths)."""
    if isinstance(value, jax.Array):
        value = np.asarray(value)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise TypeError(f"Argument `{argument}` must be a numeric array, received {type(value).__name__} "
                        f"that NumPy cannot turn into one ({err}).") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Argument `{argument}` must hold numbers (float, int or bool), received an array of "
                        f"dtype {array.dtype}" + (f" such as {array.flat[0]!r}" if array.size else "") + ".")
    if array.ndim == 0:
        raise ValueError(f"Argument `{argument}` must have a batch axis, received a scalar {array!r}.")
    if array.shape[0] == 0:
        raise ValueError(f"Argument `{argument}` is empty (shape {array.shape}); fit, evaluate and predict "
                         f"need at least one sample.")
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            bad = np.argwhere(~np.isfinite(array))[0]
            raise ValueError(f"Argument `{argument}` contains NaN or infinite values (first at index "
                             f"{tuple(int(i) for i in bad)}); clean or impute the data first.")
        array = array.astype(np.float32, copy=False)
    elif array.dtype.kind in "iu":
        array = array.astype(np.int32, copy=False)
    return array


def to_arrays(tree: Any, argument: str) -> Any:
    """`to_array` over a pytree (several inputs as a tuple, list or dict)."""
    if tree is None:
        return None
    if isinstance(tree, (tuple, list)) and tree and all(isinstance(v, (np.ndarray, jax.Array)) for v in tree):
        return type(tree)(to_array(v, f"{argument}[{i}]") for i, v in enumerate(tree))
    if isinstance(tree, dict):
        return {k: to_array(v, f"{argument}[{k!r}]") for k, v in tree.items()}
    return to_array(tree, argument)


def num_samples(tree: Any) -> int:
    return int(jax.tree.leaves(tree)[0].shape[0])


def check_lengths(**trees: Any) -> int:
    """All leaves of all arguments must have the same number of samples; returns it."""
    lengths = {}
    for name, tree in trees.items():
        for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
            lengths[name + jax.tree_util.keystr(path)] = leaf.shape[0]
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"`{k}` has {v}" for k, v in lengths.items())
        raise ValueError(f"Data cardinality is ambiguous: {detail} samples; every array must have the same "
                         f"number of samples (first axis).")
    return next(iter(lengths.values()))


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict, n: int) -> np.ndarray:
    if not isinstance(class_weight, dict):
        raise TypeError(f"Argument `class_weight` must be a dict {{class index: weight}}, received {class_weight!r}.")
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(n, -1)[:, 0]
    labels = labels.astype(np.int64)
    missing = sorted(set(np.unique(labels).tolist()) - set(class_weight))
    if missing:
        raise ValueError(f"Argument `class_weight` has no weight for classes {missing[:10]} found in `y`; "
                         f"it has keys {sorted(class_weight)}.")
    table = np.zeros(max(max(class_weight) + 1, int(labels.max()) + 1), np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


def prepare_arrays(x: Any, y: Any, sample_weight: Any, class_weight: Any = None,
                   names: tuple[str, str, str] = ("x", "y", "sample_weight")) -> tuple[Any, Any, Any]:
    """Checks `x`, `y`, `sample_weight`; folds `class_weight` into the sample weights."""
    x = to_arrays(x, names[0])
    y = to_arrays(y, names[1])
    sample_weight = None if sample_weight is None else to_array(sample_weight, names[2])
    trees = {names[0]: x}
    if y is not None:
        trees[names[1]] = y
    if sample_weight is not None:
        trees[names[2]] = sample_weight
    n = check_lengths(**trees)
    if sample_weight is not None and sample_weight.ndim != 1:
        sample_weight = sample_weight.reshape(n, -1) if sample_weight.size != n else sample_weight.reshape(n)
    if class_weight is not None:
        if y is None or not isinstance(y, np.ndarray):
            raise ValueError("Argument `class_weight` needs a single array `y` of class labels or one-hot rows.")
        weights = class_weights_to_sample_weights(y, class_weight, n)
        sample_weight = weights if sample_weight is None else sample_weight * weights
    return x, y, sample_weight


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


def group_batches(batches: list[np.ndarray], steps_per_execution: int) -> list[np.ndarray]:
    """Stacks consecutive batches of equal size into chunks of at most `steps_per_execution`.

    Returns arrays of shape (k, batch_size); each becomes one dispatch of the compiled step.
    """
    chunks, run = [], []
    for batch in batches:
        if run and (len(batch) != len(run[0]) or len(run) == steps_per_execution):
            chunks.append(np.stack(run))
            run = []
        run.append(batch)
    if run:
        chunks.append(np.stack(run))
    return chunks


class ArrayBatches:
    """A device-resident dataset and the index batches of each epoch.

    Args:
      arrays: a pytree `(x, y, sample_weight)` of checked NumPy arrays (y, weights may be None).
      batch_size: samples per batch.
      shuffle: a new order every epoch.
      seed: the seed of the shuffling generator.
      steps_per_epoch: batches per epoch; None is one pass over the data. With a number, batches are
        taken from a stream of successive passes, so consecutive epochs continue where the last
        one stopped, as in Keras.
    """

    def __init__(self, arrays: Any, batch_size: int, shuffle: bool = False, seed: int = 0,
                 steps_per_epoch: int | None = None) -> None:
        self.num_samples = num_samples(arrays[0])
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self.device_arrays = jax.device_put(arrays)
        self._rng = np.random.default_rng(seed)
        self._pending: list[np.ndarray] = []

    @property
    def batches_per_pass(self) -> int:
        return -(-self.num_samples // self.batch_size)

    @property
    def steps(self) -> int:
        return self.steps_per_epoch or self.batches_per_pass

    def _one_pass(self) -> list[np.ndarray]:
        order = self._rng.permutation(self.num_samples) if self.shuffle else np.arange(self.num_samples)
        order = order.astype(np.int32)
        return [order[i:i + self.batch_size] for i in range(0, self.num_samples, self.batch_size)]

    def order_state(self) -> dict:
        """The shuffling generator and the batches pending from a pass (JSON-able), for resuming."""
        return {"generator": self._rng.bit_generator.state, "pending": [b.tolist() for b in self._pending]}

    def restore_order_state(self, state: dict) -> None:
        self._rng.bit_generator.state = state["generator"]
        self._pending = [np.asarray(b, np.int32) for b in state["pending"]]

    def epoch(self) -> list[np.ndarray]:
        """The index batches of the next epoch."""
        if self.steps_per_epoch is None:
            return self._one_pass()
        while len(self._pending) < self.steps_per_epoch:
            self._pending.extend(self._one_pass())
        batches, self._pending = self._pending[:self.steps_per_epoch], self._pending[self.steps_per_epoch:]
        return batches


def _as_batch_tuple(batch: Any, step: int) -> tuple:
    if isinstance(batch, dict) or not isinstance(batch, (tuple, list)) or not 1 <= len(batch) <= 3:
        raise ValueError(f"Each batch of an iterable must be a tuple (x,), (x, y) or (x, y, sample_weight); "
                         f"batch {step} is {type(batch).__name__}"
                         + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "") + ".")
    x, y, sw = (tuple(batch) + (None, None))[:3]
    return prepare_arrays(x, y, sw, names=(f"x (batch {step})", f"y (batch {step})",
                                            f"sample_weight (batch {step})"))


class IterableBatches:
    """Batches read from a Python iterable or generator.

    Without `steps_per_epoch`, every epoch iterates `iterable` afresh, so it must be re-iterable
    (a list, a `Sequence`, an object whose `__iter__` starts over); a one-shot generator runs dry
    after the first epoch, which raises an error saying so. With `steps_per_epoch`, epochs draw
    that many batches from one continuing iterator.
    """

    def __init__(self, iterable: Iterable, steps_per_epoch: int | None = None) -> None:
        if not hasattr(iterable, "__iter__"):
            raise TypeError(f"Argument `x` must be arrays or an iterable of batches, received "
                            f"{type(iterable).__name__}.")
        self.iterable = iterable
        self.steps_per_epoch = steps_per_epoch
        self._iterator: Iterator | None = None
        self.steps: int | None = steps_per_epoch
        if steps_per_epoch is None and hasattr(iterable, "__len__"):
            self.steps = len(iterable)

    def epoch(self, epoch: int = 0) -> Iterator[tuple]:
        if self.steps_per_epoch is None:
            count = 0
            for count, batch in enumerate(self.iterable, start=1):
                yield _as_batch_tuple(batch, count - 1)
            if count == 0:
                raise ValueError(f"The iterable passed as `x` yielded no batch in epoch {epoch + 1}. A generator "
                                 f"is used up after one pass: pass `steps_per_epoch` (and make it yield "
                                 f"forever), or pass a re-iterable object such as a list.")
            return
        if self._iterator is None:
            self._iterator = iter(self.iterable)
        for step in range(self.steps_per_epoch):
            try:
                batch = next(self._iterator)
            except StopIteration:
                raise ValueError(f"The iterable passed as `x` ran out of data at epoch {epoch + 1}, step {step}: "
                                 f"it must yield at least steps_per_epoch * epochs = "
                                 f"{self.steps_per_epoch} batches per epoch.") from None
            yield _as_batch_tuple(batch, step)


def device_batch(batch: tuple) -> tuple:
    return jax.tree.map(jnp.asarray, batch)
