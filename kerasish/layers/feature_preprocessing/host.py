"""What the feature preprocessing layers share: inputs given as lists or arrays, `adapt`'s data, host calls.

Strings cannot live in JAX arrays, so the string layers (StringLookup, TextVectorization, Hashing of strings)
compute on the host with NumPy and return JAX arrays of ints or floats. Numeric layers compute with
`jax.numpy` and also run inside a compiled step; where their maths only exists on the host (a hash), they
reach it through `jax.pure_callback`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
import kerasish.layers.symbolic as _symbolic


def is_traced(x: Any) -> bool:
    return isinstance(x, jax.core.Tracer)


def as_array(x: Any) -> Any:
    """An input as an array: JAX arrays, tracers and symbolic tensors as they are; NumPy arrays as they are;
    lists, tuples, scalars, strings and array-likes (objects with `__array__`) through `np.asarray`."""
    if isinstance(x, (jax.Array, np.ndarray)) or _symbolic.any_symbolic(x):
        return x
    return np.asarray(x)


def prepare_call(layer: Any, x: Any, several: bool = False) -> Any:
    """What a preprocessing layer does before `Layer.__call__`: lists and array-likes become arrays (each input
    of a list / tuple when the layer takes `several`), and a layer without weights is built from the input's
    shape even on a traced first call (inside `jax.jit`)."""
    x = type(x)(as_array(v) for v in x) if several else as_array(x)
    if not layer.built and not _symbolic.any_symbolic(x):
        shapes = [tuple(v.shape) for v in x] if isinstance(x, (list, tuple)) else tuple(np.shape(x))
        layer.build_for(shapes)
    return x


def is_string_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind in "USO"


def as_text_array(x: Any, encoding: str = "utf-8") -> np.ndarray:
    """`x` as a NumPy array of Python `str` (object dtype): bytes decoded with `encoding`."""
    array = np.asarray(x, dtype=object) if not isinstance(x, np.ndarray) else x
    if array.dtype.kind == "U":
        return array.astype(object)
    flat = [v.decode(encoding) if isinstance(v, bytes) else v for v in array.reshape(-1).tolist()]
    if not all(isinstance(v, str) for v in flat):
        bad = next(v for v in flat if not isinstance(v, str))
        raise TypeError(f"Expected strings (or bytes), received an element {bad!r} of type {type(bad).__name__}.")
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(array.shape)


def adapt_batches(data: Any, batch_size: int | None, steps: int | None, what: str,
                  lists_are_data: bool = True) -> Iterator[Any]:
    """The batches `adapt(data, batch_size, steps)` reads, as Keras: an array (or a list / tuple of values when
    `lists_are_data`) is one dataset, cut into `batch_size` rows when given; any other iterable (a generator,
    a dataset of batches) is read batch by batch, at most `steps` of them.

    Raises:
      ValueError: for a bad `batch_size` / `steps`, or data that is neither an array nor an iterable.
    """
    if batch_size is not None:
        checks.positive_int(batch_size, "batch_size", what)
    if steps is not None:
        checks.positive_int(steps, "steps", what)
    whole = isinstance(data, (np.ndarray, jax.Array, str, bytes)) or (
        lists_are_data and isinstance(data, (list, tuple)))
    if whole:
        array = np.asarray(data)
        if batch_size is None or array.ndim == 0:
            yield data if isinstance(data, (np.ndarray, jax.Array)) else array
            return
        for i, start in enumerate(range(0, len(array), batch_size)):
            if steps is not None and i >= steps:
                return
            yield array[start:start + batch_size]
        return
    if not hasattr(data, "__iter__"):
        raise ValueError(f"{what} expects a NumPy array, a list of values or an iterable of batches, received "
                         f"{type(data).__name__}.")
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            return
        yield batch


def host_call(fn: Callable[[np.ndarray], np.ndarray], x: Any, dtype: Any, shape: tuple[int, ...] | None = None):
    """`fn(NumPy array) -> NumPy array` on `x`: directly for concrete inputs, through `jax.pure_callback` for
    traced ones (inside a compiled step). The result is a JAX array of `dtype` (and `shape`, default `x`'s)."""
    shape = tuple(x.shape) if shape is None else shape
    if is_traced(x):
        spec = jax.ShapeDtypeStruct(shape, jnp.dtype(dtype))
        return jax.pure_callback(lambda v: np.asarray(fn(np.asarray(v)), dtype=dtype), spec, x,
                                 vmap_method="sequential")
    return jnp.asarray(np.asarray(fn(np.asarray(x)), dtype=dtype))
