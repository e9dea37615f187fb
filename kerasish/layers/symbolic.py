"""Symbolic tensors: what `ks.Input(...)` returns and what layers return when called on one.

Calling a layer on a `SymbolicTensor` runs no computation: it builds the layer for the tensor's
shape, traces the layer for the output's shape and dtype, and records a `Node` (layer, inputs,
outputs). `ks.Model(inputs, outputs)` walks these nodes back from the outputs to make a graph.
"""

from __future__ import annotations

import itertools
from typing import Any

import jax
import numpy as np

_ids = itertools.count()


class SymbolicTensor:
    """A placeholder with a shape (batch axis None) and a dtype, produced by a layer.

    Attributes:
      shape: e.g. `(None, 28, 28, 1)`.
      dtype: a NumPy dtype.
      node: the `Node` that produced it.
    """

    def __init__(self, shape: tuple, dtype: Any, node: Node | None = None) -> None:
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.node = node
        self.id = next(_ids)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def spec(self, size: int = 2) -> jax.ShapeDtypeStruct:
        """A concrete stand-in to trace layers with: the batch axis and every unknown (None) axis get `size`."""
        return jax.ShapeDtypeStruct(tuple(size if d is None else d for d in (None,) + self.shape[1:]), self.dtype)

    def __repr__(self) -> str:
        producer = self.node.layer.name if self.node is not None else "?"
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype.name}, from layer '{producer}'>"


class Node:
    """One call of `layer` on symbolic `inputs` (a pytree of tensors), giving `outputs`.

    `kwargs` are the call's keyword arguments: symbolic tensors among them (an RNN's `initial_state`)
    are inputs of the node too; the other values are constants of the call (`use_causal_mask=True`).
    """

    def __init__(self, layer, inputs: Any, outputs: Any, kwargs: dict[str, Any] | None = None) -> None:
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.kwargs = dict(kwargs or {})
        for tensor in leaves(outputs):
            tensor.node = self
        history = getattr(layer, "call_history", None)
        if history is not None and history.first_node is None:  # `layer.input` / `layer.output` read it
            history.first_node = self

    def parents(self) -> list[SymbolicTensor]:
        """Every symbolic tensor the call reads: the inputs, then those in the keyword arguments."""
        return [t for t in leaves([self.inputs, self.kwargs]) if is_symbolic(t)]


class CallHistory:
    """What `layer.input` / `layer.output` read: the layer's first symbolic call (`first_node`, as in Keras), and
    a way to make that call when the layer sits in a container that traces on request (`tracer`: a Sequential
    with an Input traces its chain of layers the first time one of them is asked for its `output`).

    A plain object each layer holds as one static value: recording a call never changes the layer's graph
    definition, so it never recompiles a model nor resets an optimizer.
    """

    def __init__(self) -> None:
        self.first_node: Node | None = None
        self.tracer = None  # a weakref.WeakMethod to the container's tracing method, or None

    def first_call(self) -> Node | None:
        """The first symbolic call, traced by the container (`tracer`) if there is none yet."""
        tracer = self.tracer() if self.tracer is not None else None
        if self.first_node is None and tracer is not None:
            tracer()
        return self.first_node


def is_symbolic(x: Any) -> bool:
    return isinstance(x, SymbolicTensor)


def leaves(tree: Any) -> list[SymbolicTensor]:
    return jax.tree.leaves(tree, is_leaf=is_symbolic)


def any_symbolic(tree: Any) -> bool:
    return any(is_symbolic(leaf) for leaf in leaves(tree))


def tree_map(fn, tree: Any) -> Any:
    return jax.tree.map(fn, tree, is_leaf=is_symbolic)
