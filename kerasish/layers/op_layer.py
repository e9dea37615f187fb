"""`OpLayer`: one `kerasish.ops` call inside a functional model, as Keras records an op on KerasTensors.

`ops.relu(x) * 2 + x[:, :1]` on symbolic tensors (what `ks.Input` and layers return) computes nothing:
each op finds the symbolic tensor among its arguments (the `__kerasish_op__` protocol of
`kerasish.ops.dispatch`), and `SymbolicTensor` answers by calling an `OpLayer` on the symbolic tensors of the
call. The layer records a Node like any layer, so the model runs the op in its forward pass, and its config
names the op (its registered name) and the call's constant arguments, so a functional model using ops
saves and loads (`Model.from_config(model.get_config())`).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import backend, registry
from kerasish.layers import symbolic as _symbolic
from kerasish.layers.base import Layer
from kerasish.shapes import STAND_INS, stand_in_shape


class _Input:
    """Where the `index`-th tensor input goes in an op call's arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"<input {self.index}>"


class OpArguments:
    """An op call's positional and keyword arguments, with its tensor inputs taken out (`_Input` marks).

    One static object for the layer's graph definition: it hashes by identity, so constant arrays among
    the arguments stay constants of the program instead of becoming model state.
    """

    def __init__(self, args: tuple, kwargs: dict[str, Any]) -> None:
        self.args, self.kwargs = tuple(args), dict(kwargs)

    def fill(self, inputs: list) -> tuple[tuple, dict[str, Any]]:
        """The arguments with the marks replaced by `inputs`."""
        put = lambda value: _map(value, lambda leaf: inputs[leaf.index] if isinstance(leaf, _Input) else leaf)
        return put(self.args), put(self.kwargs)


def _map(value: Any, fn) -> Any:
    """`fn` applied to the leaves of nested lists, tuples and dicts (their types kept)."""
    if isinstance(value, dict):
        return {k: _map(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_map(v, fn) for v in value)
    return fn(value)


def separate(args: tuple, kwargs: dict[str, Any]) -> tuple[OpArguments, list]:
    """An op call's arguments split into constants with marks (`OpArguments`) and its symbolic tensors."""
    tensors: list = []

    def take(leaf):
        if _symbolic.is_symbolic(leaf):
            tensors.append(leaf)
            return _Input(len(tensors) - 1)
        return leaf

    return OpArguments(_map(args, take), _map(kwargs, take)), tensors


# -- JSON form of the constant arguments --------------------------------------------------------------------

def _is_dtype(value: Any) -> bool:
    return isinstance(value, (type, np.dtype)) or (callable(value) and hasattr(value, "dtype"))


def encode(value: Any) -> Any:
    """A JSON-able form of a constant argument (tuples, slices, Ellipsis, arrays, dtypes and kerasish ops are
    tagged so that `decode` gives them back); any other object (a Python function) is returned as it is."""
    if isinstance(value, _Input):
        return {"__tensor__": value.index}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, slice):
        return {"__slice__": [encode(value.start), encode(value.stop), encode(value.step)]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (np.ndarray, np.generic, jax.Array)):
        array = np.asarray(value)
        return {"__array__": array.tolist(), "dtype": backend.standardize_dtype(array.dtype)}
    if _is_dtype(value):
        return backend.standardize_dtype(value)
    name = registry.builtin_name("ops", value)
    if name is not None:
        return {"__op__": name}
    return value


def decode(value: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The inverse of `encode`."""
    if isinstance(value, list):
        return [decode(v, custom_objects) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tensor__" in value:
        return _Input(value["__tensor__"])
    if "__ellipsis__" in value:
        return Ellipsis
    if "__slice__" in value:
        return slice(*(decode(v, custom_objects) for v in value["__slice__"]))
    if "__tuple__" in value:
        return tuple(decode(v, custom_objects) for v in value["__tuple__"])
    if "__array__" in value:
        return np.asarray(value["__array__"], dtype=value["dtype"])
    if "__op__" in value:
        return registry.lookup("ops", value["__op__"], custom_objects, what="A saved op argument")
    return {k: decode(v, custom_objects) for k, v in value.items()}


class OpLayer(Layer):
    """A `kerasish.ops` op applied to symbolic tensors in a functional model.

    Made by `SymbolicTensor` when an op is called on symbolic tensors; rarely built by hand. The layer is
    called on the list of the call's symbolic tensors and computes `op(*args, **kwargs)` with them put
    back where they were.

    Args:
      op: the op (a function of `kerasish.ops`, or one registered under family "ops") or its registered name.
      arguments: an `OpArguments`, or its JSON form from a config (`{"args": [...], "kwargs": {...}}`).
      input_specs: `[(shape, dtype), ...]` of the tensor inputs (their full shapes: an op's input need not
        have a batch axis first).
      **kwargs: `Layer` arguments (`name`, ...).

    Input shape: the shapes of the op's tensor arguments. Output shape: the op's.

    Example:
      >>> import kerasish as ks
      >>> from kerasish import ops
      >>> x = ks.Input((3,))
      >>> y = ops.relu(x) * 2 + x[:, :1]
      >>> type(y.node.layer).__name__, y.shape
      ('OpLayer', (None, 3))
      >>> model = ks.Model(x, y)
      >>> model.predict(ops.ones((2, 3)), verbose=0).tolist()
      [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]
    """

    def __init__(self, op: Any, arguments: Any = None, input_specs: Any = None, **kwargs: Any) -> None:
        custom_objects = kwargs.pop("custom_objects", None)
        kwargs.setdefault("dtype", "float32")  # ops compute in their inputs' dtypes; no mixed-precision casts
        if isinstance(op, str):
            op = registry.lookup("ops", op, custom_objects, what="An OpLayer config")
        if not callable(op) or registry.builtin_name("ops", op) is None and not registry.is_registered(op):
            raise TypeError(f"Argument `op` of OpLayer must be a kerasish op (a function of kerasish.ops) or its "
                            f"name, received {op!r}.")
        kwargs.setdefault("name", backend.unique_name(registry.get_registered_name(op).split(">")[-1]))
        super().__init__(**kwargs)
        if arguments is None:
            arguments = OpArguments((), {})
        elif not isinstance(arguments, OpArguments):
            if not isinstance(arguments, dict) or set(arguments) - {"args", "kwargs"}:
                raise TypeError(f"Argument `arguments` of OpLayer must be OpArguments or {{'args': [...], 'kwargs': "
                                f"{{...}}}}, received {arguments!r}.")
            arguments = OpArguments(decode(arguments.get("args", []), custom_objects),
                                    decode(arguments.get("kwargs", {}), custom_objects))
        self.op = op
        self.arguments = arguments
        self.input_specs = None if input_specs is None else tuple(
            (tuple(shape), backend.standardize_dtype(dtype)) for shape, dtype in input_specs)

    @classmethod
    def from_call(cls, op, args: tuple, kwargs: dict[str, Any]) -> tuple[OpLayer, list]:
        """The layer for `op(*args, **kwargs)` on symbolic tensors, and those tensors (what to call it on)."""
        arguments, tensors = separate(args, kwargs)
        specs = [(t.shape, t.dtype) for t in tensors]
        return cls(op, arguments, input_specs=specs), tensors

    def call(self, inputs):
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        args, kwargs = self.arguments.fill(inputs)
        return self.op(*args, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The op's output shape(s), traced on the recorded input specs (unknown sizes: two stand-ins)."""
        if self.input_specs is None:
            return super().compute_output_shape(input_shape)

        def trace(size):
            specs = [jax.ShapeDtypeStruct(stand_in_shape(shape, size), dtype) for shape, dtype in self.input_specs]
            return jax.eval_shape(lambda xs: self.call(xs), specs)

        small, large = trace(STAND_INS[0]), trace(STAND_INS[1])
        return jax.tree.map(lambda a, b: tuple(x if x == y else None for x, y in zip(a.shape, b.shape)), small, large)

    def rows_independent(self, training: bool) -> bool:
        """Element-wise ops (`op.elementwise`) and indexing that keeps the batch axis (`x[:, ...]`) map each row
        on its own; other ops may mix rows (a mean over the batch axis)."""
        if getattr(self.op, "elementwise", False):
            return True
        if registry.get_registered_name(self.op) == "get_item":
            key = self.arguments.args[1] if len(self.arguments.args) > 1 else self.arguments.kwargs.get("key")
            first = key[0] if isinstance(key, tuple) and key else key
            return isinstance(first, slice) and first == slice(None)
        return False

    def compute_mask(self, inputs, mask=None):
        """Element-wise ops pass their input's mask on (the masks of several inputs combined with AND); other
        ops drop it, as Keras's ops do."""
        if not getattr(self.op, "elementwise", False) or mask is None:
            return None
        masks = [m for m in jax.tree.leaves(mask) if m is not None]
        if not masks:
            return None
        combined = masks[0]
        for mask in masks[1:]:
            if mask.shape == combined.shape:
                combined = jnp.logical_and(combined, mask)
        return combined

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "op": registry.get_registered_name(self.op),
                  "arguments": {"args": encode(list(self.arguments.args)), "kwargs": encode(self.arguments.kwargs)}}
        if self.input_specs is not None:
            config["input_specs"] = [[list(shape), dtype] for shape, dtype in self.input_specs]
        return config


registry.register_builtin("layers", OpLayer)
