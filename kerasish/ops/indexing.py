"""Ops of `keras.ops.numpy` that pick, search or compare elements: take, take_along_axis, get_item, select,
nonzero, searchsorted, digitize, isin, isclose, nan_to_num, ...

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> x = jnp.array([[10, 20], [30, 40]])
  >>> ops.take(x, jnp.array([1, 0]), axis=1).tolist(), ops.get_item(x, (slice(None), 0)).tolist()
  ([[20, 10], [40, 30]], [10, 30])
"""

from __future__ import annotations

import jax.numpy as jnp

from kerasish.ops.dispatch import keras_op, optional_dtype, tensor


@keras_op
def take(x, indices, axis=None):
    """The elements of `x` at `indices` along `axis` (of the flattened `x` when None) (`keras.ops.take`).

    Negative indices count from the end. Out-of-range indices give JAX's fill value (NaN for floats), as
    Keras's JAX backend does.

    Example:
      >>> import jax.numpy as jnp
      >>> take(jnp.array([5, 6, 7]), jnp.array([2, -1])).tolist()
      [7, 7]
    """
    return jnp.take(tensor(x), tensor(indices), axis=axis)


@keras_op
def take_along_axis(x, indices, axis=None):
    """The elements of `x` at `indices`, matched along every axis but `axis` (`keras.ops.take_along_axis`):
    the inverse of `argsort`-like index tensors.

    Example:
      >>> import jax.numpy as jnp
      >>> x = jnp.array([[3, 1], [2, 4]])
      >>> take_along_axis(x, jnp.argsort(x, axis=1), axis=1).tolist()
      [[1, 3], [2, 4]]
    """
    return jnp.take_along_axis(tensor(x), tensor(indices), axis=axis)


@keras_op
def get_item(x, key):
    """`x[key]` (`keras.ops.get_item`): NumPy indexing with ints, slices, None, Ellipsis and index tensors.

    Example:
      >>> import jax.numpy as jnp
      >>> get_item(jnp.arange(6).reshape(2, 3), (Ellipsis, 1)).tolist()
      [1, 4]
    """
    return tensor(x)[key]


@keras_op
def select(condlist, choicelist, default=0):
    """For each element, the value from the first choice whose condition holds, else `default`
    (`keras.ops.select`).

    Args:
      condlist: a list of bool tensors.
      choicelist: a list of tensors, one per condition.
      default: the value where no condition holds.

    Raises:
      ValueError: when either list is not a non-empty list or tuple.

    Example:
      >>> import jax.numpy as jnp
      >>> x = jnp.array([-1.0, 0.0, 2.0])
      >>> select([x < 0, x > 0], [-x, 2 * x], default=9.0).tolist()
      [1.0, 9.0, 4.0]
    """
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise ValueError(f"Arguments `condlist` and `choicelist` of select must be lists, received "
                         f"{type(condlist).__name__} and {type(choicelist).__name__}.")
    if not condlist or not choicelist:
        raise ValueError("Arguments `condlist` and `choicelist` of select must not be empty.")
    return jnp.select([tensor(c) for c in condlist], [tensor(c) for c in choicelist], default=default)


@keras_op
def nonzero(x):
    """The indices of the non-zero elements, one int32 tensor per axis (`keras.ops.nonzero`); eager only
    (the count depends on the values)."""
    return jnp.nonzero(tensor(x))


@keras_op
def searchsorted(sorted_sequence, values, side="left"):
    """Where `values` would be inserted into the 1-D `sorted_sequence` to keep it sorted
    (`keras.ops.searchsorted`).

    Raises:
      ValueError: for a `sorted_sequence` that is not 1-D, or a `side` other than "left" / "right".

    Example:
      >>> import jax.numpy as jnp
      >>> searchsorted(jnp.array([1, 3, 5]), jnp.array([0, 3, 6])).tolist()
      [0, 1, 3]
    """
    sorted_sequence, values = tensor(sorted_sequence), tensor(values)
    if sorted_sequence.ndim != 1:
        raise ValueError(f"Argument `sorted_sequence` of searchsorted must be 1-D (use vectorized_map for more axes), "
                         f"received shape {sorted_sequence.shape}.")
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` of searchsorted must be 'left' or 'right', received {side!r}.")
    return jnp.searchsorted(sorted_sequence, values, side=side)


@keras_op
def digitize(x, bins):
    """The index of the bin of each element of `x` for the increasing 1-D `bins` (`keras.ops.digitize`).

    Example:
      >>> import jax.numpy as jnp
      >>> digitize(jnp.array([0.5, 1.5, 3.0]), jnp.array([1.0, 2.0])).tolist()
      [0, 1, 2]
    """
    return jnp.digitize(tensor(x), tensor(bins))


@keras_op
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of `x1` occurs in `x2` (a bool tensor of `x1`'s shape) (`keras.ops.isin`)."""
    return jnp.isin(tensor(x1), tensor(x2), assume_unique=assume_unique, invert=invert)


@keras_op
def unravel_index(indices, shape):
    """The coordinates in `shape` of flat `indices`, one tensor per axis (`keras.ops.unravel_index`)."""
    return jnp.unravel_index(tensor(indices), shape)


@keras_op(elementwise=True)
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """`x` with NaN replaced by `nan` and infinities by `posinf` / `neginf` (the dtype's extremes when None)
    (`keras.ops.nan_to_num`)."""
    return jnp.nan_to_num(tensor(x), nan=nan, posinf=posinf, neginf=neginf)


@keras_op(elementwise=True)
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether `|x1 - x2| <= atol + rtol * |x2|`, element-wise (`keras.ops.isclose`)."""
    return jnp.isclose(tensor(x1), tensor(x2), rtol, atol, equal_nan)


@keras_op
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether `isclose` holds everywhere (a bool scalar) (`keras.ops.allclose`)."""
    return jnp.allclose(tensor(x1), tensor(x2), rtol, atol, equal_nan)


@keras_op
def view(x, dtype=None):
    """`x`'s bits reinterpreted as `dtype` (`keras.ops.view`); a wider or narrower dtype changes the last axis."""
    return tensor(x).view(optional_dtype(dtype))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` made to map over the leading axes of its tensor arguments (`keras.ops.vectorize`).

    Args:
      pyfunc: a function of tensors.
      excluded: positions or names of arguments passed through unvectorized.
      signature: a generalized ufunc signature such as `"(n),(n)->()"`.

    Raises:
      ValueError: for a `pyfunc` that is not callable.

    Example:
      >>> import jax.numpy as jnp
      >>> vectorize(lambda a, b: a + b)(jnp.array([1, 2]), jnp.array([10, 20])).tolist()
      [11, 22]
    """
    if not callable(pyfunc):
        raise ValueError(f"Argument `pyfunc` of vectorize must be callable, received {pyfunc!r}.")
    return jnp.vectorize(pyfunc, excluded=set() if excluded is None else excluded, signature=signature)


__all__ = sorted(["vectorize"] + [name for name, value in list(globals().items())
                                  if callable(value) and hasattr(value, "elementwise")])
