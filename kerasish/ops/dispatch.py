"""How every kerasish op is made: registration, symbolic dispatch, and Keras's input conversion.

`@keras_op` turns a plain function over JAX arrays into a kerasish op:

- it is registered in `kerasish.registry` under family `"ops"` and its name, so that a saved functional
  model can name it (`registry.lookup("ops", "relu")`);
- when one of its arguments (at the top level, or inside a list, tuple or dict argument) has a type that
  defines `__kerasish_op__`, the op does not compute: it returns
  `argument.__kerasish_op__(op, args, kwargs)`. This is how ops applied to the functional API's symbolic
  tensors record a layer in the graph without this floor knowing about layers (the protocol is the door:
  `kerasish.layers.symbolic.SymbolicTensor` implements it).

The helpers below are the conversions Keras's JAX backend applies before calling `jax.numpy`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerasish import registry
from kerasish.backend import convert_to_tensor, floatx, result_type, standardize_dtype

PROTOCOL = "__kerasish_op__"


def symbolic_handler(args: tuple, kwargs: dict[str, Any]) -> Any:
    """The first argument whose type implements `__kerasish_op__` (looked for two levels deep), or None."""
    for value in (*args, *kwargs.values()):
        if hasattr(type(value), PROTOCOL):
            return value
        if isinstance(value, (list, tuple)):
            items = value
        elif isinstance(value, dict):
            items = value.values()
        else:
            continue
        for item in items:
            if hasattr(type(item), PROTOCOL):
                return item
            if isinstance(item, (list, tuple)):
                for leaf in item:
                    if hasattr(type(leaf), PROTOCOL):
                        return leaf
    return None


def keras_op(fn: Callable | None = None, *, name: str | None = None, elementwise: bool = False) -> Callable:
    """Decorator making `fn` a kerasish op (see the module docstring).

    Args:
      fn: the function computing on JAX arrays.
      name: the registered name (`fn.__name__` by default).
      elementwise: whether the op maps each element (or each row) of its inputs on its own, with no
        reduction over the first axis; a functional model's op layer then reports its rows independent
        (so `fit` may pad a short last batch, as with most layers).

    Returns:
      The op: the same signature and docstring as `fn`, with `op.elementwise` set.
    """
    if fn is None:
        return functools.partial(keras_op, name=name, elementwise=elementwise)

    @functools.wraps(fn)
    def op(*args, **kwargs):
        handler = symbolic_handler(args, kwargs)
        if handler is not None:
            return getattr(handler, PROTOCOL)(op, args, kwargs)
        return fn(*args, **kwargs)

    op.elementwise = elementwise
    op.__name__ = name or fn.__name__
    op.__qualname__ = op.__name__
    registry.register_builtin("ops", op, op.__name__)
    return op


def alias(op: Callable, name: str) -> Callable:
    """Registers `op` under a second name (Keras's `abs` for `absolute`) and returns it."""
    registry.register_builtin("ops", op, name)
    return op


# -- conversions Keras applies before calling jax.numpy ----------------------------------------------

def tensor(x: Any, dtype: Any = None) -> jax.Array:
    """`x` as a JAX array (Keras's `convert_to_tensor`: weights give their value, Python floats are weak
    float32)."""
    return convert_to_tensor(x, dtype)


def dtype_name(x: Any) -> str:
    """The Keras name of `x`'s dtype (`"float32"`, `"int8"`, `"bool"`, ...)."""
    return standardize_dtype(x.dtype)


def to_float(x: jax.Array) -> jax.Array:
    """`x` cast to `result_type(x.dtype, float)`: ints and bools to float32, floats unchanged."""
    return cast(x, result_type(x.dtype, float))


def ints_to_floatx(x: jax.Array) -> jax.Array:
    """`x` with integer and boolean dtypes cast to `floatx()` (Keras's rule for exp, expm1, exp2)."""
    name = dtype_name(x)
    return cast(x, floatx()) if "int" in name or name == "bool" else x


def cast(x: Any, dtype: Any) -> jax.Array:
    """`x` as an array of `dtype` (a Keras dtype name or any dtype-like)."""
    return convert_to_tensor(x, standardize_dtype(dtype))


def optional_dtype(dtype: Any) -> str | None:
    """None, or `dtype`'s Keras name (`jnp.float32`, `"float32"` and `np.float32` are all "float32")."""
    return None if dtype is None else standardize_dtype(dtype)


def canonical_axis(axis: int, ndim: int, argument: str = "axis") -> int:
    """`axis` in `[0, ndim)`, counting negative values from the end.

    Raises:
      ValueError: for an axis outside `[-ndim, ndim)`.
    """
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"Argument `{argument}` must be an int, received {axis!r}.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"Argument `{argument}` must be in [-{ndim}, {ndim}) for a tensor of rank {ndim}, received "
                         f"{axis}.")
    return axis % ndim


def axis_tuple(axis: Any) -> Any:
    """`axis` as jax.numpy wants it: None, an int, or a tuple (Keras also takes lists)."""
    return tuple(axis) if isinstance(axis, list) else axis


def is_traced(x: Any = None) -> bool:
    """Whether the code runs under a JAX transformation (jit, grad, vmap, eval_shape, ...)."""
    return isinstance(jnp.zeros(()) if x is None else x, jax.core.Tracer)
