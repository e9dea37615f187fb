"""`keras.ops.core`: tensors, dtypes, control flow (cond, scan, fori_loop, while_loop, switch, map),
gradients (stop_gradient, custom_gradient), and scatter / slice updates.

Control flow is JAX's (`lax.cond`, `lax.scan`, ...): the branches and bodies are traced once and
compiled, so they work inside a compiled training step, and their Python functions must compute with
`kerasish.ops` or `jax.numpy` on the values they receive.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> ops.shape(jnp.zeros((2, 3))), ops.dtype(jnp.zeros(2, "int8"))
  ((2, 3), 'int8')
  >>> carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, jnp.arange(1.0, 4.0))
  >>> float(carry), ys.tolist()
  (6.0, [0.0, 2.0, 9.0])
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

from kerasish import backend
from kerasish.ops.dispatch import PROTOCOL, canonical_axis, dtype_name, keras_op, tensor


def shape(x):
    """The shape of `x` as a tuple (`keras.ops.shape`); `None` for the unknown sizes of a symbolic tensor.

    Inside a compiled function the sizes are Python ints (JAX shapes are static).

    Example:
      >>> import jax.numpy as jnp
      >>> shape(jnp.zeros((2, 3)))
      (2, 3)
    """
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


def dtype(x):
    """The Keras name of `x`'s dtype, e.g. `"float32"` (`keras.ops.dtype`).

    Example:
      >>> import jax.numpy as jnp
      >>> dtype(jnp.zeros(2, jnp.bfloat16))
      'bfloat16'
    """
    return backend.standardize_dtype(x.dtype)


def is_tensor(x):
    """Whether `x` is a kerasish (JAX) tensor, concrete or traced (`keras.ops.is_tensor`); NumPy arrays and
    symbolic tensors are not."""
    return backend.is_tensor(x)


@keras_op
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """`x` as a tensor (`keras.ops.convert_to_tensor`); see `kerasish.backend.convert_to_tensor`.

    Example:
      >>> convert_to_tensor([1, 2]).dtype, convert_to_tensor(1.5).dtype
      (dtype('int32'), dtype('float32'))
    """
    return backend.convert_to_tensor(x, dtype=dtype, sparse=sparse, ragged=ragged)


def convert_to_numpy(x):
    """`x` as a NumPy array (`keras.ops.convert_to_numpy`); bfloat16 stays bfloat16 (ml_dtypes).

    Raises:
      TypeError: for a symbolic tensor (it has no values) or a traced one (inside jit).
    """
    if hasattr(type(x), PROTOCOL):
        raise TypeError(f"convert_to_numpy received a symbolic tensor {x!r}, which has no values: it stands for the "
                        f"inputs of a model. Call the model on data instead.")
    if isinstance(x, jax.core.Tracer):
        raise TypeError("convert_to_numpy cannot run inside a compiled function (jit): the value is not known "
                        "until the program runs.")
    return backend.convert_to_numpy(x)


@keras_op(elementwise=True)
def cast(x, dtype):
    """`x` converted to `dtype` (`keras.ops.cast`).

    Example:
      >>> import jax.numpy as jnp
      >>> cast(jnp.array([1.7, -1.7]), "int32").tolist()
      [1, -1]
    """
    return backend.convert_to_tensor(x, backend.standardize_dtype(dtype))


def _limits(name: str):
    if name == "bool":
        return 0, 1
    info = ml_dtypes.iinfo(name) if "int" in name else ml_dtypes.finfo(name)
    return info.min, info.max


@keras_op(elementwise=True)
def saturate_cast(x, dtype):
    """`x` converted to `dtype`, with out-of-range values clipped to its limits first (`keras.ops.saturate_cast`):
    `saturate_cast(300.0, "uint8")` is 255, where `cast` wraps or is undefined.

    Example:
      >>> import jax.numpy as jnp
      >>> saturate_cast(jnp.array([-5.0, 300.0]), "uint8").tolist()
      [0, 255]
    """
    dtype = backend.standardize_dtype(dtype)
    x = tensor(x)
    source = dtype_name(x)
    (in_min, in_max), (out_min, out_max) = _limits(source), _limits(dtype)
    numpy_source = ml_dtypes.bfloat16 if source == "bfloat16" else source
    low = np.asarray(np.maximum(in_min, out_min)).astype(numpy_source)
    if low < out_min:  # the bound itself is not representable in the target: step inside
        low = np.nextafter(low, 0, dtype=numpy_source)
    high = np.asarray(np.minimum(in_max, out_max)).astype(numpy_source)
    if high > out_max:
        high = np.nextafter(high, 0, dtype=numpy_source)
    if source == "bool":
        x = x.astype("int32")
    return jnp.clip(x, low, high).astype(dtype)


@keras_op
def stop_gradient(variable):
    """`variable` with no gradient flowing back through it (`keras.ops.stop_gradient`).

    Example:
      >>> import jax
      >>> float(jax.grad(lambda x: x * stop_gradient(x))(3.0))
      3.0
    """
    return jax.lax.stop_gradient(tensor(variable))


def custom_gradient(f):
    """Decorator: `f` returns `(output, grad_fn)`, and `grad_fn(upstream)` gives the gradient with respect to
    `f`'s inputs (`keras.ops.custom_gradient`; JAX's `jax.custom_gradient`).

    Example:
      >>> import jax
      >>> @custom_gradient
      ... def clip_gradient(x):
      ...     return x, lambda upstream: jnp.clip(upstream, -0.5, 0.5)
      >>> float(jax.grad(lambda x: 3.0 * clip_gradient(x))(1.0))
      0.5
    """
    wrapped = jax.custom_gradient(f)

    def call(*args, **kwargs):
        args, kwargs = jax.tree.map(lambda v: v[...] if _is_weight(v) else v, (args, kwargs), is_leaf=_is_weight)
        return wrapped(*args, **kwargs)

    call.__name__ = getattr(f, "__name__", "custom_gradient")
    call.__doc__ = f.__doc__
    return call


def _is_weight(value: Any) -> bool:
    return hasattr(value, "get_value") and hasattr(value, "get_metadata")


@keras_op
def cond(pred, true_fn, false_fn):
    """`true_fn()` if the scalar `pred` holds, else `false_fn()`, both traced and compiled (`keras.ops.cond`).

    The two functions take no argument and must return the same structure of shapes and dtypes.

    Example:
      >>> import jax.numpy as jnp
      >>> float(cond(jnp.array(True), lambda: jnp.array(1.0), lambda: jnp.array(2.0)))
      1.0
    """
    return jax.lax.cond(pred, true_fn, false_fn)


@keras_op
def switch(index, branches, *operands):
    """`branches[index](*operands)` (the index clamped to the valid range), all branches compiled
    (`keras.ops.switch`).

    Example:
      >>> float(switch(1, [lambda x: x + 1, lambda x: x * 10], 2.0))
      20.0
    """
    return jax.lax.switch(index, branches, *operands)


@keras_op
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """A loop carrying state: `carry, y = f(carry, x)` for each slice `x` of `xs` along its first axis;
    returns `(final carry, stacked ys)` (`keras.ops.scan`; JAX's `lax.scan`).

    Args:
      f: `(carry, x) -> (carry, y)`; the carry keeps its structure, shapes and dtypes.
      init: the first carry (a pytree of tensors).
      xs: the values to loop over (a pytree of tensors with a common first axis), or None with `length`.
      length: the number of steps when `xs` is None.
      reverse: loop from the last slice to the first.
      unroll: how many steps to unroll per loop iteration (a positive int, or True for all).

    Raises:
      ValueError: for an `unroll` that is neither a bool nor a positive int.
    """
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(f"Argument `unroll` of scan must be a positive int or a bool, received {unroll!r}.")
    return jax.lax.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


@keras_op
def associative_scan(f, elems, reverse=False, axis=0):
    """The prefix scan of the associative binary `f` over `elems` along `axis`, in parallel
    (`keras.ops.associative_scan`): with `add` it is a cumulative sum.

    Example:
      >>> import jax.numpy as jnp
      >>> associative_scan(jnp.add, jnp.array([1, 2, 3])).tolist()
      [1, 3, 6]
    """
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


@keras_op
def map(f, xs):  # noqa: A001 (Keras's name)
    """`f` applied to each slice of `xs` along its first axis, results stacked (`keras.ops.map`; `lax.map`).

    Example:
      >>> import jax.numpy as jnp
      >>> map(lambda v: v.sum(), jnp.ones((3, 2))).tolist()
      [2.0, 2.0, 2.0]
    """
    return jax.lax.map(f, xs)


@keras_op
def vectorized_map(function, elements):
    """`function` applied to each slice of `elements` along the first axis, vectorized (`jax.vmap`)
    (`keras.ops.vectorized_map`)."""
    return jax.vmap(function)(elements)


@keras_op
def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `[lower, upper)`, starting from `init_val` (`keras.ops.fori_loop`).

    Example:
      >>> int(fori_loop(0, 4, lambda i, total: total + i, 0))
      6
    """
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


@keras_op
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """`loop_vars = body(*loop_vars)` while `cond(*loop_vars)` holds, at most `maximum_iterations` times
    (`keras.ops.while_loop`).

    Args:
      cond: the condition, called with the loop variables unpacked; returns a bool scalar.
      body: the step, called likewise; returns the new loop variables in the same structure.
      loop_vars: a tuple or list of tensors, or a single tensor.
      maximum_iterations: None, or a bound on the number of steps.

    Returns:
      The final loop variables, in `loop_vars`' structure (a tuple for a list or tuple).

    Example:
      >>> i, total = while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t + i), (0, 0))
      >>> int(i), int(total)
      (3, 3)
    """
    packed = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if packed else (loop_vars,)
    unpack = lambda values: tuple(values) if packed else (values,)
    if maximum_iterations is None:
        final = jax.lax.while_loop(lambda s: cond(*s), lambda s: unpack(body(*s)), state)
    else:
        step_cond = lambda s: jnp.logical_and(cond(*s[:-1]), s[-1] < maximum_iterations)
        step = lambda s: unpack(body(*s[:-1])) + (s[-1] + 1,)
        final = jax.lax.while_loop(step_cond, step, state + (0,))[:-1]
    return final if packed else final[0]


@keras_op
def unstack(x, num=None, axis=0):
    """`x` cut into a list of its slices along `axis` (`keras.ops.unstack`).

    Raises:
      ValueError: when `num` is given and differs from the size of `axis`.

    Example:
      >>> import jax.numpy as jnp
      >>> [v.tolist() for v in unstack(jnp.array([[1, 2], [3, 4]]), axis=1)]
      [[1, 3], [2, 4]]
    """
    x = tensor(x)
    axis = canonical_axis(axis, x.ndim)
    if num is not None and num != x.shape[axis]:
        raise ValueError(f"Argument `num` of unstack must equal the size of axis {axis} ({x.shape[axis]}), received "
                         f"{num}.")
    return [jax.lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis])]


@keras_op
def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices` (duplicates add up) (`keras.ops.scatter`).

    Args:
      indices: an int tensor of shape `(N, k)`: N index tuples into the first k axes of `shape`.
      values: a tensor of shape `(N,) + shape[k:]`.
      shape: the output shape.

    Example:
      >>> import jax.numpy as jnp
      >>> scatter(jnp.array([[0], [2], [0]]), jnp.array([1.0, 2.0, 3.0]), (3,)).tolist()
      [4.0, 0.0, 2.0]
    """
    indices, values = tensor(indices), tensor(values)
    return jnp.zeros(shape, values.dtype).at[tuple(jnp.moveaxis(indices, -1, 0))].add(values)


_REDUCTIONS = (None, "add", "max", "min", "mul")


@keras_op
def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with the elements at `indices` replaced by (or combined with) `updates`
    (`keras.ops.scatter_update`).

    Args:
      inputs: a tensor.
      indices: an int tensor of shape `(N, k)`.
      updates: a tensor of shape `(N,) + inputs.shape[k:]`.
      reduction: None (replace), "add", "max", "min" or "mul".

    Raises:
      ValueError: for another `reduction`.

    Example:
      >>> import jax.numpy as jnp
      >>> scatter_update(jnp.zeros(3), jnp.array([[1]]), jnp.array([5.0])).tolist()
      [0.0, 5.0, 0.0]
    """
    if reduction is not None:
        reduction = reduction.lower() if isinstance(reduction, str) else reduction
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Argument `reduction` of scatter_update must be one of {_REDUCTIONS}, received "
                         f"{reduction!r}.")
    inputs, indices = tensor(inputs), tensor(indices)
    at = inputs.at[tuple(jnp.transpose(indices))]
    method = {None: at.set, "add": at.add, "max": at.max, "min": at.min, "mul": at.multiply}[reduction]
    return method(tensor(updates))


@keras_op
def slice(inputs, start_indices, shape):  # noqa: A001 (Keras's name)
    """The block of `inputs` of `shape` starting at `start_indices`; -1 in `shape` takes the rest of an axis
    (`keras.ops.slice`; the start may be a traced value).

    Example:
      >>> import jax.numpy as jnp
      >>> slice(jnp.arange(10), (2,), (3,)).tolist()
      [2, 3, 4]
    """
    inputs = tensor(inputs)
    sizes = tuple(inputs.shape[i] - start_indices[i] if s == -1 else s for i, s in enumerate(shape))
    return jax.lax.dynamic_slice(inputs, start_indices, sizes)


@keras_op
def slice_update(inputs, start_indices, updates):
    """`inputs` with the block starting at `start_indices` replaced by `updates` (`keras.ops.slice_update`).

    Example:
      >>> import jax.numpy as jnp
      >>> slice_update(jnp.zeros(4), (1,), jnp.ones(2)).tolist()
      [0.0, 1.0, 1.0, 0.0]
    """
    inputs = tensor(inputs)
    return jax.lax.dynamic_update_slice(inputs, tensor(updates), start_indices)


__all__ = sorted(["shape", "dtype", "is_tensor", "convert_to_numpy", "custom_gradient"] + [
    name for name, value in list(globals().items()) if callable(value) and hasattr(value, "elementwise")])
