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
from flax import nnx

from kerasish import ops as _ops
from kerasish import registry
from kerasish.layers.building import build_for_call
from kerasish.layers.call_arguments import CallArguments, attach_mask, attached_mask, call_signature
from kerasish.shapes import STAND_INS, merge_traced_shapes, stand_in_shape

_ids = itertools.count()


class SymbolicTensor:
    """A placeholder with a shape (batch axis None) and a dtype, produced by a layer.

    Attributes:
      shape: e.g. `(None, 28, 28, 1)`.
      dtype: a NumPy dtype.
      node: the `Node` that produced it.
    """

    _keras_mask = None  # the symbolic mask a masking layer attached (Keras's attribute), or None
    sparse = False  # Keras's KerasTensor flags: kerasish's tensors are dense
    ragged = False

    def __init__(self, shape: tuple, dtype: Any, node: Node | None = None) -> None:
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.node = node
        self.id = next(_ids)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def spec(self, size: int = 2) -> jax.ShapeDtypeStruct:
        """A concrete stand-in to trace layers with: an unknown batch axis gets `size` (one of `STAND_INS`), the other
        unknown axes a larger size (`shapes.stand_in_shape`); an op's output may have no batch axis
        (`ops.sum(x, axis=0)`), its first axis is traced the same way."""
        return jax.ShapeDtypeStruct(stand_in_shape(self.shape, size), self.dtype)

    def __repr__(self) -> str:
        producer = self.node.layer.name if self.node is not None else "?"
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype.name}, from layer '{producer}'>"

    # -- kerasish.ops and Python's operators on symbolic tensors (Keras's KerasTensor) ----------------------

    def __kerasish_op__(self, op, args: tuple, kwargs: dict[str, Any]):
        """A kerasish op called with this tensor among its arguments: records it as a layer (`call_op`)."""
        return call_op(op, args, kwargs)

    def reshape(self, newshape):
        return _ops.reshape(self, newshape)

    def squeeze(self, axis=None):
        return _ops.squeeze(self, axis)

    def __getitem__(self, key):
        return _ops.get_item(self, key)

    def __iter__(self):
        raise TypeError(f"A symbolic tensor cannot be iterated over ({self!r}): it has no values. Use "
                        f"kerasish.ops.unstack or index it (x[:, 0]) instead.")

    def __bool__(self):
        raise TypeError(f"A symbolic tensor cannot be used as a Python bool ({self!r}): it has no values. Use "
                        f"kerasish.ops.cond or kerasish.ops.where for a condition on tensor values.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"A symbolic tensor cannot be converted to a NumPy array ({self!r}): it stands for the "
                        f"inputs of a model. Compute on it with kerasish.ops, or call the model on data.")

    def __int__(self):
        raise TypeError(f"A symbolic tensor cannot be converted to a Python int ({self!r}).")

    def __float__(self):
        raise TypeError(f"A symbolic tensor cannot be converted to a Python float ({self!r}).")

    __add__ = lambda self, other: _ops.add(self, other)
    __radd__ = lambda self, other: _ops.add(other, self)
    __sub__ = lambda self, other: _ops.subtract(self, other)
    __rsub__ = lambda self, other: _ops.subtract(other, self)
    __mul__ = lambda self, other: _ops.multiply(self, other)
    __rmul__ = lambda self, other: _ops.multiply(other, self)
    __matmul__ = lambda self, other: _ops.matmul(self, other)
    __rmatmul__ = lambda self, other: _ops.matmul(other, self)
    __truediv__ = lambda self, other: _ops.true_divide(self, other)
    __rtruediv__ = lambda self, other: _ops.true_divide(other, self)
    __floordiv__ = lambda self, other: _ops.floor_divide(self, other)
    __rfloordiv__ = lambda self, other: _ops.floor_divide(other, self)
    __mod__ = lambda self, other: _ops.mod(self, other)
    __rmod__ = lambda self, other: _ops.mod(other, self)
    __pow__ = lambda self, other: _ops.power(self, other)
    __rpow__ = lambda self, other: _ops.power(other, self)
    __neg__ = lambda self: _ops.negative(self)
    __pos__ = lambda self: self
    __abs__ = lambda self: _ops.absolute(self)
    __invert__ = lambda self: _ops.logical_not(self)
    __and__ = lambda self, other: _ops.logical_and(self, other)
    __rand__ = lambda self, other: _ops.logical_and(other, self)
    __or__ = lambda self, other: _ops.logical_or(self, other)
    __ror__ = lambda self, other: _ops.logical_or(other, self)
    __xor__ = lambda self, other: _ops.logical_xor(self, other)
    __rxor__ = lambda self, other: _ops.logical_xor(other, self)
    __lt__ = lambda self, other: _ops.less(self, other)
    __le__ = lambda self, other: _ops.less_equal(self, other)
    __gt__ = lambda self, other: _ops.greater(self, other)
    __ge__ = lambda self, other: _ops.greater_equal(self, other)
    __ne__ = lambda self, other: _ops.not_equal(self, other)
    __eq__ = object.__eq__  # identity, as Keras's KerasTensor (tensors are kept in dicts and compared by `is`)
    __hash__ = object.__hash__

    def __round__(self, ndigits=None):
        return _ops.round(self, 0 if ndigits is None else ndigits)


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

    def __getstate__(self) -> dict[str, Any]:
        return {"first_node": self.first_node, "tracer": None}  # a weak method is not picklable: traced again on need

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


def call_layer(layer, arguments: CallArguments):
    """A layer called on symbolic tensors (the functional API): builds the layer for their shapes, traces it for
    the output's shape and dtype, and records the call as a `Node`; returns the symbolic outputs.

    Symbolic tensors among the other arguments (a second input, an RNN's `initial_state`, an attention mask, a
    `mask`) are recorded in the node as inputs; the other values (`use_causal_mask=True`) as constants.

    Raises:
      ValueError: for a concrete `mask`.
      TypeError: for a concrete input with symbolic keyword arguments, or a concrete array among them.
    """
    inputs, kwargs = arguments.inputs, dict(arguments.kwargs)
    if arguments.mask is not None:
        if not any_symbolic(arguments.mask):
            raise ValueError(f"Argument `mask` of layer '{layer.name}' must be a symbolic tensor in the functional "
                             f"API, received {arguments.mask!r}: masks come from the data at run time "
                             f"(Embedding(mask_zero=True), Masking) or from another layer's output.")
        kwargs["mask"] = arguments.mask
    if arguments.training_given and arguments.training is not None:
        kwargs["training"] = arguments.training  # used when the model is called without `training`, as in Keras
    if not any_symbolic(inputs):
        raise TypeError(f"Layer '{layer.name}' was called on a concrete input with symbolic keyword arguments "
                        f"{sorted(k for k, v in kwargs.items() if any_symbolic(v))}; call it on the symbolic tensor "
                        f"(from ks.Input) instead.")
    for key, value in kwargs.items():
        for leaf in leaves(value):
            if isinstance(leaf, (jax.Array, np.ndarray)):
                raise TypeError(f"Layer '{layer.name}' was called on symbolic tensors with a concrete array for "
                                f"`{key}`; in the functional API pass it in through a ks.Input.")
    tensors = {k: v for k, v in kwargs.items() if any_symbolic(v)}
    constants = {k: v for k, v in kwargs.items() if k not in tensors}
    # A mask the layers before attached goes into the traces (a layer may need it, as Keras's TemporalSoftmax does),
    # not into the node: at run time the model hands each layer the masks computed from the data.
    traced = dict(tensors)
    if arguments.mask is None and attached_mask(inputs) is not None and "mask" in call_signature(layer).parameters:
        traced["mask"] = attached_mask(inputs)
    shape_of = lambda value: tree_map(lambda t: t.shape, value)
    if not layer.built:
        build_for_call(layer, arguments, shape_of, trace_output="mask" not in traced)
    layer.check_input_shape(shape_of(inputs))
    # Traced twice with different stand-ins for unknown sizes: an output axis that follows them is unknown.
    specs = lambda tree, n: tree_map(lambda t: t.spec(n) if is_symbolic(t) else t, tree)
    trace = lambda n: nnx.eval_shape(lambda lay, x, kw: lay(x, **kw, **constants), layer, specs(inputs, n),
                                     specs(traced, n))
    small, large = trace(STAND_INS[0]), trace(STAND_INS[1])
    outputs = jax.tree.map(lambda a, b: SymbolicTensor(merge_traced_shapes(a.shape, b.shape), a.dtype), small, large,
                           is_leaf=lambda v: isinstance(v, nnx.Variable))  # a call may return a weight
    Node(layer, inputs, outputs, kwargs)
    _attach_symbolic_mask(layer, inputs, outputs, arguments.mask if arguments.mask is not None else
                          attached_mask(inputs), specs)
    if layer.output_shape is None:  # a layer of several tensor arguments: its first symbolic call tells
        layer.output_shape = tree_map(lambda t: t.shape, outputs)
    return outputs


def get_source_inputs(tensor: Any) -> list[SymbolicTensor]:
    """The Input tensors (`ks.Input`) that `tensor` is computed from, in the order the graph reaches them
    (Keras's `keras.utils.get_source_inputs`).

    Raises:
      TypeError: for something that is not a symbolic tensor.

    Example:
      >>> import kerasish as ks
      >>> a, b = ks.Input((2,)), ks.Input((2,))
      >>> get_source_inputs(ks.layers.Add()([a, b])) == [a, b]
      True
    """
    if not is_symbolic(tensor):
        raise TypeError(f"Argument `tensor` of get_source_inputs must be a symbolic tensor, received {tensor!r}.")
    found: list[SymbolicTensor] = []
    seen: set[int] = set()
    stack = [tensor]
    while stack:
        current = stack.pop()
        node = current.node
        if node is None or node.inputs is None and not node.kwargs:  # an Input's tensor
            if all(t is not current for t in found):
                found.append(current)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(reversed(node.parents()))
    return found


def _attach_symbolic_mask(layer, inputs: Any, outputs: Any, previous: Any, specs) -> None:
    """Keras's `_keras_mask` on symbolic outputs: the shape and dtype of the mask a masking layer hands on (traced
    like the outputs), as a symbolic tensor made by no layer (masks are computed from the data at run time)."""
    makes_mask = getattr(type(layer).compute_mask, "__qualname__", "") != "Layer.compute_mask"
    if not (makes_mask or (layer.supports_masking and previous is not None)):
        return
    trace = lambda n: nnx.eval_shape(lambda lay, x, m: lay.output_mask(x, m), layer, specs(inputs, n),
                                     specs(previous, n))
    small, large = trace(STAND_INS[0]), trace(STAND_INS[1])
    masks = jax.tree.map(lambda a, b: SymbolicTensor(merge_traced_shapes(a.shape, b.shape), a.dtype), small, large)
    attach_mask(outputs, masks)


def call_op(op, args: tuple, kwargs: dict[str, Any]):
    """`op(*args, **kwargs)` with symbolic tensors among the arguments: an `OpLayer` (kerasish.layers.op_layer,
    found in the registry) called on those tensors, so the op becomes a node of the functional graph.

    Raises:
      RuntimeError: when kerasish.layers (which defines OpLayer) was not imported.
    """
    layer_class = registry.builtins("layers").get("OpLayer")
    if layer_class is None:
        raise RuntimeError("kerasish.ops called on a symbolic tensor needs kerasish.layers (OpLayer): import kerasish.")
    layer, tensors = layer_class.from_call(op, args, kwargs)
    return layer(tensors)
