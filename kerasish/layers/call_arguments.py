"""How a layer call's arguments reach `call`, as Keras 3 binds them.

`layer(*args, **kwargs)` is bound to the signature of the layer's `call`: the first parameter is the input
(`inputs`, `x`, `query`, ...), given positionally or by name; every other argument goes to `call` by its
name, so `MultiHeadAttention(2, 4)(query, value)` and `layer(query=q, value=v, key=k)` both work, and a
custom `call(self, a, b, mask=None)` takes `layer(a, b)` or `layer(a=a, b=b)`. `training` and `mask` are
taken out of the arguments when `call` does not name them (Keras's call-context arguments).

`training` follows Keras's rule: a value the caller gives wins; else the value of the enclosing layer call
(a `Dropout` inside a custom layer trains when the model trains, though nobody passed it `training`); else
the default of the layer's own `call`. The enclosing value lives in a `CallContext` that the outermost
layer call opens and closes.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import jax

_CONTEXT_ARGUMENTS = ("training", "mask")


class CallArguments(NamedTuple):
    """One layer call's arguments, bound to the layer's `call` signature.

    Attributes:
      inputs: the value of `call`'s first parameter (an array, a symbolic tensor, or a nest of them).
      input_name: the name of that parameter (`"inputs"`, `"x"`, `"query"`, ...).
      training: the `training` value the caller gave (None: not given).
      training_given: whether the caller named `training` at all (an explicit None counts, as in Keras).
      mask: the mask the caller gave for the inputs, or None.
      kwargs: every other argument of `call` the caller gave, by name (positional ones included).
    """

    inputs: Any
    input_name: str
    training: Any
    training_given: bool
    mask: Any
    kwargs: dict[str, Any]


@functools.lru_cache(maxsize=1024)
def _signature_of_function(function) -> inspect.Signature:
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())[1:]  # without `self`
    return signature.replace(parameters=parameters)


def call_signature(layer: Any) -> inspect.Signature:
    """The signature of `layer.call` without `self` (cached per class)."""
    function = getattr(type(layer), "call", None)
    if inspect.isfunction(function) and "call" not in vars(layer):
        return _signature_of_function(function)
    return inspect.signature(layer.call)  # a `call` set on the instance


def accepts_argument(layer: Any, name: str) -> bool:
    """Whether `layer.call` names an argument `name` (a `**kwargs` catch-all does not count, as in Keras)."""
    return name in call_signature(layer).parameters


def bind(layer: Any, args: tuple, kwargs: dict[str, Any]) -> CallArguments:
    """Binds `layer(*args, **kwargs)` to `layer.call`'s signature.

    Raises:
      TypeError: naming the layer, for arguments `call` does not take, a missing input, or extra positional
        arguments `call` could only take through `*args`.
    """
    signature = call_signature(layer)
    parameters = signature.parameters
    kwargs = dict(kwargs)
    context = {name: kwargs.pop(name) for name in _CONTEXT_ARGUMENTS if name in kwargs and name not in parameters}
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as err:
        accepted = list(parameters)
        raise TypeError(f"Layer '{layer.name}' ({type(layer).__name__}) cannot be called with these arguments: "
                        f"{err}. Its call accepts {accepted}.") from None
    arguments = dict(bound.arguments)
    names = list(parameters)
    first = next(iter(parameters.values()), None)
    if first is None or first.kind in (first.VAR_POSITIONAL, first.VAR_KEYWORD):
        raise TypeError(f"Layer '{layer.name}' ({type(layer).__name__}) must define `call(self, inputs, ...)` with a "
                        f"named first argument (the input); its call is `call{signature}`.")
    if first.name not in arguments:
        raise TypeError(f"Layer '{layer.name}' ({type(layer).__name__}) was called without its input `{first.name}` "
                        f"(positionally or by name).")
    for name in names:
        if parameters[name].kind is parameters[name].VAR_POSITIONAL and arguments.get(name):
            raise TypeError(f"Layer '{layer.name}' ({type(layer).__name__}) was called with {len(arguments[name])} "
                            f"extra positional argument(s) that its `call` takes only through `*{name}`; pass them "
                            f"by name.")
        if parameters[name].kind is parameters[name].VAR_KEYWORD and name in arguments:
            arguments.update(arguments.pop(name))
    arguments.pop(next((n for n in names if parameters[n].kind is parameters[n].VAR_POSITIONAL), None), None)
    inputs = arguments.pop(first.name)
    context.update({name: arguments.pop(name) for name in _CONTEXT_ARGUMENTS if name in arguments})
    return CallArguments(inputs, first.name, context.get("training"), "training" in context, context.get("mask"),
                         arguments)


# -- the training value of nested calls (Keras's CallContext) ----------------------------------------------------------


class _CallContext(threading.local):
    def __init__(self) -> None:
        self.entry: Any = None  # the outermost layer of the running call, or None
        self.training: Any = None


_context = _CallContext()


@contextmanager
def call_context(layer: Any) -> Iterator[None]:
    """Opens the call context when `layer`'s call is the outermost one, and closes it when that call ends."""
    if _context.entry is not None:
        yield
        return
    _context.entry, _context.training = layer, None
    try:
        yield
    finally:
        _context.entry, _context.training = None, None


def resolve_training(layer: Any, arguments: CallArguments) -> Any:
    """The `training` value a call runs with, Keras's way: the caller's, else the enclosing call's (when not
    None), else the default of `layer.call`'s `training` parameter; it becomes the enclosing value for the
    layers called after it in the same outermost call. None: `call` keeps its own default."""
    if arguments.training_given:
        value = arguments.training
    elif _context.training is not None:
        value = _context.training
    else:
        parameter = call_signature(layer).parameters.get("training")
        value = None if parameter is None or parameter.default is parameter.empty else parameter.default
    if _context.entry is not None:
        _context.training = value
    return value




def is_tensor_argument(value: Any) -> bool:
    """Whether a call argument holds tensors (an array, a symbolic tensor, or a non-empty nest of them only)."""
    leaves = jax.tree.leaves(value, is_leaf=lambda v: hasattr(v, "shape") and hasattr(v, "dtype"))
    return bool(leaves) and all(hasattr(v, "shape") and hasattr(v, "dtype") for v in leaves)


# -- masks attached to eager arrays and symbolic tensors (Keras's `_keras_mask`) ------------------------------------


def attached_mask(value: Any) -> Any:
    """The mask a layer attached to `value` as `_keras_mask` (for a list / tuple, a list of them), or None."""
    if isinstance(value, (list, tuple)):
        masks = [getattr(v, "_keras_mask", None) for v in value]
        return None if all(m is None for m in masks) else masks
    return getattr(value, "_keras_mask", None)


def attach_mask(outputs: Any, mask: Any) -> None:
    """Sets `_keras_mask` on each output (a mask per output, in order; outputs that take no attributes, such as
    NumPy arrays, keep none), as Keras does on every layer call, so that `y._keras_mask` reads it and the next layer
    called on `y` gets it as its `mask`."""
    if mask is None:
        return
    leaves = jax.tree.leaves(outputs, is_leaf=lambda v: hasattr(v, "shape"))
    masks = jax.tree.leaves(mask, is_leaf=lambda m: m is None or hasattr(m, "shape"))
    for output, output_mask in zip(leaves, masks):
        if output_mask is not None and getattr(output, "_keras_mask", None) is None:
            try:
                output._keras_mask = output_mask
            except AttributeError:
                pass
