"""Ops of `keras.ops.numpy` that make tensors or rearrange them: zeros, arange, eye, reshape, transpose,
concatenate, stack, split, tile, pad, ...

Creation ops default to `floatx()` (float32) as Keras's do (`full((2,), 3)` is float32, unlike
NumPy); `arange` takes the promoted dtype of its arguments (ints give int32, any float gives float32).
Shapes are tuples of ints; `reshape` takes one -1 for an inferred size.

Example:
  >>> from kerasish import ops
  >>> ops.full((2,), 3).dtype, ops.arange(3).dtype, ops.arange(0, 1, 0.5).tolist()
  (dtype('float32'), dtype('int32'), [0.0, 0.5])
  >>> ops.reshape(ops.arange(6), (-1, 3)).shape, ops.split(ops.arange(4), 2)[1].tolist()
  ((2, 3), [2, 3])
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kerasish.backend import floatx, result_type
from kerasish.ops.dispatch import canonical_axis, cast, keras_op, optional_dtype, tensor

# -- creation ---------------------------------------------------------------------------------------------


@keras_op
def zeros(shape, dtype=None):
    """A tensor of zeros of `shape`, `floatx()` by default (`keras.ops.zeros`).

    Example:
      >>> zeros((2, 1)).tolist()
      [[0.0], [0.0]]
    """
    return jnp.zeros(shape, dtype=optional_dtype(dtype) or floatx())


@keras_op
def ones(shape, dtype=None):
    """A tensor of ones of `shape`, `floatx()` by default (`keras.ops.ones`).

    Example:
      >>> ones((2,), dtype="int32").tolist()
      [1, 1]
    """
    return jnp.ones(shape, dtype=optional_dtype(dtype) or floatx())


@keras_op
def empty(shape, dtype=None):
    """An uninitialized tensor of `shape` (zeros on JAX), `floatx()` by default (`keras.ops.empty`)."""
    return jnp.empty(shape, dtype=optional_dtype(dtype) or floatx())


@keras_op
def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with `fill_value`, `floatx()` by default even for an int value (`keras.ops.full`).

    Example:
      >>> full((2,), 7).tolist()
      [7.0, 7.0]
    """
    return jnp.full(shape, tensor(fill_value), dtype=optional_dtype(dtype) or floatx())


@keras_op
def zeros_like(x, dtype=None):
    """Zeros of `x`'s shape and dtype (or `dtype`) (`keras.ops.zeros_like`)."""
    return jnp.zeros_like(tensor(x), dtype=optional_dtype(dtype))


@keras_op
def ones_like(x, dtype=None):
    """Ones of `x`'s shape and dtype (or `dtype`) (`keras.ops.ones_like`)."""
    return jnp.ones_like(tensor(x), dtype=optional_dtype(dtype))


@keras_op
def empty_like(x, dtype=None):
    """An uninitialized tensor of `x`'s shape and dtype (or `dtype`) (`keras.ops.empty_like`)."""
    return jnp.empty_like(tensor(x), dtype=optional_dtype(dtype))


@keras_op
def full_like(x, fill_value, dtype=None):
    """`fill_value` in `x`'s shape and dtype (or `dtype`) (`keras.ops.full_like`).

    Example:
      >>> import jax.numpy as jnp
      >>> full_like(jnp.zeros(2, "int32"), 4).tolist()
      [4, 4]
    """
    return jnp.full_like(tensor(x), fill_value, dtype=optional_dtype(dtype))


def _is_float(value) -> bool:
    return isinstance(value, float) or "float" in str(getattr(value, "dtype", ""))


@keras_op
def eye(N, M=None, k=0, dtype=None):  # noqa: N803 (Keras's argument names)
    """An `N x M` matrix with ones on the `k`-th diagonal, `floatx()` by default (`keras.ops.eye`).

    Raises:
      TypeError: for a float `N` or `M`.

    Example:
      >>> eye(2, k=1).tolist()
      [[0.0, 1.0], [0.0, 0.0]]
    """
    if _is_float(N):
        raise TypeError(f"Argument `N` of eye must be an integer, received {N!r}.")
    if _is_float(M):
        raise TypeError(f"Argument `M` of eye must be an integer or None, received {M!r}.")
    return jnp.eye(N, M=M, k=k, dtype=optional_dtype(dtype) or floatx())


@keras_op
def identity(n, dtype=None):
    """The `n x n` identity matrix, `floatx()` by default (`keras.ops.identity`)."""
    return jnp.identity(n, dtype=optional_dtype(dtype) or floatx())


@keras_op
def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """An `N x M` matrix with ones at and below the `k`-th diagonal, `floatx()` by default (`keras.ops.tri`)."""
    return jnp.tri(N, M=M, k=k, dtype=optional_dtype(dtype) or floatx())


def _scalar_dtype(value):
    return value.dtype if hasattr(value, "dtype") else type(value)


@keras_op
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)` (`[0, start)` when `stop` is None) (`keras.ops.arange`).

    The dtype is `dtype`, else Keras's promotion of the arguments' types: Python ints give int32, a float
    anywhere gives float32.

    Example:
      >>> arange(1, 7, 2).tolist(), arange(2.0).dtype
      ([1, 3, 5], dtype('float32'))
    """
    if dtype is None:
        dtype = result_type(*(_scalar_dtype(v) for v in (start, stop, step) if v is not None))
    return jnp.arange(start, stop, step=step, dtype=optional_dtype(dtype))


@keras_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (`keras.ops.linspace`); with `retstep`, also the step.

    Example:
      >>> linspace(0.0, 1.0, 3).tolist()
      [0.0, 0.5, 1.0]
    """
    return jnp.linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep, dtype=optional_dtype(dtype),
                        axis=axis)


@keras_op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`num` values from `base**start` to `base**stop`, evenly spaced in log scale (`keras.ops.logspace`)."""
    return jnp.logspace(start, stop, num=num, endpoint=endpoint, base=base, dtype=optional_dtype(dtype), axis=axis)


@keras_op
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values from `start` to `stop` in geometric progression (`keras.ops.geomspace`)."""
    return jnp.geomspace(start, stop, num=num, endpoint=endpoint, dtype=optional_dtype(dtype), axis=axis)


@keras_op
def array(x, dtype=None):
    """`x` as a tensor (a copy), of `dtype` when given (`keras.ops.array`)."""
    return jnp.array(x, dtype=optional_dtype(dtype))


@keras_op
def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D tensors (`keras.ops.meshgrid`); `indexing` is "xy" (Cartesian) or "ij" (matrix).

    Raises:
      ValueError: for another `indexing`.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` of meshgrid must be 'xy' or 'ij', received {indexing!r}.")
    return jnp.meshgrid(*(tensor(v) for v in x), indexing=indexing)


def _window(name: str, fn):
    def op(x):
        if isinstance(x, jax.core.Tracer):
            raise TypeError(f"{name} needs a concrete window length, received a traced value {x!r}.")
        return cast(fn(int(x)), floatx())

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"The {name.capitalize()} window of length `x` (a Python int), `floatx()` "
                  f"(`keras.ops.{name}`).")
    return keras_op(op)


bartlett = _window("bartlett", jnp.bartlett)
blackman = _window("blackman", jnp.blackman)
hamming = _window("hamming", jnp.hamming)
hanning = _window("hanning", jnp.hanning)


@keras_op
def kaiser(x, beta):
    """The Kaiser window of length `x` with shape parameter `beta`, `floatx()` (`keras.ops.kaiser`)."""
    return cast(jnp.kaiser(int(x), beta), floatx())


@keras_op
def vander(x, N=None, increasing=False):  # noqa: N803
    """The Vandermonde matrix of a 1-D `x`: its columns are powers of `x` (`keras.ops.vander`).

    Raises:
      ValueError: for an `x` that is not 1-D or a negative `N`.
      TypeError: for an `N` that is not an int or an `increasing` that is not a bool.
    """
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError(f"Argument `x` of vander must be 1-D, received shape {x.shape}.")
    if N is not None and (isinstance(N, bool) or not isinstance(N, int)):
        raise TypeError(f"Argument `N` of vander must be an int or None, received {N!r}.")
    if N is not None and N < 0:
        raise ValueError(f"Argument `N` of vander must be non-negative, received {N}.")
    if not isinstance(increasing, bool):
        raise TypeError(f"Argument `increasing` of vander must be a bool, received {increasing!r}.")
    return jnp.vander(x, N=N, increasing=increasing)


# -- shapes ----------------------------------------------------------------------------------------------

@keras_op
def ndim(x):
    """The number of axes of `x` (`keras.ops.ndim`)."""
    return jnp.ndim(tensor(x))


@keras_op
def size(x):
    """The number of elements of `x` (`keras.ops.size`)."""
    return jnp.size(tensor(x))


def _check_new_shape(newshape) -> tuple:
    try:
        newshape = tuple(newshape)
    except TypeError:
        newshape = (newshape,)
    unknown = 0
    for dim in newshape:
        if isinstance(dim, (int, np.integer)):
            if dim < -1:
                raise ValueError(f"Argument `newshape` of reshape must hold non-negative sizes or one -1 (an "
                                 f"inferred size), received {newshape}.")
            unknown += dim == -1
    if unknown > 1:
        raise ValueError(f"Argument `newshape` of reshape can have at most one -1 (an inferred size), received "
                         f"{newshape}.")
    return newshape


@keras_op
def reshape(x, newshape):
    """`x` with the same elements in `newshape` (row-major order) (`keras.ops.reshape`).

    Args:
      x: a tensor.
      newshape: an int or a tuple of ints; one entry may be -1, inferred from the size.

    Raises:
      ValueError: for a size below -1, several -1, or a shape whose size differs from `x`'s.

    Example:
      >>> reshape(arange(6), (3, -1)).shape
      (3, 2)
    """
    x = tensor(x)
    if not isinstance(newshape, jax.Array):
        newshape = _check_new_shape(newshape)
    return jnp.reshape(x, newshape)


@keras_op
def transpose(x, axes=None):
    """`x` with its axes permuted to `axes` (reversed when None) (`keras.ops.transpose`).

    Example:
      >>> transpose(zeros((2, 3, 4)), (0, 2, 1)).shape
      (2, 4, 3)
    """
    return jnp.transpose(tensor(x), axes=None if axes is None else tuple(axes))


@keras_op
def expand_dims(x, axis):
    """`x` with a new axis of size 1 at `axis` (an int or a tuple of ints) (`keras.ops.expand_dims`).

    Example:
      >>> expand_dims(zeros((2, 3)), -1).shape, expand_dims(zeros((2,)), (0, 2)).shape
      ((2, 3, 1), (1, 2, 1))
    """
    return jnp.expand_dims(tensor(x), tuple(axis) if isinstance(axis, list) else axis)


@keras_op
def squeeze(x, axis=None):
    """`x` without its axes of size 1 (only those in `axis` when given) (`keras.ops.squeeze`).

    Raises:
      ValueError: when an axis in `axis` does not have size 1.

    Example:
      >>> squeeze(zeros((2, 1, 3, 1)), axis=1).shape
      (2, 3, 1)
    """
    x = tensor(x)
    if axis is not None:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        for a in axes:
            if x.shape[canonical_axis(a, x.ndim)] != 1:
                raise ValueError(f"Argument `axis` of squeeze names axis {a} of a tensor of shape {x.shape}, whose "
                                 f"size is not 1.")
        axis = axes
    return jnp.squeeze(x, axis=axis)


@keras_op
def concatenate(xs, axis=0):
    """The tensors of `xs` joined along the existing `axis` (`keras.ops.concatenate`).

    Example:
      >>> concatenate([zeros((2, 1)), ones((2, 2))], axis=1).shape
      (2, 3)
    """
    return jnp.concatenate([tensor(v) for v in xs], axis=axis)


@keras_op
def stack(x, axis=0):
    """The same-shaped tensors of the list `x` joined along a new `axis` (`keras.ops.stack`).

    Example:
      >>> stack([zeros((2,)), ones((2,))], axis=1).tolist()
      [[0.0, 1.0], [0.0, 1.0]]
    """
    return jnp.stack([tensor(v) for v in x], axis=axis)


@keras_op
def hstack(xs):
    """The tensors joined column-wise (along axis 1, or 0 for 1-D) (`keras.ops.hstack`)."""
    return jnp.hstack([tensor(v) for v in xs])


@keras_op
def vstack(xs):
    """The tensors joined row-wise (along axis 0, 1-D ones as rows) (`keras.ops.vstack`)."""
    return jnp.vstack([tensor(v) for v in xs])


@keras_op
def dstack(xs):
    """The tensors joined depth-wise (along axis 2) (`keras.ops.dstack`)."""
    return jnp.dstack([tensor(v) for v in xs])


@keras_op
def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (both flattened when None) (`keras.ops.append`)."""
    return jnp.append(tensor(x1), tensor(x2), axis=axis)


@keras_op
def split(x, indices_or_sections, axis=0):
    """`x` cut along `axis` into a list of tensors (`keras.ops.split`).

    Args:
      x: a tensor.
      indices_or_sections: an int N (N equal parts; the size must divide) or a list of cut indices.
      axis: the axis to cut.

    Raises:
      ValueError: when an int N does not divide the axis size.

    Example:
      >>> [p.shape for p in split(zeros((6, 2)), [1, 4])]
      [(1, 2), (3, 2), (2, 2)]
    """
    x = tensor(x)
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        length = x.shape[canonical_axis(axis, x.ndim)]
        if indices_or_sections <= 0 or length % indices_or_sections:
            raise ValueError(f"Argument `indices_or_sections` of split must divide the size of axis {axis} ({length})"
                             f" into equal parts, received {indices_or_sections}.")
    return jnp.split(x, indices_or_sections, axis=axis)


@keras_op
def array_split(x, indices_or_sections, axis=0):
    """`x` cut along `axis` into `indices_or_sections` parts of sizes differing by at most one
    (`keras.ops.array_split`).

    Raises:
      TypeError: for a count or axis that is not an int.
      ValueError: for a count that is not positive.
    """
    if isinstance(indices_or_sections, bool) or not isinstance(indices_or_sections, int):
        raise TypeError(f"Argument `indices_or_sections` of array_split must be an int, received "
                        f"{indices_or_sections!r}.")
    if indices_or_sections <= 0:
        raise ValueError(f"Argument `indices_or_sections` of array_split must be positive, received "
                         f"{indices_or_sections}.")
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"Argument `axis` of array_split must be an int, received {axis!r}.")
    return jnp.array_split(tensor(x), indices_or_sections, axis=axis)


@keras_op
def hsplit(x, indices_or_sections):
    """`split` along axis 1 (axis 0 for 1-D) (`keras.ops.hsplit`)."""
    return jnp.hsplit(tensor(x), indices_or_sections)


@keras_op
def vsplit(x, indices_or_sections):
    """`split` along axis 0 (`keras.ops.vsplit`)."""
    return jnp.vsplit(tensor(x), indices_or_sections)


@keras_op
def dsplit(x, indices_or_sections):
    """`split` along axis 2 (`keras.ops.dsplit`)."""
    return jnp.dsplit(tensor(x), indices_or_sections)


@keras_op
def tile(x, repeats):
    """`x` repeated `repeats` times along each axis (`keras.ops.tile`).

    Example:
      >>> tile(arange(2), 2).tolist()
      [0, 1, 0, 1]
    """
    return jnp.tile(tensor(x), repeats)


@keras_op
def repeat(x, repeats, axis=None):
    """Each element of `x` repeated `repeats` times along `axis` (the flattened tensor when None)
    (`keras.ops.repeat`).

    Example:
      >>> repeat(arange(2), 2).tolist()
      [0, 0, 1, 1]
    """
    return jnp.repeat(tensor(x), repeats, axis=axis)


@keras_op
def flip(x, axis=None):
    """`x` with the order of elements reversed along `axis` (every axis when None) (`keras.ops.flip`)."""
    return jnp.flip(tensor(x), axis=tuple(axis) if isinstance(axis, list) else axis)


@keras_op
def fliplr(x):
    """`x` flipped along axis 1 (`keras.ops.fliplr`)."""
    return jnp.fliplr(tensor(x))


@keras_op
def flipud(x):
    """`x` flipped along axis 0 (`keras.ops.flipud`)."""
    return jnp.flipud(tensor(x))


@keras_op
def roll(x, shift, axis=None):
    """`x` rolled by `shift` along `axis` (the flattened tensor when None); elements wrap around
    (`keras.ops.roll`)."""
    return jnp.roll(tensor(x), shift, axis=axis)


@keras_op
def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by 90 degrees `k` times in the plane of `axes` (`keras.ops.rot90`).

    Raises:
      ValueError: for a tensor of rank below 2 or `axes` that are not two different axes.
    """
    array = tensor(array)
    if array.ndim < 2:
        raise ValueError(f"Argument `array` of rot90 must have at least 2 axes, received shape {array.shape}.")
    if len(axes) != 2 or axes[0] % array.ndim == axes[1] % array.ndim:
        raise ValueError(f"Argument `axes` of rot90 must name two different axes, received {axes!r}.")
    return jnp.rot90(array, k=k, axes=tuple(axes))


_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect", "symmetric",
              "wrap", "empty")


@keras_op
def pad(x, pad_width, mode="constant", constant_values=None):
    """`x` padded with `pad_width` values before and after each axis (`keras.ops.pad`).

    Args:
      x: a tensor.
      pad_width: an int (every side of every axis), a pair `(before, after)` for every axis, or one pair
        per axis `((before, after), ...)`.
      mode: "constant" (default), "edge", "reflect", "symmetric", "wrap", "maximum", "mean", "median",
        "minimum", "linear_ramp" or "empty", as NumPy's.
      constant_values: the fill value for "constant" (0 by default).

    Raises:
      ValueError: for an unknown `mode`, `constant_values` with another mode, or per-axis pairs that do not
        match `x`'s rank.

    Example:
      >>> pad(ones((1, 2)), ((0, 0), (1, 1))).tolist()
      [[0.0, 1.0, 1.0, 0.0]]
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"Argument `mode` of pad must be one of {_PAD_MODES}, received {mode!r}.")
    x = tensor(x)
    if isinstance(pad_width, int):
        widths = ((pad_width, pad_width),)
    elif isinstance(pad_width, (tuple, list)) and pad_width and isinstance(pad_width[0], int):
        widths = (tuple(pad_width),)
    else:
        widths = tuple(tuple(w) * (2 if len(w) == 1 else 1) for w in pad_width)
        if len(widths) != x.ndim and len(widths) != 1:
            raise ValueError(f"Argument `pad_width` of pad must have one (before, after) pair per axis of x "
                             f"(shape {x.shape}), received {pad_width!r}.")
    kwargs = {}
    if constant_values is not None:
        if mode != "constant":
            raise ValueError(f"Argument `constant_values` of pad is only for mode='constant', received mode={mode!r}.")
        kwargs["constant_values"] = constant_values
    return jnp.pad(x, widths, mode=mode, **kwargs)


@keras_op
def moveaxis(x, source, destination):
    """`x` with the axes `source` moved to `destination` (ints or tuples) (`keras.ops.moveaxis`)."""
    as_tuple = lambda a: tuple(a) if isinstance(a, list) else a
    return jnp.moveaxis(tensor(x), as_tuple(source), as_tuple(destination))


@keras_op
def swapaxes(x, axis1, axis2):
    """`x` with `axis1` and `axis2` exchanged (`keras.ops.swapaxes`)."""
    return jnp.swapaxes(tensor(x), axis1, axis2)


@keras_op
def broadcast_to(x, shape):
    """`x` broadcast to `shape` (`keras.ops.broadcast_to`).

    Example:
      >>> broadcast_to(arange(2), (3, 2)).shape
      (3, 2)
    """
    return jnp.broadcast_to(tensor(x), tuple(shape))


@keras_op
def ravel(x):
    """`x` flattened to 1-D, row-major (`keras.ops.ravel`)."""
    return jnp.ravel(tensor(x))


@keras_op
def diff(a, n=1, axis=-1):
    """The `n`-th discrete difference of `a` along `axis` (`keras.ops.diff`).

    Example:
      >>> diff(array([1, 4, 9])).tolist()
      [3, 5]
    """
    return jnp.diff(tensor(a), n=n, axis=axis)


__all__ = sorted(name for name, value in list(globals().items())
                 if callable(value) and hasattr(value, "elementwise"))
