"""`IterableDataset`: batches read from a Python iterable or generator, each checked as it comes."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import jax
import numpy as np

from kerasish.data.py_dataset import EpochRunner, PyDataset
from kerasish.training.data.checks import check_targets, class_weights_to_sample_weights, prepare_arrays
from kerasish.training.data.dataset import Dataset


def as_batch_tuple(batch: Any, step: int) -> tuple:
    """One batch of an iterable, `(x,)`, `(x, y)` or `(x, y, sample_weight)`, checked: `(x, y, sample_weight)`."""
    if isinstance(batch, dict) or not isinstance(batch, (tuple, list)) or not 1 <= len(batch) <= 3:
        raise ValueError(f"Each batch of an iterable must be a tuple (x,), (x, y) or (x, y, sample_weight); "
                         f"batch {step} is {type(batch).__name__}"
                         + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "") + ".")
    x, y, sw = (tuple(batch) + (None, None))[:3]
    return prepare_arrays(x, y, sw, names=(f"x (batch {step})", f"y (batch {step})",
                                            f"sample_weight (batch {step})"))


class IterableDataset(Dataset):
    """Batches read from a Python iterable or generator.

    Without `steps_per_epoch`, every epoch iterates `iterable` afresh, so it must be re-iterable
    (a list, a `Sequence`, an object whose `__iter__` starts over); a one-shot generator runs dry
    after the first epoch, which raises an error saying so. With `steps_per_epoch`, epochs draw
    that many batches from one continuing iterator.

    A `PyDataset` (or any object with `__len__` and `__getitem__` that is not a list or tuple, a grain `MapDataset`)
    is read through `kerasish.data.EpochRunner`: its batches prepared ahead by its `workers`, in a shuffled order per
    epoch with `shuffle` (a PyDataset's, as Keras's fit shuffles it), `on_epoch_end` called between epochs.
    A PyDataset's batches `(x, y)` may be weighted by `class_weight`, as Keras's PyDataset adapter does: each
    sample's weight is that of its class (`y`'s argmax for one-hot rows, else its label).
    """

    def __init__(self, iterable: Iterable, steps_per_epoch: int | None = None,
                 names: tuple[str, str, str] = ("x", "y", "sample_weight"), shuffle: bool = False,
                 class_weight: dict | None = None) -> None:
        self.names = names
        if not hasattr(iterable, "__iter__"):
            raise TypeError(f"Argument `{names[0]}` must be arrays or an iterable of batches, received "
                            f"{type(iterable).__name__}.")
        if class_weight is not None and not isinstance(iterable, PyDataset):
            raise ValueError(f"Argument `class_weight` needs `{names[0]}` to be arrays or a PyDataset (put the weights "
                             f"in the batches of other iterables), received a {type(iterable).__name__}.")
        self.class_weight = class_weight
        self.iterable = iterable
        self.steps_per_epoch = steps_per_epoch
        self._iterator: Iterator | None = None
        indexable = hasattr(iterable, "__getitem__") and hasattr(iterable, "__len__")
        self._runner = (EpochRunner(iterable, shuffle=shuffle and isinstance(iterable, PyDataset))
                        if isinstance(iterable, PyDataset) or (indexable and not isinstance(iterable, (list, tuple)))
                        else None)
        self.steps: int | None = steps_per_epoch
        if steps_per_epoch is None and self._runner is not None:
            self.steps = self._runner.num_batches
        elif steps_per_epoch is None and hasattr(iterable, "__len__"):
            self.steps = len(iterable)
        self._first: tuple | None = None  # the first batch, once `sample` has read it
        self._objectives: Any = None  # what `check` was given: every batch's targets are checked against it
        self._checked_shapes: list | None = None  # the non-batch input shapes `check` saw (the objectives' shapes')

    def epoch(self, epoch: int = 0) -> Iterator[tuple]:
        if self._runner is not None:
            batches = self._runner.epoch(self.steps_per_epoch)
            try:
                for step, batch in enumerate(batches):
                    yield self._checked(batch, step)
            finally:
                batches.close()  # an epoch left early (a stop, an error) stops its workers now
            return
        if self.steps_per_epoch is None:
            count = 0
            for count, batch in enumerate(self.iterable, start=1):
                yield self._checked(batch, count - 1)
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
            yield self._checked(batch, step)

    def _checked(self, batch: Any, step: int) -> tuple:
        """The batch as `(x, y, sample_weight)`, its arrays checked, its targets against the losses (cheaply: a min
        and a max), so a bad label in any batch is an error, not a NaN epoch."""
        x, y, sample_weight = as_batch_tuple(batch, step)
        other_shape = self._checked_shapes is not None and _sample_shapes(x) != self._checked_shapes
        check_targets(y, self._objectives, f"{self.names[1]} (batch {step})", other_input_shape=other_shape)
        if self.class_weight is not None:
            if sample_weight is not None or y is None:
                raise ValueError(f"Argument `class_weight` needs batches `(x, y)` without sample weights (Keras's "
                                 f"rule); batch {step} has {'no targets' if y is None else 'sample weights'}.")
            y_host = np.asarray(y)
            sample_weight = class_weights_to_sample_weights(y_host, self.class_weight, len(y_host))
        return x, y, sample_weight

    # -- the Dataset interface --------------------------------------------------------------------------

    def sample(self) -> tuple[Any, Any]:
        """The first batch's `(x, y)`. A one-shot iterator keeps that batch for the epoch loop to read again."""
        if self._first is None and self._runner is not None:
            self._first = as_batch_tuple(self.iterable[0], 0)
        if self._first is None:
            iterator = iter(self.iterable)
            try:
                first = next(iterator)
            except StopIteration:
                raise ValueError(f"The iterable passed as `{self.names[0]}` yielded no batch.") from None
            self._first = as_batch_tuple(first, 0)
            if iterator is self.iterable:  # a one-shot iterator: the epoch loop reads the batch we took
                self.iterable = itertools.chain([first], iterator)
        return self._first[0], self._first[1]

    def check(self, objectives: Any, check_x) -> None:
        self._objectives = objectives
        x, y, _ = self._first if self._first is not None else (*self.sample(), None)
        self._checked_shapes = _sample_shapes(x)
        check_x(x, self.names[0])
        check_targets(y, objectives, self.names[1])

    def run(self, chunk_fn, batch_fn, epoch, steps_per_execution, on_begin, on_end, advance,
            should_stop=lambda: False, first_step=0, ends=(), pad_rows=False) -> None:
        for step, batch in enumerate(self.epoch(epoch)):
            if step < first_step:
                continue
            on_begin(step)
            advance(batch_fn, device_batch(batch))
            on_end(step)
            if should_stop():
                return

    def predict(self, chunk_fn, batch_fn, steps_per_execution, pad_rows, on_begin, on_end,
                should_stop=lambda: False) -> list:
        outputs = []
        for step, (x, _, _) in enumerate(self.epoch()):
            on_begin(step)
            out = batch_fn(device_batch(x))
            outputs.append(jax.tree.map(lambda a: a[None], out))
            on_end(step, out)
            if should_stop():
                break
        return outputs


def device_batch(batch: tuple) -> tuple:
    """A host batch as device arrays: one asynchronous transfer of the whole batch (`jnp.asarray` per array runs a
    conversion op on each, and waits for it)."""
    return jax.device_put(batch)


def _sample_shapes(x: Any) -> list[tuple]:
    """The shapes of a batch's input arrays without the batch axis."""
    return [np.shape(a)[1:] for a in jax.tree.leaves(x)]
