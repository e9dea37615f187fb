"""`PyDataset` (Keras's `keras.utils.PyDataset`, also `Sequence`) and the machinery that runs its epochs.

A `PyDataset` is a Python object that hands out whole batches by index: `__getitem__(i)` builds batch `i`,
`__len__` says how many there are. Because batches are addressed by index, several workers can build
them at once and the caller still receives them in order, each exactly once per epoch.

`EpochRunner` is that machinery, for `fit` and for hand-written loops. It takes a `PyDataset`, any other
object with `__len__` and `__getitem__` (a grain `MapDataset`, a list of batches), or a plain iterable,
and yields the batches of one epoch per call of `epoch()`:

- `workers <= 1` (and no multiprocessing): each batch is built in the caller's thread when asked for.
- `workers > 1`: a pool of `workers` threads builds batches up to `max_queue_size` ahead of the caller
  (threads suit `__getitem__`s that read files or call NumPy, which release the GIL).
- `use_multiprocessing=True`: a pool of `workers` processes instead, started by the `forkserver` method
  (`spawn` where that does not exist), never by a plain `fork`: forking a process in which JAX runs can
  deadlock. The dataset is pickled into the workers at the start of each epoch, so what `on_epoch_end`
  changed reaches them; its class must be importable (defined in a module, not in a notebook cell).
- a plain iterable (no `__getitem__`): one background thread reads it up to `max_queue_size` ahead.

An error raised by `__getitem__` in a worker is raised again in the caller, with the worker's traceback
(threads: the original traceback; processes: the remote one as the exception's `__cause__`). Leaving an
epoch early (a `break`, an exception in the caller, Ctrl-C) cancels the batches not yet started and waits
for the running ones, so no worker outlives the epoch.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import multiprocessing
import pickle
import queue
import random
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["EpochRunner", "PyDataset", "Sequence", "ordered_map", "prefetch_iterator"]

_MAX_QUEUE_SIZE = 10


def _check_int(name: str, value: Any, minimum: int, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"Argument `{name}` of {owner} must be an int >= {minimum}, received {value!r}.")
    return value


def _check_bool(name: str, value: Any, owner: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"Argument `{name}` of {owner} must be True or False, received {value!r}.")
    return value


class PyDataset:
    """Base class of a dataset written in Python that hands out whole batches by index (Keras's `PyDataset`).

    A subclass implements `__len__` (the number of batches) and `__getitem__(index)` (batch `index`: a
    tuple `(x,)`, `(x, y)` or `(x, y, sample_weight)` of arrays, or `x` alone), and may implement
    `on_epoch_begin` / `on_epoch_end` (called before and after every epoch, e.g. to reshuffle). An endless
    dataset returns `None` from `num_batches` instead of defining `__len__`.

    Because every batch has an index, `fit` uses each sample once per epoch, and can build several batches
    at once while the model trains (see `workers`). The three arguments configure how `fit` (or an
    `EpochRunner`) iterates the dataset; iterating it by hand (`for batch in dataset`) uses no workers.

    Args:
      workers: how many threads (or processes) build batches ahead of the training step; 0 or 1 builds
        each batch in the training loop's thread when it is needed.
      use_multiprocessing: build batches in `workers` processes instead of threads: for `__getitem__`s
        that compute in Python (threads would take turns on the GIL). The dataset is pickled into the
        processes, so it must be picklable and its class importable.
      max_queue_size: the most batches prepared ahead of the training step (bounds the memory they take).

    Raises:
      ValueError: for `workers` or `max_queue_size` that are not ints (>= 0, >= 1).
      TypeError: for a `use_multiprocessing` that is not a bool.

    Example:
      >>> import math
      >>> import numpy as np
      >>> class Squares(PyDataset):
      ...     def __init__(self, n, batch_size, **kwargs):
      ...         super().__init__(**kwargs)
      ...         self.x = np.arange(n, dtype="float32")
      ...         self.batch_size = batch_size
      ...     def __len__(self):
      ...         return math.ceil(len(self.x) / self.batch_size)
      ...     def __getitem__(self, index):
      ...         x = self.x[index * self.batch_size:(index + 1) * self.batch_size]
      ...         return x, x ** 2
      >>> data = Squares(5, batch_size=2, workers=2)
      >>> len(data), data.num_batches, data.workers
      (3, 3, 2)
      >>> [y.tolist() for _, y in data]
      [[0.0, 1.0], [4.0, 9.0], [16.0]]
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self._workers = _check_int("workers", workers, 0, "PyDataset")
        self._use_multiprocessing = _check_bool("use_multiprocessing", use_multiprocessing, "PyDataset")
        self._max_queue_size = _check_int("max_queue_size", max_queue_size, 1, "PyDataset")

    def _warn_if_super_not_called(self) -> None:
        missing = [name for name in ("_workers", "_use_multiprocessing", "_max_queue_size") if name not in vars(self)]
        if missing:
            self._workers = vars(self).get("_workers", 1)
            self._use_multiprocessing = vars(self).get("_use_multiprocessing", False)
            self._max_queue_size = vars(self).get("_max_queue_size", _MAX_QUEUE_SIZE)
            warnings.warn(f"{type(self).__name__} should call `super().__init__(**kwargs)` in its constructor, "
                          f"where `**kwargs` may hold `workers`, `use_multiprocessing` and `max_queue_size`; "
                          f"without it they take their defaults (1, False, 10).", stacklevel=3)

    @property
    def workers(self) -> int:
        """How many threads or processes build batches ahead of the caller (0 or 1: none)."""
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = _check_int("workers", value, 0, "PyDataset")

    @property
    def use_multiprocessing(self) -> bool:
        """Whether the workers are processes (True) or threads (False)."""
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = _check_bool("use_multiprocessing", value, "PyDataset")

    @property
    def max_queue_size(self) -> int:
        """The most batches prepared ahead of the caller."""
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = _check_int("max_queue_size", value, 1, "PyDataset")

    def __getitem__(self, index: int) -> Any:
        """Returns batch `index` (0-based): a tuple `(x,)`, `(x, y)`, `(x, y, sample_weight)`, or `x`."""
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(self, index)` returning "
                                  f"batch `index`.")

    @property
    def num_batches(self) -> int | None:
        """The number of batches (`len(self)`), or None for a dataset without end."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__` (the number of batches), or "
                                  f"a `num_batches` property returning None for a dataset without end.")

    def __iter__(self) -> Iterator[Any]:
        """Yields the batches in index order, in this thread (no workers): for looking at a few batches."""
        try:
            count = self.num_batches
        except NotImplementedError:
            count = None
        for index in (range(count) if count is not None else itertools.count()):
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called before the first batch of every epoch."""

    def on_epoch_end(self) -> None:
        """Called after the last batch of every epoch (e.g. to reshuffle the samples)."""


Sequence = PyDataset  # Keras keeps the name of its older class as an alias


# ---------------------------------------------------------------------------------------------------------
# Prefetching in order
# ---------------------------------------------------------------------------------------------------------


def _prefetch_ordered(submit: Callable[[Any], concurrent.futures.Future], items: Iterable, depth: int,
                      consumed: Callable[[Any], None] | None = None) -> Iterator[Any]:
    """Yields `submit(item).result()` for each item in order, keeping `depth` submissions in flight."""
    pending: deque[tuple[Any, concurrent.futures.Future]] = deque()
    items = iter(items)
    try:
        for item in itertools.islice(items, depth):
            pending.append((item, submit(item)))
        while pending:
            item, future = pending.popleft()
            result = future.result()  # re-raises a worker's exception with its traceback
            for nxt in itertools.islice(items, 1):
                pending.append((nxt, submit(nxt)))
            if consumed is not None:
                consumed(item)  # handed over at the yield, even if the consumer stops there
            yield result
    finally:
        for _, future in pending:
            future.cancel()


def ordered_map(function: Callable[[Any], Any], items: Iterable, workers: int, max_queue_size: int = 10
                ) -> Iterator[Any]:
    """`map(function, items)` computed by `workers` threads up to `max_queue_size` items ahead, in order.

    Args:
      function: called once per item, in a worker thread.
      items: an iterable (may be endless: it is read only as far as the results are consumed, plus
        `max_queue_size`).
      workers: the number of threads (>= 1).
      max_queue_size: the most results computed ahead of the consumer (>= 1).

    Returns:
      A generator of `function(item)` in the order of `items`. Closing it early (or an error) cancels the
      calls not started yet and waits for the running ones.

    Example:
      >>> list(ordered_map(lambda x: x * x, range(5), workers=2))
      [0, 1, 4, 9, 16]
    """
    workers = _check_int("workers", workers, 1, "ordered_map")
    max_queue_size = _check_int("max_queue_size", max_queue_size, 1, "ordered_map")
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="kerasish_map") as pool:
        yield from _prefetch_ordered(lambda item: pool.submit(function, item), items, max_queue_size)


_END = object()


class _Failure:
    """An exception raised by the reader thread, carried to the consumer (its traceback rides along)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _IteratorReader:
    """One background thread calling `next(iterator)` into a bounded queue until told to stop."""

    def __init__(self, iterator: Iterator, max_queue_size: int) -> None:
        self.iterator = iterator
        self.queue: queue.Queue = queue.Queue(max_queue_size)
        self.stopping = threading.Event()
        self.finished = False
        self.thread = threading.Thread(target=self._read, name="kerasish_prefetch", daemon=True)
        self.thread.start()

    def _put(self, item: Any) -> bool:
        while not self.stopping.is_set():
            try:
                self.queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    item = next(self.iterator)
                except StopIteration:
                    self._put(_END)
                    return
                if not self._put(item):
                    return
        except BaseException as error:  # noqa: BLE001 - carried to the consumer and raised there
            self._put(_Failure(error))

    def items(self) -> Iterator[Any]:
        """Yields what the thread reads until the iterator ends; stopping early leaves the rest queued."""
        while not self.finished:
            item = self.queue.get()
            if item is _END:
                self.finished = True
                return
            if isinstance(item, _Failure):
                self.finished = True
                raise item.error
            yield item

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()


def prefetch_iterator(iterable: Iterable, max_queue_size: int = 10) -> Iterator[Any]:
    """Iterates `iterable` in one background thread, up to `max_queue_size` items ahead of the consumer.

    For Python generators and other iterators whose items cannot be addressed by index. Items come in
    their order; an exception raised by the iterable is raised in the consumer with its traceback.

    Args:
      iterable: any iterable; `iter(iterable)` is called once.
      max_queue_size: the most items read ahead (>= 1).

    Returns:
      A generator of the items. Closing it stops the thread (after the item it is reading).

    Example:
      >>> list(prefetch_iterator(x * 2 for x in range(4)))
      [0, 2, 4, 6]
    """
    max_queue_size = _check_int("max_queue_size", max_queue_size, 1, "prefetch_iterator")
    reader = _IteratorReader(iter(iterable), max_queue_size)
    try:
        yield from reader.items()
    finally:
        reader.stop()


# ---------------------------------------------------------------------------------------------------------
# Worker processes
# ---------------------------------------------------------------------------------------------------------

_worker_source: Any = None  # the dataset, in a worker process


def _install_source(source: Any) -> None:
    global _worker_source
    _worker_source = source


def _fetch_in_worker(index: int) -> Any:
    return _worker_source[index]


def _start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _process_context(source: Any) -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context(_start_method())
    if _start_method() != "forkserver":
        return context
    # The server process imports these once; every worker forked from it then starts without importing
    # kerasish (and JAX) again. Only the first call in a process counts: the server starts once.
    preload = ["kerasish.data.py_dataset"]
    module = getattr(type(source), "__module__", "__main__")
    if module not in ("__main__", "builtins"):
        preload.append(module)
    context.set_forkserver_preload(preload)
    return context


def _broken_pool_error(source: Any, error: BaseException) -> RuntimeError:
    return RuntimeError(
        f"{type(source).__name__} cannot be run by worker processes (use_multiprocessing=True): {error!r}. "
        f"The processes are started with '{_start_method()}' (forking a process that runs "
        f"JAX can deadlock), so the dataset is pickled into them: its class must be importable from a module "
        f"(not defined in a notebook cell or in a script without an `if __name__ == \"__main__\":` guard) and "
        f"everything it holds must be picklable. Use threads (use_multiprocessing=False) otherwise.")


# ---------------------------------------------------------------------------------------------------------
# Epochs
# ---------------------------------------------------------------------------------------------------------


class EpochRunner:
    """Yields the batches of a dataset one epoch at a time, built ahead by workers while the caller computes.

    Args:
      source: a `PyDataset`; any object with `__len__` and `__getitem__` (a grain `MapDataset`, a list
        of batches); or an iterable without `__getitem__` (a generator, a `kerasish.data.Dataset`).
      shuffle: visit the batches of each epoch in a new random order (indexable sources only; the order
        of batches is shuffled, not the samples inside a batch, as Keras does).
      workers: overrides the source's `workers` (a `PyDataset` has its own; other sources default to 1).
      use_multiprocessing: overrides the source's `use_multiprocessing` (default False).
      max_queue_size: overrides the source's `max_queue_size` (default 10).
      rng: a `random.Random` drawing the shuffled orders; Python's global generator by default (the one
        `kerasish.utils.set_random_seed` and Keras's `set_random_seed` seed, and from which Keras draws
        the same orders).

    An indexable source: every epoch visits each batch once, in index order or shuffled, calling the
    source's `on_epoch_begin()` before the first batch and `on_epoch_end()` after the last one. A source
    without end (`PyDataset.num_batches` None) goes on from the first batch the previous epoch did not
    consume. A re-iterable source (`iter(source)` is a new iterator) starts afresh every epoch; an iterator
    (`iter(source) is source`) goes on where the previous epoch stopped: its items read ahead are kept.

    Raises:
      TypeError: for a source that is neither indexable nor iterable, or `shuffle` of a plain iterable.
      ValueError: for workers / max_queue_size out of range.

    Example:
      >>> runner = EpochRunner([("a",), ("b",), ("c",)], workers=2)
      >>> runner.num_batches, list(runner.epoch()), list(runner.epoch(steps=2))
      (3, [('a',), ('b',), ('c',)], [('a',), ('b',)])
    """

    def __init__(self, source: Any, *, shuffle: bool = False, workers: int | None = None,
                 use_multiprocessing: bool | None = None, max_queue_size: int | None = None,
                 rng: random.Random | None = None) -> None:
        self.source = source
        self.shuffle = _check_bool("shuffle", shuffle, "EpochRunner")
        is_py_dataset = isinstance(source, PyDataset)
        self.indexable = is_py_dataset or (hasattr(source, "__getitem__") and hasattr(source, "__len__"))
        if not self.indexable and not hasattr(source, "__iter__"):
            raise TypeError(f"EpochRunner needs a PyDataset, an object with `__len__` and `__getitem__`, or an "
                            f"iterable; received {type(source).__name__}.")
        if shuffle and not self.indexable:
            raise TypeError(f"Argument `shuffle=True` needs batches addressed by index (a PyDataset, or an object "
                            f"with `__len__` and `__getitem__`); {type(source).__name__} can only be iterated.")
        defaults = ((source.workers, source.use_multiprocessing, source.max_queue_size) if is_py_dataset
                    else (1, False, _MAX_QUEUE_SIZE))
        self.workers = _check_int("workers", defaults[0] if workers is None else workers, 0, "EpochRunner")
        self.use_multiprocessing = _check_bool(
            "use_multiprocessing", defaults[1] if use_multiprocessing is None else use_multiprocessing, "EpochRunner")
        self.max_queue_size = _check_int(
            "max_queue_size", defaults[2] if max_queue_size is None else max_queue_size, 1, "EpochRunner")
        self.rng = rng
        self._next_index = 0  # where an endless source goes on
        self._reader: _IteratorReader | None = None  # the read-ahead of an iterator source, kept across epochs

    @property
    def num_batches(self) -> int | None:
        """The batches of one epoch, or None when unknown (an endless or plain iterable source)."""
        if isinstance(self.source, PyDataset):
            return self.source.num_batches
        if self.indexable or hasattr(self.source, "__len__"):
            try:
                return len(self.source)
            except TypeError:  # a dataset whose length is unknown says so with a TypeError, as tf.data does
                return None
        return None

    def epoch(self, steps: int | None = None) -> Iterator[Any]:
        """A generator of the batches of the next epoch.

        Args:
          steps: end the epoch after this many batches (`steps_per_epoch`); an endless source needs it.

        Returns:
          The batches, in order. When the generator is exhausted (the epoch or its `steps` are done) the
          source's `on_epoch_end` has been called; closing it earlier does not call it.

        Raises:
          ValueError: for `steps` that is not a positive int, or missing for an endless source.
        """
        if steps is not None:
            steps = _check_int("steps", steps, 1, "EpochRunner.epoch")
        if self.indexable:
            return self._indexed_epoch(steps)
        return self._iterable_epoch(steps)

    def close(self) -> None:
        """Stops the read-ahead thread of an iterator source (epochs of other sources clean up themselves)."""
        if self._reader is not None:
            self._reader.stop()
            self._reader = None

    def __enter__(self) -> EpochRunner:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _epoch_indices(self, steps: int | None) -> Iterable[int]:
        count = self.num_batches
        if count is None:
            if steps is None:
                raise ValueError(f"{type(self.source).__name__} has no end (num_batches is None): pass `steps`, "
                                 f"the number of batches of one epoch.")
            return range(self._next_index, self._next_index + steps)
        order = list(range(count))
        if self.shuffle:
            (self.rng.shuffle if self.rng is not None else random.shuffle)(order)
        return order if steps is None else order[:steps]

    def _indexed_epoch(self, steps: int | None) -> Iterator[Any]:
        indices = self._epoch_indices(steps)
        endless = self.num_batches is None

        def consumed(index: int) -> None:
            if endless:
                self._next_index = index + 1

        hook = getattr(self.source, "on_epoch_begin", None)
        if callable(hook):
            hook()
        if self.workers <= 1 and not (self.use_multiprocessing and self.workers > 0):
            for index in indices:
                batch = self.source[index]
                consumed(index)
                yield batch
        elif self.use_multiprocessing:
            try:
                pickle.dumps(self.source)
            except Exception as error:  # noqa: BLE001 - any pickling failure gets the same explanation
                raise _broken_pool_error(self.source, error) from error
            pool = concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=_process_context(self.source),
                                                          initializer=_install_source, initargs=(self.source,))
            try:
                yield from _prefetch_ordered(lambda i: pool.submit(_fetch_in_worker, i), indices,
                                             self.max_queue_size, consumed)
            except concurrent.futures.process.BrokenProcessPool as error:
                raise _broken_pool_error(self.source, error) from error
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        else:
            # Leaving the block waits for the running batches; _prefetch_ordered cancels the others.
            with concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="kerasish_batches") as pool:
                yield from _prefetch_ordered(lambda i: pool.submit(self.source.__getitem__, i), indices,
                                             self.max_queue_size, consumed)
        hook = getattr(self.source, "on_epoch_end", None)
        if callable(hook):
            hook()

    def _iterable_epoch(self, steps: int | None) -> Iterator[Any]:
        iterator = iter(self.source)
        if iterator is self.source:  # an iterator: one reader for all epochs, so nothing read ahead is lost
            if self._reader is None:
                self._reader = _IteratorReader(iterator, self.max_queue_size)
            yield from itertools.islice(self._reader.items(), steps)
            return
        reader = _IteratorReader(iterator, self.max_queue_size)
        try:
            yield from itertools.islice(reader.items(), steps)
        finally:
            reader.stop()
