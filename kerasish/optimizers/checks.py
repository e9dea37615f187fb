"""Argument checks shared by the optimizers: a clear `ValueError` naming the argument, the value and the range.

Keras 3 checks few of its optimizers' arguments and computes garbage from the rest (`SGD(learning_rate=inf)`
writes NaN into the weights; `clipnorm=0` is silently ignored); kerasish refuses them when the optimizer is
made.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


def as_number(value: Any) -> float | None:
    """`value` as a Python float when it is a real number (Python, NumPy or a 0-d array), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if hasattr(value, "shape") and getattr(value, "dtype", None) is not None:
        array = np.asarray(value)
        if array.shape == () and array.dtype.kind in "iuf":
            return float(array)
    return None


def number(name: str, value: Any, low: float | None = None, high: float | None = None, *, low_open: bool = False,
           high_open: bool = False, owner: str = "") -> float:
    """Checks that `value` is a finite real number in the given range and returns it as a float.

    Args:
      name: the argument's name, for the message.
      value: what was received.
      low: the lower bound, or None.
      high: the upper bound, or None.
      low_open: whether `low` itself is excluded.
      high_open: whether `high` itself is excluded.
      owner: the class whose argument it is (`"SGD"`), for the message.

    Returns:
      `value` as a float.

    Raises:
      ValueError: naming the argument, the value received and the accepted range.

    Example:
      >>> number("momentum", 0.9, 0.0, 1.0)
      0.9
    """
    x = as_number(value)
    ok = x is not None and math.isfinite(x)
    if ok and low is not None:
        ok = x > low if low_open else x >= low
    if ok and high is not None:
        ok = x < high if high_open else x <= high
    if not ok:
        accepted = describe(low, high, low_open, high_open)
        raise ValueError(f"Argument `{name}`{f' of {owner}' if owner else ''} must be {accepted}, received "
                         f"{name}={value!r}.")
    return x


def keras_range(failed: bool, message: str) -> None:
    """Raises Keras's own message (a `ValueError`) where Keras checks an argument itself, so code and tests that
    match Keras's words keep working; `number` then refuses what Keras lets through (NaN, infinity)."""
    if failed:
        raise ValueError(message)


def describe(low: float | None, high: float | None, low_open: bool = False, high_open: bool = False) -> str:
    """The words for a range: `a finite number in [0, 1)`, `a finite number > 0`, ..."""
    if low is not None and high is not None:
        return f"a finite number in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"a finite number {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"a finite number {'<' if high_open else '<='} {high:g}"
    return "a finite number"


def optional_number(name: str, value: Any, low: float | None = None, high: float | None = None, *,
                    low_open: bool = False, high_open: bool = False, owner: str = "") -> float | None:
    """`number`, with None accepted (and returned)."""
    if value is None:
        return None
    number(name, value, low, high, low_open=low_open, high_open=high_open, owner=owner)
    return value


def integer(name: str, value: Any, low: int, owner: str = "", allow_none: bool = False) -> int | None:
    """Checks that `value` is an int `>= low` (or None when `allow_none`).

    Raises:
      ValueError: naming the argument, the value and the accepted range.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        accepted = f"an integer >= {low}" + (" or None" if allow_none else "")
        raise ValueError(f"Argument `{name}`{f' of {owner}' if owner else ''} must be {accepted}, received "
                         f"{name}={value!r}.")
    return int(value)


def boolean(name: str, value: Any, owner: str = "") -> bool:
    """Checks that `value` is a bool (NumPy's included).

    Raises:
      ValueError: naming the argument and the value.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Argument `{name}`{f' of {owner}' if owner else ''} must be True or False, received "
                         f"{name}={value!r}.")
    return bool(value)
