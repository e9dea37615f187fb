"""Losses that layers add during a forward pass: `Layer.add_loss(value)` and `activity_regularizer=`.

Inside the compiled step a value is a tracer: kept on a layer it would outlive its trace. So the engine
runs the forward pass inside `collect()`, every `add_loss` appends `(layer, value)` to that collector, and
the engine adds their sum to the loss it differentiates and reports (in `fit` and in `evaluate`, as Keras
does). An eager call on arrays (`layer(x)` outside any step) collects the same way and then keeps the
values on the layers, replacing those of the previous call; `layer.losses` reads them.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

_collector: ContextVar[list | None] = ContextVar("kerasish_added_losses", default=None)
#: (layer, values) standing in for what `losses_of(layer)` finds: the losses of a pure call made on a copy of it
_stand_in: ContextVar[tuple | None] = ContextVar("kerasish_added_losses_stand_in", default=None)
#: layer -> the values its last eager call added (weak: a layer that is gone takes its losses with it)
_eager: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def collect() -> Iterator[list]:
    """Collects the `(layer, value)` pairs that `add_loss` receives inside the block."""
    added: list = []
    token = _collector.set(added)
    try:
        yield added
    finally:
        _collector.reset(token)


def add(layer: Any, value: Any) -> None:
    """Records `value` for `layer`: in the running collector, or else (an `add_loss` outside any call)
    directly among the layer's eager losses."""
    collector = _collector.get()
    if collector is not None:
        collector.append((layer, value))
    else:
        _eager.setdefault(layer, []).append(value)


def _layers_under(layer: Any) -> list:
    """`layer` and the layers under it: the graph's nodes that can `add_loss` (this module sits below the Layer
    class, so it knows layers by what they do)."""
    return [node for _, node in nnx.iter_graph(layer) if callable(getattr(node, "add_loss", None))]


@contextlib.contextmanager
def outermost_call(layer: Any) -> Iterator[None]:
    """Wraps a layer call. Inside a collector (a step, or an enclosing layer call) it does nothing; the
    outermost eager call collects, then replaces the eager losses of `layer` and its sublayers. A call
    traced by a transformation (`nnx.eval_shape`, a user's `jax.jit`) keeps nothing: its values are tracers."""
    if _collector.get() is not None:
        yield
        return
    with collect() as added:
        yield
    if any(isinstance(value, jax.core.Tracer) for _, value in added):
        return
    for sub in _layers_under(layer):
        _eager.pop(sub, None)
    for owner, value in added:
        _eager.setdefault(owner, []).append(value)


@contextlib.contextmanager
def standing_in(layer: Any, values: list) -> Iterator[None]:
    """Within the block, `losses_of(layer)` returns `values`: the losses a pure call of `layer` (on a merged copy,
    `stateless_call(..., return_losses=True)`) added, for code that then reads `layer.losses` (a model's
    `compute_loss`, as Keras's `_losses_override`)."""
    token = _stand_in.set((layer, list(values)))
    try:
        yield
    finally:
        _stand_in.reset(token)


def losses_of(layer: Any) -> list:
    """The values `layer` and its sublayers added: in the running step's collector when there is one, else
    from their last eager call (or those `standing_in` gives for it)."""
    stand_in = _stand_in.get()
    if stand_in is not None and stand_in[0] is layer:
        return list(stand_in[1])
    layers = _layers_under(layer)
    collector = _collector.get()
    if collector is not None:
        ids = {id(sub) for sub in layers}
        return [value for owner, value in collector if id(owner) in ids]
    return [value for sub in layers for value in _eager.get(sub, [])]


def total(added: list) -> jax.Array | float:
    """The sum of collected `(layer, value)` pairs (each value summed, in float32 at least), or 0.0."""
    out = 0.0
    for _, value in added:
        value = jnp.asarray(value)
        if not jnp.issubdtype(value.dtype, jnp.floating) or value.dtype.itemsize < 4:
            value = value.astype(jnp.float32)
        out = out + jnp.sum(value)
    return out


def activity_penalty(regularizer: Any, output: Any):
    """Keras 3's activity penalty of one output: `regularizer(output)`, divided by the batch size."""
    penalty = regularizer(output)
    if getattr(output, "ndim", 0) > 0:
        batch = output.shape[0]
        penalty = penalty / batch if batch else jnp.zeros_like(penalty)
    return penalty
