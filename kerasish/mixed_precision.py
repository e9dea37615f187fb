"""Dtype policies: compute in bfloat16 or float16 while the weights stay float32 (as `keras.mixed_precision`).

A policy names two dtypes: the weights' (`variable_dtype`) and the computation's (`compute_dtype`).
Under `"mixed_bfloat16"` a layer casts its floating inputs and its trainable weights to bfloat16 when it
is called, so matrix products run in bfloat16, while the weights, their gradients and the optimizer
state stay float32. Losses are computed in float32. `"mixed_float16"` also scales the loss during
training (dynamic loss scaling, as Keras's `LossScaleOptimizer`): float16 gradients would otherwise
underflow.

    >>> import kerasish as ks
    >>> policy = ks.mixed_precision.DTypePolicy("mixed_bfloat16")
    >>> policy.variable_dtype, policy.compute_dtype
    ('float32', 'bfloat16')
    >>> ks.layers.Dense(4, dtype="mixed_bfloat16").compute_dtype
    dtype(bfloat16)

Set a default for every layer made afterwards with `set_global_policy("mixed_bfloat16")`; keep the
last layer in float32 where a softmax needs the range (`Dense(10, activation="softmax",
dtype="float32")`), as Keras advises.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["DTypePolicy", "Policy", "global_policy", "set_global_policy"]

_POLICIES = {
    "float32": ("float32", "float32"),
    "float64": ("float64", "float64"),
    "float16": ("float16", "float16"),
    "bfloat16": ("bfloat16", "bfloat16"),
    "mixed_float16": ("float32", "float16"),
    "mixed_bfloat16": ("float32", "bfloat16"),
}


class DTypePolicy:
    """A layer's dtypes: `variable_dtype` for its weights, `compute_dtype` for its computation.

    Args:
      name: "float32", "bfloat16", "float16", "mixed_bfloat16" or "mixed_float16" (float64 when
        `jax_enable_x64` is on).
    """

    def __init__(self, name: str = "float32") -> None:
        if isinstance(name, DTypePolicy):
            name = name.name
        if name not in _POLICIES:
            raise ValueError(f"Argument `name` of DTypePolicy must be one of {sorted(_POLICIES)}, received {name!r}.")
        self.name = name
        self.variable_dtype, self.compute_dtype = _POLICIES[name]

    @property
    def is_mixed(self) -> bool:
        return self.variable_dtype != self.compute_dtype

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


Policy = DTypePolicy  # Keras 2's name

_GLOBAL = DTypePolicy("float32")


def set_global_policy(policy: str | DTypePolicy | None) -> None:
    """The policy of layers made from now on without a `dtype` (None: back to float32)."""
    global _GLOBAL
    _GLOBAL = DTypePolicy(policy or "float32")


def global_policy() -> DTypePolicy:
    return _GLOBAL


def get(dtype: Any) -> DTypePolicy:
    """A policy from a layer's `dtype` argument: None (the global policy), a policy or its name, or a
    plain dtype ("float32", jnp.float32: both dtypes the same)."""
    if dtype is None:
        return _GLOBAL
    if isinstance(dtype, DTypePolicy):
        return dtype
    if isinstance(dtype, dict) and dtype.get("class_name") == "DTypePolicy":  # a Keras-style config
        return DTypePolicy(dtype["config"]["name"])
    if isinstance(dtype, str) and dtype in _POLICIES:
        return DTypePolicy(dtype)
    try:
        name = jnp.dtype(dtype).name
    except TypeError:
        name = None
    if name not in _POLICIES:
        raise ValueError(f"Argument `dtype` must be a floating dtype or a policy name ({sorted(_POLICIES)}), "
                         f"received {dtype!r}.")
    return DTypePolicy(name)


def numpy_floats_as(x: Any, dtype) -> Any:
    """NumPy float inputs (or those in a list / dict of inputs) as JAX arrays of `dtype`, as Keras converts a layer's
    inputs: a float64 array (NumPy's default) would otherwise be truncated by JAX with a warning wherever a layer
    names its dtype. Anything else is returned as it is.

    Example:
      >>> numpy_floats_as(np.zeros(2), "float32").dtype
      dtype('float32')
    """
    is_numpy_float = lambda v: isinstance(v, np.ndarray) and v.dtype.kind == "f"
    if is_numpy_float(x):
        return jnp.asarray(x, dtype)
    if isinstance(x, (list, tuple, dict)) and any(is_numpy_float(v) for v in jax.tree.leaves(x)):
        return jax.tree.map(lambda v: jnp.asarray(v, dtype) if is_numpy_float(v) else v, x)
    return x


def cast_floats(tree: Any, dtype: Any) -> Any:
    """Casts the floating arrays of `tree` to `dtype`; integer and boolean arrays are left alone."""
    dtype = jnp.dtype(dtype)
    return jax.tree.map(lambda a: a.astype(dtype) if jnp.issubdtype(jnp.result_type(a), jnp.floating)
                        and jnp.result_type(a) != dtype else a, tree)


@contextlib.contextmanager
def autocast(variables: list, dtype: Any) -> Iterator[None]:
    """Inside the block, the floating `variables` hold their value cast to `dtype`; restored after.

    The cast is part of the traced computation, so gradients reach the float32 weights through it.
    """
    dtype = jnp.dtype(dtype)
    saved = []
    for variable in variables:
        value = variable.get_value()
        if jnp.issubdtype(value.dtype, jnp.floating) and value.dtype != dtype:
            saved.append((variable, value))
            variable.set_value(value.astype(dtype))
    try:
        yield
    finally:
        for variable, value in saved:
            variable.set_value(value)


# -- dynamic loss scaling (mixed_float16) ------------------------------------------------------------

#: Keras's LossScaleOptimizer defaults: start at 2**15, double after 2000 finite steps, halve on overflow.
INITIAL_SCALE = 2.0 ** 15
GROWTH_STEPS = 2000


def init_loss_scale() -> dict[str, jax.Array]:
    return {"scale": jnp.asarray(INITIAL_SCALE, jnp.float32), "good_steps": jnp.asarray(0, jnp.int32)}


def next_loss_scale(state: dict[str, jax.Array], finite: jax.Array) -> dict[str, jax.Array]:
    """Halves the scale after a non-finite step; doubles it after `GROWTH_STEPS` finite steps in a row."""
    grown = state["good_steps"] + 1 >= GROWTH_STEPS
    scale = jnp.where(finite, jnp.where(grown, state["scale"] * 2.0, state["scale"]),
                      jnp.maximum(state["scale"] / 2.0, 1.0))
    good = jnp.where(finite & ~grown, state["good_steps"] + 1, 0)
    return {"scale": scale, "good_steps": good.astype(jnp.int32)}
