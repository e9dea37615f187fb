"""Reductions, sorting and counting ops of `keras.ops.numpy`: sum, mean, max, argmax, sort, quantile, ...

`axis` is None (every axis), an int, or a tuple/list of ints, as in Keras; `keepdims=True` keeps the
reduced axes with size 1. Keras's dtype rules where they differ from `jax.numpy`'s:

- `mean` of integers and bools is float32; of float16/bfloat16 it is computed in float32 and cast
  back (no overflow); `var` likewise (and ints give float32);
- `count_nonzero` is int32;
- `argmax` / `argmin` on floats treat -0.0 as smaller than 0.0 (Keras's fix for flush-to-zero CPUs).

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> x = jnp.array([[1, 2], [3, 4]], "int32")
  >>> ops.mean(x).dtype, ops.sum(x, axis=0).tolist(), ops.argmax(x, axis=1).tolist()
  (dtype('float32'), [4, 6], [1, 1])
"""

from __future__ import annotations

import builtins

import jax.numpy as jnp

from kerasish.backend import result_type
from kerasish.ops.dispatch import axis_tuple, cast, dtype_name, keras_op, optional_dtype, tensor


def _reduction(name: str, fn, what: str):
    def op(x, axis=None, keepdims=False):
        return fn(tensor(x), axis=axis_tuple(axis), keepdims=keepdims)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{what} of `x` over `axis` (`keras.ops.{name}`).\n\n"
                  f"Args:\n  x: a tensor.\n  axis: None (all axes), an int or a tuple of ints.\n"
                  f"  keepdims: keep the reduced axes with size 1.\n\n"
                  f"Returns:\n  The reduced tensor.\n")
    return keras_op(op)


sum = _reduction("sum", jnp.sum, "The sum")  # noqa: A001 (Keras's names shadow Python's builtins here)
all = _reduction("all", jnp.all, "Whether every element is true")  # noqa: A001
any = _reduction("any", jnp.any, "Whether some element is true")  # noqa: A001
amax = _reduction("amax", jnp.amax, "The maximum")
amin = _reduction("amin", jnp.amin, "The minimum")
std = _reduction("std", jnp.std, "The standard deviation (population, ddof=0)")
ptp = _reduction("ptp", jnp.ptp, "The range (max - min)")
nanmax = _reduction("nanmax", jnp.nanmax, "The maximum ignoring NaNs")
nanmin = _reduction("nanmin", jnp.nanmin, "The minimum ignoring NaNs")
nanmean = _reduction("nanmean", jnp.nanmean, "The mean ignoring NaNs")
nanmedian = _reduction("nanmedian", jnp.nanmedian, "The median ignoring NaNs")
nanprod = _reduction("nanprod", jnp.nanprod, "The product ignoring NaNs (as ones)")
nanstd = _reduction("nanstd", jnp.nanstd, "The standard deviation ignoring NaNs")
nansum = _reduction("nansum", jnp.nansum, "The sum ignoring NaNs (as zeros)")
nanvar = _reduction("nanvar", jnp.nanvar, "The variance ignoring NaNs")


@keras_op
def mean(x, axis=None, keepdims=False):
    """The arithmetic mean of `x` over `axis` (`keras.ops.mean`).

    Integer and bool inputs give float32; float16 and bfloat16 are averaged in float32 and cast back.

    Args:
      x: a tensor.
      axis: None (all axes), an int or a tuple of ints.
      keepdims: keep the reduced axes with size 1.

    Returns:
      The reduced tensor.

    Example:
      >>> import jax.numpy as jnp
      >>> float(mean(jnp.array([1, 2], "int32")))
      1.5
    """
    x = tensor(x)
    name = dtype_name(x)
    compute = result_type(x.dtype, "float32")
    out = jnp.mean(x, axis=axis_tuple(axis), keepdims=keepdims, dtype=compute)
    return cast(out, compute if "int" in name or name == "bool" else name)


@keras_op
def var(x, axis=None, keepdims=False):
    """The variance (population, ddof=0) of `x` over `axis` (`keras.ops.var`); ints give float32,
    float16/bfloat16 are computed in float32 and cast back.

    Example:
      >>> import jax.numpy as jnp
      >>> float(var(jnp.array([1.0, 3.0])))
      1.0
    """
    x = tensor(x)
    out = jnp.var(x, axis=axis_tuple(axis), keepdims=keepdims, dtype=result_type(x.dtype, "float32"))
    return cast(out, result_type(x.dtype, float))


@keras_op
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """The maximum of `x` over `axis` (`keras.ops.max`); `initial` is a lower bound that also makes an empty
    reduction valid.

    Example:
      >>> import jax.numpy as jnp
      >>> max(jnp.array([[1, 5], [3, 2]]), axis=0).tolist()
      [3, 5]
    """
    return jnp.max(tensor(x), axis=axis_tuple(axis), keepdims=keepdims, initial=initial)


@keras_op
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """The minimum of `x` over `axis` (`keras.ops.min`); `initial` is an upper bound.

    Example:
      >>> import jax.numpy as jnp
      >>> min(jnp.array([[1, 5], [3, 2]]), axis=1).tolist()
      [1, 2]
    """
    return jnp.min(tensor(x), axis=axis_tuple(axis), keepdims=keepdims, initial=initial)


@keras_op
def prod(x, axis=None, keepdims=False, dtype=None):
    """The product of `x` over `axis` (`keras.ops.prod`), in `dtype` when given.

    Example:
      >>> import jax.numpy as jnp
      >>> int(prod(jnp.array([2, 3, 4])))
      24
    """
    return jnp.prod(tensor(x), axis=axis_tuple(axis), keepdims=keepdims, dtype=optional_dtype(dtype))


def _negative_zero_below_zero(x):
    """Floats with -0.0 replaced by the smallest negative normal number, so that argmax prefers +0.0."""
    x = cast(x, result_type(x.dtype, "float32"))
    return jnp.where((x == 0.0) & jnp.signbit(x), -jnp.finfo(x.dtype).tiny, x)


@keras_op
def argmax(x, axis=None, keepdims=False):
    """The index of the largest value over `axis` (of the flattened tensor for None), int32 (`keras.ops.argmax`).

    Example:
      >>> import jax.numpy as jnp
      >>> argmax(jnp.array([[1, 9], [8, 2]]), axis=1).tolist()
      [1, 0]
    """
    x = tensor(x)
    if "float" in dtype_name(x) and x.ndim:
        x = _negative_zero_below_zero(x)
    return jnp.argmax(x, axis=axis, keepdims=keepdims)


@keras_op
def argmin(x, axis=None, keepdims=False):
    """The index of the smallest value over `axis` (of the flattened tensor for None), int32 (`keras.ops.argmin`).

    Example:
      >>> import jax.numpy as jnp
      >>> int(argmin(jnp.array([3.0, -1.0, 2.0])))
      1
    """
    x = tensor(x)
    if "float" in dtype_name(x) and x.ndim:
        x = _negative_zero_below_zero(x)
    return jnp.argmin(x, axis=axis, keepdims=keepdims)


@keras_op
def nanargmax(x, axis=None, keepdims=False):
    """`argmax` ignoring NaNs (`keras.ops.nanargmax`)."""
    return jnp.nanargmax(tensor(x), axis=axis, keepdims=keepdims)


@keras_op
def nanargmin(x, axis=None, keepdims=False):
    """`argmin` ignoring NaNs (`keras.ops.nanargmin`)."""
    return jnp.nanargmin(tensor(x), axis=axis, keepdims=keepdims)


@keras_op
def sort(x, axis=-1):
    """`x` sorted in ascending order along `axis` (`keras.ops.sort`).

    Example:
      >>> import jax.numpy as jnp
      >>> sort(jnp.array([3, 1, 2])).tolist()
      [1, 2, 3]
    """
    return jnp.sort(tensor(x), axis=axis)


@keras_op
def argsort(x, axis=-1):
    """The indices that sort `x` along `axis`, int32 (`keras.ops.argsort`); a scalar gives `[0]`.

    Example:
      >>> import jax.numpy as jnp
      >>> argsort(jnp.array([3, 1, 2])).tolist()
      [1, 2, 0]
    """
    x = tensor(x)
    return jnp.argsort(x, axis=None if x.ndim == 0 else axis)


@keras_op
def argpartition(x, kth, axis=-1):
    """Indices that partition `x` around its `kth` smallest element along `axis` (`keras.ops.argpartition`):
    smaller ones first, in no particular order. `axis=None` partitions the flattened tensor."""
    x = tensor(x)
    if axis is None:
        return jnp.argpartition(jnp.reshape(x, (-1,)), kth, axis=0)
    return jnp.argpartition(x, kth, axis=axis)


@keras_op
def cumsum(x, axis=None, dtype=None):
    """The running sum along `axis` (of the flattened tensor for None) (`keras.ops.cumsum`).

    Example:
      >>> import jax.numpy as jnp
      >>> cumsum(jnp.array([1, 2, 3])).tolist()
      [1, 3, 6]
    """
    return jnp.cumsum(tensor(x), axis=axis, dtype=optional_dtype(dtype))


@keras_op
def cumprod(x, axis=None, dtype=None):
    """The running product along `axis` (`keras.ops.cumprod`).

    Example:
      >>> import jax.numpy as jnp
      >>> cumprod(jnp.array([1, 2, 3])).tolist()
      [1, 2, 6]
    """
    return jnp.cumprod(tensor(x), axis=axis, dtype=optional_dtype(dtype))


@keras_op
def nancumsum(x, axis=None, dtype=None):
    """`cumsum` counting NaNs as zeros (`keras.ops.nancumsum`)."""
    return jnp.nancumsum(tensor(x), axis=axis, dtype=optional_dtype(dtype))


@keras_op
def nancumprod(x, axis=None, dtype=None):
    """`cumprod` counting NaNs as ones (`keras.ops.nancumprod`)."""
    return jnp.nancumprod(tensor(x), axis=axis, dtype=optional_dtype(dtype))


@keras_op
def count_nonzero(x, axis=None):
    """The number of non-zero elements over `axis`, int32 (`keras.ops.count_nonzero`).

    Example:
      >>> import jax.numpy as jnp
      >>> int(count_nonzero(jnp.array([0, 3, 0, 1])))
      2
    """
    return cast(jnp.count_nonzero(tensor(x), axis=axis_tuple(axis)), "int32")


@keras_op
def median(x, axis=None, keepdims=False):
    """The median over `axis` (`keras.ops.median`); integer inputs give float32.

    Example:
      >>> import jax.numpy as jnp
      >>> float(median(jnp.array([3, 1, 2])))
      2.0
    """
    return jnp.median(tensor(x), axis=axis_tuple(axis), keepdims=keepdims)


def _check_method(method: str, op: str) -> None:
    methods = ("linear", "lower", "higher", "midpoint", "nearest")
    if method not in methods:
        raise ValueError(f"Argument `method` of {op} must be one of {methods}, received {method!r}.")


@keras_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantiles (q in [0, 1]) of `x` over `axis` (`keras.ops.quantile`).

    Args:
      x: a tensor.
      q: a number or a 1-D tensor of numbers in [0, 1]; a tensor adds a leading axis to the result.
      axis: None (all axes), an int or a tuple of ints.
      method: "linear" (default), "lower", "higher", "midpoint" or "nearest".
      keepdims: keep the reduced axes with size 1.

    Raises:
      ValueError: for an unknown `method`.

    Example:
      >>> import jax.numpy as jnp
      >>> float(quantile(jnp.array([1.0, 2.0, 3.0, 4.0]), 0.5))
      2.5
    """
    _check_method(method, "quantile")
    return jnp.quantile(tensor(x), tensor(q), axis=axis_tuple(axis), method=method, keepdims=keepdims)


@keras_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentiles (q in [0, 100]) of `x` over `axis` (`keras.ops.percentile`); see `quantile`."""
    _check_method(method, "percentile")
    return jnp.percentile(tensor(x), tensor(q), axis=axis_tuple(axis), method=method, keepdims=keepdims)


@keras_op
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """`quantile` ignoring NaNs (`keras.ops.nanquantile`)."""
    _check_method(method, "nanquantile")
    return jnp.nanquantile(tensor(x), tensor(q), axis=axis_tuple(axis), method=method, keepdims=keepdims)


@keras_op
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """`percentile` ignoring NaNs (`keras.ops.nanpercentile`)."""
    _check_method(method, "nanpercentile")
    return jnp.nanpercentile(tensor(x), tensor(q), axis=axis_tuple(axis), method=method, keepdims=keepdims)


@keras_op
def average(x, axis=None, weights=None):
    """The (weighted) average of `x` over `axis` (`keras.ops.average`); integer inputs give float32.

    Args:
      x: a tensor.
      axis: None (all axes) or an int.
      weights: None, or weights of `x`'s shape, or 1-D weights along `axis`.

    Example:
      >>> import jax.numpy as jnp
      >>> float(average(jnp.array([1.0, 4.0]), weights=jnp.array([3.0, 1.0])))
      1.75
    """
    x = tensor(x)
    dtypes = [x.dtype, float]
    if weights is not None:
        weights = tensor(weights)
        dtypes.append(weights.dtype)
    dtype = result_type(*dtypes)
    return jnp.average(cast(x, dtype), axis=axis, weights=None if weights is None else cast(weights, dtype))


@keras_op
def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each non-negative int occurs in `x` (`keras.ops.bincount`); a 2-D `x` counts each row.

    Runs eagerly only (the output length depends on the values), as in Keras's JAX backend.

    Args:
      x: a 1-D or 2-D tensor of non-negative ints.
      weights: None, or weights of `x`'s shape summed instead of counting ones.
      minlength: the smallest output length.
      sparse: must be False (kerasish's tensors are dense).

    Raises:
      ValueError: for `sparse=True` or an `x` of rank other than 1 or 2.

    Example:
      >>> import jax.numpy as jnp
      >>> bincount(jnp.array([0, 2, 2])).tolist()
      [1, 0, 2]
    """
    if sparse:
        raise ValueError(f"Argument `sparse` of bincount must be False (kerasish's tensors are dense), received "
                         f"{sparse!r}.")
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"Argument `x` of bincount must be 1-D or 2-D, received shape {x.shape}.")
    if x.ndim == 1:
        return jnp.bincount(x, weights=weights, minlength=minlength)
    length = builtins.max(int(jnp.max(x)) + 1 if x.size else 0, minlength)
    rows = [jnp.bincount(row, weights=None if weights is None else w, length=length)
            for row, w in zip(x, weights if weights is not None else [None] * len(x))]
    return jnp.stack(rows)


@keras_op
def histogram(x, bins=10, range=None):  # noqa: A002 (Keras's argument name)
    """The histogram of a 1-D `x`: `(counts, bin_edges)` (`keras.ops.histogram`).

    Args:
      x: a 1-D tensor.
      bins: the number of equal-width bins (a non-negative int).
      range: None (x's min and max) or a tuple `(low, high)` with `low <= high`.

    Raises:
      TypeError: for a `bins` that is not an int.
      ValueError: for a negative `bins`, a bad `range` or an `x` that is not 1-D.

    Example:
      >>> import jax.numpy as jnp
      >>> counts, edges = histogram(jnp.array([0.0, 0.1, 0.9]), bins=2)
      >>> counts.tolist(), edges.tolist()
      ([2.0, 1.0], [0.0, 0.44999998807907104, 0.8999999761581421])
    """
    if isinstance(bins, bool) or not isinstance(bins, int):
        raise TypeError(f"Argument `bins` of histogram must be an int, received {bins!r}.")
    if bins < 0:
        raise ValueError(f"Argument `bins` of histogram must be a non-negative int, received {bins}.")
    if range is not None:
        if not isinstance(range, tuple) or len(range) != 2:
            raise ValueError(f"Argument `range` of histogram must be a tuple (low, high), received {range!r}.")
        if range[1] < range[0]:
            raise ValueError(f"Argument `range` of histogram must have low <= high, received {range!r}.")
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError(f"Argument `x` of histogram must be 1-D, received shape {x.shape}.")
    return jnp.histogram(x, bins=bins, range=range)


@keras_op
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,  # noqa: A002
           axis=None, size=None, fill_value=None):
    """The unique elements of `x` (`keras.ops.unique`), with optional indices, inverse and counts.

    Eager only unless `size` is given (the number of unique values depends on the data); with `size`, the
    result is padded with `fill_value` (or its first value) to that length, which works under `jit`.

    Example:
      >>> import jax.numpy as jnp
      >>> unique(jnp.array([3, 1, 3, 2])).tolist()
      [1, 2, 3]
    """
    return jnp.unique(tensor(x), return_index=return_index, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis, equal_nan=False, size=size, sorted=sorted,
                      fill_value=fill_value)


__all__ = sorted(name for name, value in list(globals().items())
                 if callable(value) and hasattr(value, "elementwise"))
