"""Keras's `pack_x_y_sample_weight` / `unpack_x_y_sample_weight`: one batch as `x`, `(x, y)` or `(x, y, w)`.

A custom `train_step(self, data)` receives a batch as its dataset yields it; these two functions turn it
into its three parts and back, as Keras's do (a list counts as a tuple; a lone `x` is not wrapped).
"""

from __future__ import annotations

from typing import Any

__all__ = ["pack_x_y_sample_weight", "unpack_x_y_sample_weight"]


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """Splits a batch into `(x, y, sample_weight)`, with None for the parts it does not have.

    Args:
      data: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` (a list counts as a tuple; anything that is
        not a tuple or list, a dict included, is `x`).

    Returns:
      The tuple `(x, y, sample_weight)`.

    Raises:
      ValueError: for a tuple or list of more than three parts (or none).

    Example:
      >>> unpack_x_y_sample_weight(([1, 2], [0, 1]))
      ([1, 2], [0, 1], None)
      >>> unpack_x_y_sample_weight({"image": 1})
      ({'image': 1}, None, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if 1 <= len(data) <= 3:
        return (data + (None, None))[:3]
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found a "
                     f"tuple of {len(data)} elements: {str(data)[:200]}")


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Packs a batch as Keras does: `x` alone when there is no `y`, else `(x, y)` or `(x, y, sample_weight)`.

    A lone `x` that is itself a tuple or list is wrapped as `(x,)`, so that unpacking gives it back whole.

    Args:
      x: the inputs.
      y: the targets, or None.
      sample_weight: the sample weights, or None.

    Returns:
      `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    Raises:
      ValueError: for a `sample_weight` without `y` (Keras drops it silently).

    Example:
      >>> pack_x_y_sample_weight([1, 2], [0, 1])
      ([1, 2], [0, 1])
      >>> pack_x_y_sample_weight((1, 2))
      ((1, 2),)
    """
    if y is None:
        if sample_weight is not None:
            raise ValueError("Argument `sample_weight` of pack_x_y_sample_weight needs a `y`: received y=None and a "
                             "sample_weight, which the packed batch could not hold.")
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight
