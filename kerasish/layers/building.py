"""How a layer gets built, as Keras 3 builds it.

- `tracked_build` wraps every layer class's `build` (`Layer.__init_subclass__` applies it), so that a layer is
  built when its outermost `build` returns, whoever called it: the first call, a parent's `build`, or the user
  (`layer.build((None, 4))`, after which `layer.built` is True and the layer works).
- `build_for_call` builds a layer for a call: a `build(input_shape)` gets the input's shape; a `build` with
  several `<name>_shape` arguments (MultiHeadAttention's `build(query_shape, value_shape, key_shape)`) gets the
  shape of each call argument `<name>`.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any

from kerasish.layers.call_arguments import CallArguments, call_signature, is_tensor_argument
from kerasish.layers.initial_weights import drawing_weights_together
from kerasish.shapes import standardize_shapes


class _Building(threading.local):
    def __init__(self) -> None:
        self.layers: set[int] = set()  # ids of the layers whose `build` is running


_building = _Building()


def tracked_build(build):
    """`build` wrapped: when a layer's outermost `build` returns, the layer's `built` is True, its `input_shape`
    (a one-argument build) or `build_shapes` (a build with several shape arguments) is recorded, and the weights
    it created are drawn together (`drawing_weights_together`)."""
    if getattr(build, "tracked_build", False):
        return build

    @functools.wraps(build)
    def tracked(self, *args, **kwargs):
        if id(self) in _building.layers:  # `super().build(...)` inside a subclass's build
            return build(self, *args, **kwargs)
        _building.layers.add(id(self))
        try:
            with drawing_weights_together():
                result = build(self, *args, **kwargs)
        finally:
            _building.layers.discard(id(self))
        shapes = inspect.signature(build).bind(self, *args, **kwargs).arguments
        shapes.pop(next(iter(shapes)), None)  # self
        if len(shapes) == 1 and getattr(self, "input_shape", None) is None:
            shape = next(iter(shapes.values()))
            self.input_shape = None if shape is None else standardize_shapes(shape)
        elif len(shapes) > 1:
            self.build_shapes = {k: None if v is None else standardize_shapes(v) for k, v in shapes.items()}
        self.built = True
        return result

    tracked.tracked_build = True
    return tracked


def shapes_from_json(value: Any) -> Any:
    """A shape (or nested list / dict of shapes) read back from JSON, lists of ints as tuples."""
    if isinstance(value, list) and all(d is None or isinstance(d, int) for d in value):
        return tuple(value)
    if isinstance(value, list):
        return [shapes_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: shapes_from_json(v) for k, v in value.items()}
    return value


def build_arguments(layer: Any, arguments: CallArguments, shape_of) -> dict[str, Any] | None:
    """The keyword arguments of `layer.build` for a call, or None when `build` takes one shape (the input's).

    Keras's rule: a `build` with one argument gets the input's shape; a `build` with several gets, for each of
    its `<name>_shape` arguments, the shape of the call argument `<name>`.

    Args:
      shape_of: maps a call argument (a tensor or a nest of them) to its shape(s).

    Raises:
      ValueError: in Keras's words, for a `build` argument without the `_shape` suffix or naming no argument
        of `call`.
    """
    names = [n for n, p in inspect.signature(layer.build).parameters.items()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY, p.KEYWORD_ONLY)]
    if len(names) <= 1:
        return None
    call_names = set(call_signature(layer).parameters)
    values = {arguments.input_name: arguments.inputs, **arguments.kwargs}
    preamble = ("For a `build()` method with more than one argument, all arguments should have a `_shape` suffix and "
                "match an argument from `call()`. E.g. `build(self, foo_shape, bar_shape)` ")
    shapes = {}
    for name in names:
        if not name.endswith("_shape"):
            raise ValueError(f"{preamble} For layer '{type(layer).__name__}', Received `build()` argument `{name}`, "
                             f"which does not end in `_shape`.")
        call_name = name[: -len("_shape")]
        if call_name not in call_names:
            raise ValueError(f"{preamble} For layer '{type(layer).__name__}', received `build()` argument `{name}`, "
                             f"but `call()` does not have argument `{call_name}`.")
        value = values.get(call_name)
        if value is not None and is_tensor_argument(value):
            shapes[name] = shape_of(value)
    return shapes


def build_for_call(layer: Any, arguments: CallArguments, shape_of, trace_output: bool = True) -> None:
    """Builds `layer` for a call with these arguments (`shape_of` maps an argument to its shape(s)).

    A layer called on one tensor goes through `layer.build_for` (which also traces its output shape, unless
    `trace_output` is False: the caller traces it with more arguments); a layer called on several builds from their
    shapes (see `build_arguments`).
    """
    shapes = build_arguments(layer, arguments, shape_of)
    several = any(is_tensor_argument(v) for k, v in arguments.kwargs.items() if k != "mask")
    if shapes is None and not several and trace_output:
        layer.build_for(shape_of(arguments.inputs))
        return
    input_shape = standardize_shapes(shape_of(arguments.inputs))
    with drawing_weights_together():
        if shapes is None:
            layer.build(input_shape)
        else:
            layer.build(**{k: standardize_shapes(v) for k, v in shapes.items()})
    layer.input_shape = input_shape
    layer.built = True
