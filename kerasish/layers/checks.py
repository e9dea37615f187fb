"""Checks of layer arguments and input shapes, shared by the conv, pooling, normalization, ... layers.

Each function takes the raw argument, the argument's name and the layer class's name, and returns the
standardized value or raises a `ValueError` / `TypeError` naming all three, e.g.
``The `strides` argument must be a tuple of 2 integers. Received strides=(1, 0), including values {0} that
do not satisfy `value > 0` (layer Conv2D).``
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from kerasish.shapes import Shape, format_shape


def is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def int_tuple(value: Any, rank: int, argument: str, layer: str, minimum: int = 1) -> tuple[int, ...]:
    """An int, or a sequence of `rank` ints, as a tuple of `rank` ints each `>= minimum`; the error in Keras's
    words (`standardize_tuple`), with the layer's name.

    Example:
      >>> int_tuple(3, 2, "kernel_size", "Conv2D")
      (3, 3)
    """
    values = (value,) * rank if is_int(value) else value
    message = f"The `{argument}` argument must be a tuple of {rank} integers. Received {argument}={value}"
    if not isinstance(values, (tuple, list)) or len(values) != rank or not all(is_int(v) for v in values):
        raise ValueError(f"{message} (layer {layer}; an int or a tuple of {rank} ints is accepted).")
    bad = {int(v) for v in values if v < minimum}
    if bad:
        requirement = "> 0" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"{message}, including values {bad} that do not satisfy `value {requirement}` "
                         f"(layer {layer}).")
    return tuple(int(v) for v in values)


def strictly_positive(value: Any, argument: str, layer: str) -> int:
    """`value` as an int >= 1; the error in the words of Keras's convolutions ("Expected a strictly positive value").

    Example:
      >>> strictly_positive(8, "filters", "Conv2D")
      8
    """
    if not is_int(value) or value < 1:
        raise ValueError(f"Invalid value for argument `{argument}`. Expected a strictly positive value. Received "
                         f"{argument}={value!r} (layer {layer}; a positive integer is accepted).")
    return int(value)


def positive_int(value: Any, argument: str, layer: str) -> int:
    """`value` as an int >= 1, or Keras's wording of the error ("`units` must be a positive integer").

    Example:
      >>> positive_int(3, "units", "Dense")
      3
    """
    if not is_int(value) or value < 1:
        raise ValueError(f"Argument `{argument}` must be a positive integer, received {value!r} (layer {layer}).")
    return int(value)


def choice(value: Any, allowed: tuple[str, ...], argument: str, layer: str) -> str:
    """A case-insensitive string among `allowed`, lower-cased."""
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ValueError(f"Argument `{argument}` of {layer} must be one of {list(allowed)}, received {value!r}.")
    return value.lower()


def data_format(value: Any, layer: str) -> str:
    """`None` (Keras's default, channels last), `"channels_last"` or `"channels_first"`."""
    return "channels_last" if value is None else choice(value, ("channels_last", "channels_first"),
                                                          "data_format", layer)


def boolean(value: Any, argument: str, layer: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Argument `{argument}` of {layer} must be True or False, received {value!r}.")
    return bool(value)


def number(value: Any, argument: str, layer: str, low: float | None = None, high: float | None = None,
           include_low: bool = True, include_high: bool = True) -> float:
    """A real number, optionally inside `[low, high]` (each end open or closed)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and low is not None:
        ok = value >= low if include_low else value > low
    if ok and high is not None:
        ok = value <= high if include_high else value < high
    if not ok:
        lo = "" if low is None else ("[" if include_low else "(") + f"{low}, "
        hi = "" if high is None else f"{high}" + ("]" if include_high else ")")
        where = f" in {lo or '(-inf, '}{hi or 'inf)'}" if low is not None or high is not None else ""
        raise ValueError(f"Argument `{argument}` of {layer} must be a number{where}, received {value!r}.")
    return float(value)


def dropout_rate(value: Any, layer: str) -> float:
    """A dropout rate in [0, 1), or Keras's error ("Expected a float value between 0 and 1"); 1 is refused (Keras
    accepts it and divides by zero).

    Example:
      >>> dropout_rate(0.5, "Dropout")
      0.5
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and 0 <= value < 1
    if not ok:
        raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1 "
                         f"(0 <= rate < 1). Received: rate={value!r} (layer {layer}).")
    return float(value)


def noise_shape(value: Any, layer: str) -> tuple | None:
    """A dropout `noise_shape`: None, or a sequence of positive ints and None, checked with Keras's messages.

    Example:
      >>> noise_shape([None, 1, 4], "Dropout")
      (None, 1, 4)
    """
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (tuple, list)):
        raise ValueError(f"Invalid value received for argument `noise_shape`. Expected a tuple or list of integers. "
                         f"Received: noise_shape={value!r} (layer {layer})")
    for i, dim in enumerate(value):
        if dim is not None and not is_int(dim):
            raise ValueError(f"Invalid value received for argument `noise_shape`. Expected all elements to be "
                             f"integers or None. Received element at index {i}: {dim!r} (type: {type(dim).__name__}) "
                             f"(layer {layer})")
        if dim is not None and dim <= 0:
            raise ValueError(f"Invalid value received for argument `noise_shape`. Expected all dimensions to be "
                             f"positive integers or None. Received negative or zero value at index {i}: {dim} "
                             f"(layer {layer})")
    return tuple(None if d is None else int(d) for d in value)


def check_ndim(shape: Shape, ndim: int, layer_name: str) -> None:
    """Raises the Keras-style error when an input of `shape` does not have rank `ndim`."""
    if len(shape) != ndim:
        raise ValueError(f"Input 0 of layer '{layer_name}' is incompatible with the layer: expected ndim={ndim}, "
                         f"found ndim={len(shape)}. Full shape received: {format_shape(shape)}.")


def check_axis_size(shape: Shape, axis: int, size: int, layer_name: str) -> None:
    """Raises the Keras-style error when axis `axis` of `shape` is known and differs from `size`."""
    if shape[axis] is not None and shape[axis] != size:
        raise ValueError(f"Input 0 of layer '{layer_name}' is incompatible with the layer: expected axis {axis} "
                         f"of input shape to have value {size}, but received input with shape "
                         f"{format_shape(shape)}.")


def mask_array(mask: Any, expected: tuple[int, ...], layer_name: str, argument: str = "mask",
               axes: str = "(batch, time)"):
    """`mask` as a boolean array of shape `expected` (True = keep), or a ValueError naming both shapes."""
    shape = tuple(np.shape(mask))
    if shape != tuple(expected):
        raise ValueError(f"Argument `{argument}` of layer '{layer_name}' must have shape {axes} = "
                         f"{format_shape(expected)}, received a mask of shape {format_shape(shape)}.")
    mask = jnp.asarray(mask)
    return mask if mask.dtype == jnp.bool_ else mask.astype(bool)


def int_pairs(value: Any, rank: int, argument: str, layer: str) -> tuple:
    """Padding or cropping amounts `(before, after)` per spatial axis, all >= 0, as Keras reads them.

    Rank 1: an int (both sides) or a pair; the result is one pair `(before, after)`. Rank > 1: an int (every
    side), a tuple of `rank` ints (symmetric per axis), or a tuple of `rank` pairs; the result is a tuple of
    `rank` pairs.

    Example:
      >>> int_pairs(1, 2, "padding", "ZeroPadding2D"), int_pairs((1, 2), 1, "cropping", "Cropping1D")
      (((1, 1), (1, 1)), (1, 2))
    """
    if rank == 1:
        shapes = "an int >= 0 or a tuple of 2 such ints (before, after)"
    else:
        shapes = f"an int >= 0, a tuple of {rank} such ints, or a tuple of {rank} pairs ((before, after), ...)"
    error = ValueError(f"Argument `{argument}` of {layer} must be {shapes}, received {value!r}.")
    try:
        if rank == 1:
            return int_tuple(value, 2, argument, layer, minimum=0)
        if is_int(value):
            value = (value,) * rank
        if not isinstance(value, (tuple, list)) or len(value) != rank:
            raise error
        return tuple(int_tuple(v, 2, argument, layer, minimum=0) for v in value)
    except ValueError:
        raise error from None
