"""Shapes as kerasish reads and prints them: tuples of ints with `None` for unknown sizes, batch axis first.

The bottom floor: layers, models, the data checks and the summary all speak of shapes, and all import
them from here (this module imports nothing of kerasish).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

Shape = tuple  # a shape with `None` for unknown sizes, batch axis first: (None, 64)

#: Two sizes to trace an unknown batch axis with; distinct, and unlikely to equal a real axis size by chance.
STAND_INS = (2, 3)
#: Two sizes to trace the other unknown axes with (a sequence's length, an image's side): large enough for a
#: convolution's kernel, and far enough apart that strides and pooling still give different sizes.
INNER_STAND_INS = (64, 97)


def stand_in_shape(shape: Sequence[int | None], size: int) -> tuple[int, ...]:
    """`shape` with its unknown axes given sizes to trace with: the batch axis (the first) `size` (one of
    `STAND_INS`), the others the matching entry of `INNER_STAND_INS`.

    Example:
      >>> stand_in_shape((None, None, 10), 2), stand_in_shape((None, 4), 3)
      ((2, 64, 10), (3, 4))
    """
    inner = INNER_STAND_INS[STAND_INS.index(size)] if size in STAND_INS else size
    return tuple((size if i == 0 else inner) if d is None else d for i, d in enumerate(shape))


def format_shape(shape: Sequence[int | None]) -> str:
    """`(None, 3)`, `(5,)`: a shape as Keras prints it.

    Example:
      >>> format_shape((None, 3)), format_shape([5])
      ('(None, 3)', '(5,)')
    """
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def standardize_shape(shape: Any, argument: str = "input_shape") -> Shape:
    """Turns a shape-like value into a tuple of int/None, or raises a clear error.

    Raises:
      TypeError: for something that is not an int, tuple or list.
      ValueError: for an entry that is neither a non-negative int nor None.
    """
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"Argument `{argument}` must be a tuple of ints (None for unknown sizes), "
                        f"received {shape!r}.")
    out = []
    for d in shape:
        if d is None:
            out.append(None)
        elif isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0:
            out.append(int(d))
        else:
            raise ValueError(f"Argument `{argument}` must hold non-negative ints or None, received {shape!r}.")
    return tuple(out)


def merge_traced_shapes(a: Sequence[int], b: Sequence[int]) -> Shape:
    """The shape traced with both `STAND_INS`: the axes that differ (the batch axis among them) are None.

    An axis that does not follow the stand-ins keeps its size, the first one included: an op's output need
    not have a batch axis (`ops.sum(x, axis=0)` has shape `(features,)`, `ops.mean(x)` shape `()`).
    """
    return tuple(x if x == y else None for x, y in zip(a, b))


def is_shape(value: Any) -> bool:
    """A single shape: a tuple/list of ints and None (as opposed to a list of shapes)."""
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in value)


def map_shapes(fn, shapes: Any) -> Any:
    """Applies `fn` to one shape, or to each shape of a (nested) list / dict of shapes."""
    if is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: map_shapes(fn, v) for k, v in shapes.items()}
    if isinstance(shapes, (tuple, list)):
        return type(shapes)(map_shapes(fn, v) for v in shapes)
    return fn(shapes)


def standardize_shapes(shapes: Any) -> Any:
    """Each shape as a tuple of int/None with the batch axis set to None."""
    return map_shapes(lambda s: (None,) + standardize_shape(s)[1:], shapes)


def input_shapes(x: Any) -> Any:
    """The shape of an array input, or the list / dict of shapes of several inputs."""
    if isinstance(x, dict):
        return {k: input_shapes(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(input_shapes(v) for v in x)
    return None if x is None else tuple(x.shape)  # None: an optional input left out


def standardized_rank(shape: Sequence[int | None], expected: Sequence[int | None]) -> tuple | None:
    """Keras's rank standardisation of a model input: `shape` with its trailing axis of 1 squeezed when it has one
    axis more than `expected`, or with a trailing axis of 1 added when it has one less and `expected` ends in 1;
    `shape` itself when the ranks agree; None when neither applies.

    Example:
      >>> standardized_rank((32, 3, 1), (None, 3)), standardized_rank((32,), (None, 1))
      ((32, 3), (32, 1))
      >>> standardized_rank((32,), (None, 3)) is None
      True
    """
    shape, expected = tuple(shape), tuple(expected)
    if len(shape) == len(expected):
        return shape
    if len(shape) == len(expected) + 1 and shape[-1] == 1:
        return shape[:-1]
    if len(shape) == len(expected) - 1 and expected[-1] == 1:
        return shape + (1,)
    return None


def mask_leaves(mask: Any) -> list:
    """The masks of a (nested) list / dict of masks, in order, None kept in place: `[m, None, None]`."""
    return jax.tree.leaves(mask, is_leaf=lambda m: m is None)
