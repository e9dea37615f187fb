"""Keras's `pad_sequences`: a list of sequences of different lengths as one padded array."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pad_sequences"]

_SIDES = ("pre", "post")


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32", padding: str = "pre",
                  truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Pads (or truncates) sequences to one length and stacks them into an array, as Keras's `pad_sequences`.

    Sequences shorter than `maxlen` are filled with `value` before them (`padding="pre"`) or after them
    (`"post"`); longer ones lose their first (`truncating="pre"`) or last (`"post"`) items.

    Args:
      sequences: a list (or array) of `num_samples` sequences; each a list or array of items, which may be
        arrays themselves (all of one shape).
      maxlen: the length of the output; the longest sequence's length by default.
      dtype: the dtype of the output (`object` for strings of any length).
      padding: `"pre"` or `"post"`: where the padding goes.
      truncating: `"pre"` or `"post"`: which end of a too long sequence is cut.
      value: the padding value.

    Returns:
      A NumPy array of shape `(num_samples, maxlen) + item_shape`.

    Raises:
      ValueError: for `sequences` without a length or holding a non-sequence, `padding` / `truncating`
        other than "pre" / "post", a negative `maxlen`, a string `value` with a non-string `dtype`, or items
        of different shapes.

    Example:
      >>> pad_sequences([[1, 2, 3], [4], [5, 6]]).tolist()
      [[1, 2, 3], [0, 0, 4], [0, 5, 6]]
      >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post").tolist()
      [[1, 2], [4, 0]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be iterable (a list of sequences with a length), received "
                         f"{type(sequences).__name__}.")
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in _SIDES:
            raise ValueError(f'Argument `{name}` of pad_sequences must be "pre" or "post", received {side!r}.')
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise ValueError(f"Argument `maxlen` of pad_sequences must be None or an int >= 0, received {maxlen!r}.")
    lengths = []
    item_shape: tuple[int, ...] | None = None
    for position, sequence in enumerate(sequences):
        try:
            lengths.append(len(sequence))
        except TypeError as err:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {sequence!r} at position "
                             f"{position}.") from err
        if item_shape is None and len(sequence):
            item_shape = np.asarray(sequence).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    is_text_dtype = dtype is object or np.issubdtype(np.dtype(dtype), np.str_) or np.issubdtype(np.dtype(dtype),
                                                                                                np.bytes_)
    if isinstance(value, str) and not is_text_dtype:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}. You should set "
                         f"`dtype=object` for variable length strings.")
    padded = np.full((len(lengths), int(maxlen)) + item_shape, value, dtype=dtype)
    for position, (sequence, length) in enumerate(zip(sequences, lengths)):
        kept = min(length, int(maxlen))
        if kept == 0:
            continue
        items = sequence[length - kept:] if truncating == "pre" else sequence[:kept]
        items = np.asarray(items, dtype=dtype)
        if items.shape[1:] != item_shape:
            raise ValueError(f"Shape of sample {items.shape[1:]} of sequence at position {position} is different "
                             f"from expected shape {item_shape}")
        if padding == "pre":
            padded[position, int(maxlen) - kept:] = items
        else:
            padded[position, :kept] = items
    return padded
