"""`Dataset`: a re-iterable dataset of NumPy elements, where Keras hands out a `tf.data.Dataset`.

`kerasish.utils.image_dataset_from_directory`, `text_dataset_from_directory`,
`timeseries_dataset_from_array` and `split_dataset` return one. It is what `fit` takes as an iterable of
batches: iterating it gives tuples of NumPy arrays (`(x, y)`, or `x` alone), `len()` is its number of
elements (batches, once batched), and every `for` loop over it is a new epoch, shuffled anew when it was
made with `shuffle=True` (deterministically for a given seed).

It has the `tf.data.Dataset` methods that Keras programs call on such datasets and that mean something
without TensorFlow: `batch`, `unbatch`, `map`, `filter`, `take`, `skip`, `shuffle`, `repeat`, `cache`
(in memory), `prefetch` (a background thread), `as_numpy_iterator`, `cardinality`, and the constructor
`from_tensor_slices`. Elements are nested tuples and dicts of NumPy arrays (text: arrays of Python
strings, dtype object). Nothing here is traced or compiled: a `map` function runs eagerly on NumPy values.

The arrays a pass yields are `EagerArray`s: NumPy arrays that also have the `.numpy()` method of
TensorFlow's eager tensors, so that programs written for tf.data batches (`inputs.numpy().shape`,
`images[i].numpy()`) run unchanged. A single number taken out of one (`labels[i]` of a 1-D array) is a
NumPy scalar, without `.numpy()`: `int(labels[i])` works for both.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from kerasish.data.py_dataset import ordered_map, prefetch_iterator

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "EagerArray"]

#: `num_parallel_calls` / `buffer_size` value asking the dataset to pick (as `tf.data.AUTOTUNE`).
AUTOTUNE = -1
#: What `cardinality()` returns for a dataset without end, and for one whose size is not known in advance.
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


class EagerArray(np.ndarray):
    """A NumPy array with TensorFlow's eager-tensor method `numpy()` (what a `Dataset` pass yields).

    Example:
      >>> batch = np.arange(6).reshape(2, 3).view(EagerArray)
      >>> type(batch.numpy()).__name__, batch[1].numpy().tolist()
      ('ndarray', [3, 4, 5])
    """

    def numpy(self) -> np.ndarray:
        """The same values as a plain NumPy array (a view, no copy)."""
        return self.view(np.ndarray)


def _as_eager(leaf: Any) -> Any:
    return leaf.view(EagerArray) if type(leaf) is np.ndarray else leaf


def _check_count(name: str, value: Any, method: str, minimum: int = -1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        accepted = "an int >= 1" if minimum == 1 else f"an int >= {minimum}" + (" (-1: all)" if minimum == -1 else "")
        raise ValueError(f"Argument `{name}` of Dataset.{method} must be {accepted}, received {value!r}.")
    return int(value)


def _map_structure(function: Callable[[Any], Any], element: Any) -> Any:
    if isinstance(element, tuple):
        return tuple(_map_structure(function, part) for part in element)
    if isinstance(element, dict):
        return {key: _map_structure(function, part) for key, part in element.items()}
    return function(element)


def _leaves(element: Any) -> list[Any]:
    if isinstance(element, tuple):
        return [leaf for part in element for leaf in _leaves(part)]
    if isinstance(element, dict):
        return [leaf for part in element.values() for leaf in _leaves(part)]
    return [element]


def stack_elements(elements: list[Any]) -> Any:
    """Stacks a list of like-structured elements (tuples / dicts of arrays) into one batch, leaf by leaf.

    Strings become a NumPy array of dtype object holding the Python strings.

    Example:
      >>> batch = stack_elements([(np.zeros(2), 0), (np.ones(2), 1)])
      >>> batch[0].shape, batch[1].tolist()
      ((2, 2), [0, 1])
    """
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(stack_elements([element[i] for element in elements]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: stack_elements([element[key] for element in elements]) for key in first}
    if isinstance(first, (str, bytes)):
        batch = np.empty(len(elements), dtype=object)
        batch[:] = elements
        return batch
    return np.stack([np.asarray(element) for element in elements])


def _batch_size_of(batch: Any) -> int:
    sizes = {np.shape(leaf)[0] if np.ndim(leaf) else None for leaf in _leaves(batch)}
    if len(sizes) != 1 or None in sizes:
        raise ValueError(f"Dataset.unbatch needs elements whose every array has the same first axis; received "
                         f"arrays with first axes {sorted(sizes, key=str)}.")
    return sizes.pop()


class Dataset:
    """A re-iterable dataset of NumPy elements (usually batches): a small, TensorFlow-free `tf.data.Dataset`.

    Build one with `Dataset.from_tensor_slices` or `Dataset.from_rows`, or get one from the
    `kerasish.utils` functions that return a `tf.data.Dataset` in Keras. Each `iter()` is a new pass
    (an epoch). Datasets made from directories carry `class_names` (and `file_paths`, for images) as
    attributes, as Keras's do; the methods return new datasets without them, as tf.data's do.

    Args:
      iterate: a function returning a fresh iterator over the elements (called once per pass).
      cardinality: the number of elements; `INFINITE_CARDINALITY` (-1) or `UNKNOWN_CARDINALITY` (-2).

    Example:
      >>> x = np.arange(10, dtype="float32").reshape(5, 2)
      >>> ds = Dataset.from_tensor_slices((x, np.arange(5))).batch(2)
      >>> len(ds), [y.tolist() for _, y in ds]
      (3, [[0, 1], [2, 3], [4]])
      >>> [y.tolist() for _, y in ds.unbatch().map(lambda x, y: (x, y * 10)).take(3)]
      [0, 10, 20]
    """

    def __init__(self, iterate: Callable[[], Iterator[Any]], cardinality: int,
                 rows: tuple[int, Callable[[], np.ndarray], Callable[[np.ndarray], Any]] | None = None,
                 batch_size: int | None = None) -> None:
        self._iterate = iterate
        self._cardinality = int(cardinality)
        # Given by `from_rows`: (count, order(pass_number) -> indices, gather(indices) -> batch), so that
        # `batch` gathers whole batches at once instead of stacking elements one by one.
        self._rows = rows
        self._batch_size = batch_size  # given by `batch()`

    @property
    def batch_size(self) -> int | None:
        """The batch size when this dataset was made by `batch()`, else None."""
        return self._batch_size

    # --- constructors -----------------------------------------------------------------------------------

    @classmethod
    def from_rows(cls, count: int, gather: Callable[[np.ndarray], Any], *, shuffle: bool = False,
                  seed: int | None = None, reshuffle_each_iteration: bool = True) -> Dataset:
        """A dataset of `count` elements addressed by row index, each pass in order or newly shuffled.

        Args:
          count: the number of elements.
          gather: `gather(indices)` returns the elements at `indices` (an int64 array) stacked along a first
            axis: an array, or a tuple / dict of them.
          shuffle: visit the rows in a new random order on every pass.
          seed: the seed of those orders (pass `k` uses `numpy.random.default_rng([seed, k])`); drawn from
            NumPy's global generator when None.
          reshuffle_each_iteration: a new order on every pass (True), or the first pass's order every time.

        Returns:
          A `Dataset` of single elements; its `batch(n)` gathers `n` rows at a time.

        Example:
          >>> table = np.arange(6) * 10
          >>> ds = Dataset.from_rows(6, lambda rows: table[rows])
          >>> [int(v) for v in ds], [b.tolist() for b in ds.batch(4)]
          ([0, 10, 20, 30, 40, 50], [[0, 10, 20, 30], [40, 50]])
        """
        count = _check_count("count", count, "from_rows", minimum=0)
        if seed is None and shuffle:
            seed = int(np.random.randint(2**31 - 1))
        passes = itertools.count()

        def order() -> np.ndarray:
            if not shuffle:
                return np.arange(count)
            return np.random.default_rng([seed, next(passes) if reshuffle_each_iteration else 0]).permutation(count)

        def iterate() -> Iterator[Any]:
            for row in order():
                yield _map_structure(lambda leaf: leaf[0], gather(np.array([row])))

        return cls(iterate, count, rows=(count, order, gather))

    @classmethod
    def from_tensor_slices(cls, tensors: Any) -> Dataset:
        """A dataset whose elements are the rows of `tensors` (sliced along their first axis).

        Args:
          tensors: an array, or a tuple / dict of arrays with the same first axis (a list is one array,
            as in tf.data).

        Returns:
          A `Dataset` of `len` rows; each element has the structure of `tensors`.

        Raises:
          ValueError: for arrays of different first axes, or a scalar.

        Example:
          >>> ds = Dataset.from_tensor_slices({"a": np.zeros((3, 2)), "b": np.arange(3)})
          >>> len(ds), next(iter(ds))["a"].shape
          (3, (2,))
        """
        arrays = _map_structure(np.asarray, tensors)
        sizes = {np.shape(leaf)[0] if np.ndim(leaf) else None for leaf in _leaves(arrays)}
        if len(sizes) != 1 or None in sizes:
            shapes = [np.shape(leaf) for leaf in _leaves(arrays)]
            raise ValueError(f"Argument `tensors` of Dataset.from_tensor_slices must hold arrays with the same first "
                             f"axis (one row per element); received shapes {shapes}.")
        return cls.from_rows(sizes.pop(), lambda rows: _map_structure(lambda a: a[rows], arrays))

    # --- what a pass gives ------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        for element in self._iterate():
            yield _map_structure(_as_eager, element)

    def cardinality(self) -> int:
        """The number of elements; -1 (`INFINITE_CARDINALITY`) without end, -2 (`UNKNOWN_CARDINALITY`) unknown."""
        return self._cardinality

    def __len__(self) -> int:
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite (cardinality() is -1): it has no length.")
        if self._cardinality < 0:
            raise TypeError("The dataset length is unknown (cardinality() is -2): a filter or unbatch does not "
                            "know in advance how many elements it gives.")
        return self._cardinality

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<Dataset cardinality={self._cardinality}>"

    def as_numpy_iterator(self) -> Iterator[Any]:
        """Iterates the elements with every array as a plain NumPy array (JAX arrays from a `map` converted)."""
        for element in self._iterate():
            yield _map_structure(np.asarray, element)

    # --- transformations --------------------------------------------------------------------------------

    def batch(self, batch_size: int, drop_remainder: bool = False) -> Dataset:
        """Groups consecutive elements into batches of `batch_size` (the last one smaller, unless dropped).

        Args:
          batch_size: the number of elements per batch (>= 1).
          drop_remainder: leave out a last batch smaller than `batch_size`.

        Returns:
          A `Dataset` of batches: each array gets a first axis of the batch's size.
        """
        batch_size = _check_count("batch_size", batch_size, "batch", minimum=1)
        if not isinstance(drop_remainder, bool):
            raise TypeError(f"Argument `drop_remainder` of Dataset.batch must be True or False, received "
                            f"{drop_remainder!r}.")
        card = self._cardinality
        if card >= 0:
            card = card // batch_size if drop_remainder else -(-card // batch_size)
        if self._rows is not None:
            _, order, gather = self._rows

            def gathered() -> Iterator[Any]:
                rows = order()
                stop = len(rows) - len(rows) % batch_size if drop_remainder else len(rows)
                for start in range(0, stop, batch_size):
                    yield gather(rows[start:start + batch_size])

            return Dataset(gathered, card, batch_size=batch_size)
        return Dataset(self._stacked(batch_size, drop_remainder), card, batch_size=batch_size)

    def _stacked(self, batch_size: int, drop_remainder: bool) -> Callable[[], Iterator[Any]]:
        def stacked() -> Iterator[Any]:
            iterator = iter(self._iterate())
            while chunk := list(itertools.islice(iterator, batch_size)):
                if drop_remainder and len(chunk) < batch_size:
                    return
                yield stack_elements(chunk)

        return stacked

    def unbatch(self) -> Dataset:
        """Splits every batch back into its elements (along the first axis of its arrays)."""

        def split() -> Iterator[Any]:
            for batch in self._iterate():
                for i in range(_batch_size_of(batch)):
                    yield _map_structure(lambda leaf, i=i: leaf[i], batch)

        return Dataset(split, UNKNOWN_CARDINALITY if self._cardinality != INFINITE_CARDINALITY else self._cardinality)

    def map(self, map_func: Callable[..., Any], num_parallel_calls: int | None = None) -> Dataset:
        """Applies `map_func` to every element: `map_func(*element)` for a tuple, `map_func(element)` otherwise.

        Args:
          map_func: the function; it runs eagerly on NumPy values (not traced), and may return JAX arrays.
          num_parallel_calls: None (in the iterating thread), an int >= 1 of worker threads, or `AUTOTUNE`
            (-1: one per CPU core). Results keep the order of the elements.

        Returns:
          A `Dataset` of the results.
        """
        if not callable(map_func):
            raise TypeError(f"Argument `map_func` of Dataset.map must be callable, received {map_func!r}.")
        if num_parallel_calls is not None and num_parallel_calls != AUTOTUNE:
            _check_count("num_parallel_calls", num_parallel_calls, "map", minimum=1)

        def call(element: Any) -> Any:
            return map_func(*element) if isinstance(element, tuple) else map_func(element)

        def mapped() -> Iterator[Any]:
            if num_parallel_calls is None or num_parallel_calls == 1:
                return (call(element) for element in self._iterate())
            workers = (os.cpu_count() or 1) if num_parallel_calls == AUTOTUNE else num_parallel_calls
            return ordered_map(call, self._iterate(), workers=workers, max_queue_size=2 * workers)

        return Dataset(mapped, self._cardinality)

    def filter(self, predicate: Callable[..., Any]) -> Dataset:
        """Keeps the elements for which `predicate` (called as `map_func` is) is true."""
        if not callable(predicate):
            raise TypeError(f"Argument `predicate` of Dataset.filter must be callable, received {predicate!r}.")

        def keep(element: Any) -> bool:
            return bool(predicate(*element) if isinstance(element, tuple) else predicate(element))

        card = INFINITE_CARDINALITY if self._cardinality == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY
        return Dataset(lambda: (element for element in self._iterate() if keep(element)), card)

    def take(self, count: int) -> Dataset:
        """The first `count` elements (-1: all)."""
        count = _check_count("count", count, "take")
        if count == -1:
            return Dataset(self._iterate, self._cardinality)
        card = self._cardinality
        card = count if card == INFINITE_CARDINALITY else (min(card, count) if card >= 0 else UNKNOWN_CARDINALITY)
        return Dataset(lambda: itertools.islice(self._iterate(), count), card)

    def skip(self, count: int) -> Dataset:
        """All elements but the first `count` (-1: skip all)."""
        count = _check_count("count", count, "skip")
        card = self._cardinality
        if card >= 0:
            card = 0 if count == -1 else max(card - count, 0)
        elif count == -1 and card == INFINITE_CARDINALITY:
            card = 0
        if count == -1:
            return Dataset(lambda: iter(()), card)
        return Dataset(lambda: itertools.islice(self._iterate(), count, None), card)

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True) -> Dataset:
        """Shuffles the elements through a buffer of `buffer_size`, as `tf.data.Dataset.shuffle` does.

        The buffer holds the next `buffer_size` elements; each output is drawn at random from it and
        replaced by the next element. A buffer at least as large as the dataset shuffles it uniformly.

        Args:
          buffer_size: the number of elements in the buffer (>= 1).
          seed: the seed of the draws; from NumPy's global generator when None.
          reshuffle_each_iteration: draw a new order on every pass (True) or repeat the first one.

        Returns:
          A `Dataset` of the same elements, shuffled.
        """
        buffer_size = _check_count("buffer_size", buffer_size, "shuffle", minimum=1)
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))
        passes = itertools.count()

        def shuffled() -> Iterator[Any]:
            rng = np.random.default_rng([seed, next(passes) if reshuffle_each_iteration else 0])
            buffer: list[Any] = []
            for element in self._iterate():
                buffer.append(element)
                if len(buffer) == buffer_size:
                    i = int(rng.integers(len(buffer)))
                    buffer[i], buffer[-1] = buffer[-1], buffer[i]
                    yield buffer.pop()
            while buffer:
                i = int(rng.integers(len(buffer)))
                buffer[i], buffer[-1] = buffer[-1], buffer[i]
                yield buffer.pop()

        return Dataset(shuffled, self._cardinality)

    def repeat(self, count: int | None = None) -> Dataset:
        """The dataset `count` times over (None or -1: without end)."""
        count = -1 if count is None else _check_count("count", count, "repeat")
        card = self._cardinality
        if count == -1:
            card = card if card == 0 else INFINITE_CARDINALITY
        elif card >= 0:
            card *= count

        def repeated() -> Iterator[Any]:
            for _ in (itertools.count() if count == -1 else range(count)):
                yield from self._iterate()

        return Dataset(repeated, card)

    def cache(self, filename: str = "") -> Dataset:
        """Keeps the elements of the first complete pass in memory and replays them on the next passes.

        Args:
          filename: must be "" (in memory); caching to files is not offered.

        Raises:
          ValueError: for a non-empty `filename`.
        """
        if filename != "":
            raise ValueError(f"Argument `filename` of Dataset.cache must be '' (the cache is kept in memory; files "
                             f"are not offered), received {filename!r}.")
        cached: list[Any] = []
        complete = False

        def replay() -> Iterator[Any]:
            nonlocal complete
            if complete:
                yield from cached
                return
            elements = []
            for element in self._iterate():
                elements.append(element)
                yield element
            cached[:] = elements
            complete = True

        return Dataset(replay, self._cardinality)

    def prefetch(self, buffer_size: int) -> Dataset:
        """Prepares up to `buffer_size` elements ahead in a background thread (`AUTOTUNE`: 2)."""
        if buffer_size != AUTOTUNE:
            _check_count("buffer_size", buffer_size, "prefetch", minimum=1)
        size = 2 if buffer_size == AUTOTUNE else int(buffer_size)
        return Dataset(lambda: prefetch_iterator(self._iterate(), max_queue_size=size), self._cardinality)
