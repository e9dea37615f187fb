"""Keras's `timeseries_dataset_from_array`: sliding windows over a series, as a `kerasish.data.Dataset`."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasish.data.dataset import Dataset

__all__ = ["timeseries_dataset_from_array"]


def _check_positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value!r}")
    return int(value)


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None, format: str = "tf") -> Dataset:
    """A dataset of sliding windows over a time series (and the target of each window), as Keras's function.

    Window `i` starts at time step `start_index + p_i`, with `p_i = i * sequence_stride`, and holds the
    `sequence_length` steps `start_index + p_i + k * sampling_rate`; its target is
    `targets[start_index + p_i]`. Windows run while they end before `end_index` (and while there are
    targets). For example `data=[0..99]`, `sequence_length=10`, `sampling_rate=2`, `sequence_stride=3`
    gives the windows `[0, 2, ..., 18]`, `[3, 5, ..., 21]`, ...

    With `shuffle=True` the windows are shuffled once as Keras shuffles them
    (`numpy.random.RandomState(seed)`), and with `format="tf"` visited in a new order on every pass
    (Keras's tf.data path also reshuffles); with `format="grain"` every pass keeps one order. Keras returns
    a `tf.data.Dataset` (or a grain dataset); this returns a `kerasish.data.Dataset` of NumPy batches.

    Args:
      data: an array (or list) of time steps along its first axis: `(steps, ...)`.
      targets: the target of the window starting at each step (`targets[i]` for the window starting at
        `data[i]`), or None for windows only.
      sequence_length: the number of steps in a window.
      sequence_stride: the distance between the starts of two windows.
      sampling_rate: the distance between two steps of a window.
      batch_size: windows per batch; None yields single windows.
      shuffle: shuffle the windows.
      seed: the seed of the shuffles (drawn from NumPy's global generator when None).
      start_index: the first step used (0 if None).
      end_index: the step before which the windows end (`len(data)` if None).
      format: `"tf"` or `"grain"` (see above).

    Returns:
      A `kerasish.data.Dataset` yielding `(windows, targets)` (or `windows` when `targets` is None):
      windows `(batch, sequence_length, ...)` of `data`'s dtype, targets `(batch, ...)`.

    Raises:
      ValueError: for indexes, strides or lengths out of range (Keras's messages), or no window at all.

    Example:
      >>> ds = timeseries_dataset_from_array(np.arange(10), np.arange(10) * 10, sequence_length=3, batch_size=4)
      >>> windows, targets = next(iter(ds))
      >>> windows.tolist(), targets.tolist(), len(ds)
      ([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [0, 10, 20, 30], 2)
    """
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("Argument `data` must hold time steps along a first axis, received a scalar.")
    length = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= length:
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {length}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index} ")
        if end_index >= length:
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: end_index={end_index}, "
                             f"for data of length {length}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    sampling_rate = _check_positive("sampling_rate", sampling_rate)
    if sampling_rate >= length:
        raise ValueError(f"`sampling_rate` must be lower than the length of the data. Received: "
                         f"sampling_rate={sampling_rate}, for data of length {length}")
    sequence_stride = _check_positive("sequence_stride", sequence_stride)
    if sequence_stride >= length:
        raise ValueError(f"`sequence_stride` must be lower than the length of the data. Received: "
                         f"sequence_stride={sequence_stride}, for data of length {length}")
    sequence_length = _check_positive("sequence_length", sequence_length)
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    start = start_index or 0
    end = length if end_index is None else end_index
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets) - start)
    if count <= 0:
        raise ValueError(f"No window fits: sequence_length={sequence_length} with sampling_rate={sampling_rate} spans "
                         f"{(sequence_length - 1) * sampling_rate + 1} steps, but steps {start} to {end} of `data`"
                         + ("" if targets is None else f" (and the {len(targets)} targets)") + " hold fewer.")
    starts = np.arange(0, count, sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate

    def gather(rows: np.ndarray) -> Any:
        first = start + starts[rows]
        windows = data[first[:, None] + offsets[None, :]]
        return windows if targets is None else (windows, targets[first])

    dataset = Dataset.from_rows(len(starts), gather, shuffle=shuffle, seed=seed,
                                reshuffle_each_iteration=format == "tf")
    return dataset if batch_size is None else dataset.batch(batch_size)
