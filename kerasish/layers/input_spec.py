"""`InputSpec`: what a layer declares about its input (rank, axis sizes, shape, dtype), checked on every call.

A layer sets `self.input_spec = InputSpec(...)` (or a list of them, one per input tensor) in `__init__` or
`build`; `Layer.__call__` checks the input (the first argument of `call`) against it before building and
calling, with Keras 3's messages, so a Keras layer that declares a spec refuses the same inputs here.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from kerasish.backend import standardize_dtype
from kerasish.shapes import standardize_shape


class InputSpec:
    """The rank, axis sizes, shape and dtype a layer accepts, as `keras.layers.InputSpec`.

    Args:
      dtype: the expected dtype, or None for any.
      shape: the expected shape, batch axis included (None for an axis of any size); sets `ndim`.
      ndim: the expected rank.
      max_ndim: the largest rank accepted.
      min_ndim: the smallest rank accepted.
      axes: `{axis: size}` for axes whose size is fixed (negative axes count from the end).
      allow_last_axis_squeeze: accept a rank one more (last axis 1) or one less (spec's last axis 1) than
        `shape` / `ndim`.
      name: the key of this input when a dict of inputs is passed.
      optional: whether the input may be None.

    Raises:
      TypeError: for `axes` whose keys are not ints.
      ValueError: for an axis in `axes` beyond `ndim` / `max_ndim`.

    Example:
      >>> spec = InputSpec(ndim=2, axes={-1: 3})
      >>> spec
      InputSpec(ndim=2, axes={-1: 3})
      >>> assert_input_compatibility(spec, np.zeros((4, 3)), "dense")
      >>> try:
      ...     assert_input_compatibility(spec, np.zeros((4, 5)), "dense")
      ... except ValueError as err:
      ...     print(str(err).split(": ")[1])
      expected axis -1 of input shape to have value 3, but received input with shape (4, 5)
    """

    def __init__(self, dtype: Any = None, shape: Any = None, ndim: int | None = None, max_ndim: int | None = None,
                 min_ndim: int | None = None, axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None, optional: bool = False) -> None:
        self.dtype = standardize_dtype(dtype) if dtype is not None else None
        if shape is not None:
            self.shape = standardize_shape(shape, "shape")
            self.ndim = len(self.shape)
        else:
            self.shape = None
            self.ndim = ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            axes = axes or {}
            self.axes = {int(k): axes[k] for k in axes}
        except (ValueError, TypeError):
            raise TypeError(f"Argument `axes` must be a dict with integer keys. Received: axes={axes}") from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            highest = (self.ndim if self.ndim else self.max_ndim) - 1
            if max(self.axes) > highest:
                raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed value: {highest}")

    def __repr__(self) -> str:
        parts = [f"{key}={value}" for key, value in (("dtype", self.dtype), ("shape", self.shape),
                                                      ("ndim", self.ndim), ("max_ndim", self.max_ndim),
                                                      ("min_ndim", self.min_ndim), ("axes", self.axes)) if value]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes, "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputSpec:
        return cls(**config)


def _is_spec(value: Any) -> bool:
    return isinstance(value, InputSpec) or value is None


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Checks `inputs` (an array, or a list / dict of them) against `input_spec` (one `InputSpec` or a nest of
    them), with Keras 3's messages.

    Raises:
      ValueError: for a missing named input, a count that differs, a value that is not a tensor, or a rank,
        dtype, axis size or shape the spec does not accept.
    """
    if not input_spec:
        return
    specs = jax.tree.leaves(input_spec, is_leaf=_is_spec)
    if isinstance(inputs, dict):
        names = [spec.name for spec in specs]
        if all(names):
            for name in names:
                if name not in inputs:
                    raise ValueError(f'Missing data for input "{name}". You passed a data dictionary with keys '
                                     f"{list(inputs)}. Expected the following keys: {names}")
            inputs = [inputs[name] for name in names]
    flat = jax.tree.leaves(inputs, is_leaf=lambda v: v is None or hasattr(v, "shape"))
    if len(flat) != len(specs):
        names = [spec.name for spec in specs if spec is not None]
        if len(names) == len(specs) and all(names):
            keys = ", ".join(f"'{n}': ..." for n in names)
            raise ValueError(f'Layer "{layer_name}" expects {len(specs)} named input(s) with keys {names}, but it '
                             f"received {len(flat)} input tensors. Pass inputs as a dict, e.g. `layer({{{keys}}})`.")
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} input '
                         f"tensors. Inputs received: {flat}")
    for index, (x, spec) in enumerate(zip(flat, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        if not hasattr(x, "shape"):
            raise ValueError(f"Inputs to a layer should be tensors. Got '{x}' (of type {type(x)}) as input for layer "
                             f"'{layer_name}'.")
        _check_one(index, x, spec, layer_name)


def _check_one(index: int, x: Any, spec: InputSpec, layer_name: str) -> None:
    shape = tuple(None if d is None else int(d) for d in x.shape)
    ndim = len(shape)
    head = f"Input {index} with name '{spec.name}' of layer '{layer_name}' is incompatible with the layer:"
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(f"{head} expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{head} expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{head} expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full shape received: "
                         f"{shape}")
    if spec.dtype is not None:
        dtype = standardize_dtype(np.dtype(x.dtype) if not isinstance(x.dtype, str) else x.dtype)
        if dtype != spec.dtype:
            raise ValueError(f"{head} expected dtype={spec.dtype}, found dtype={dtype}")
    for axis, value in spec.axes.items():
        if value is not None and shape[axis] not in (value, None):
            raise ValueError(f"{head} expected axis {axis} of input shape to have value {value}, but received "
                             f"input with shape {shape}")
    if spec.shape is not None:
        spec_shape, got = spec.shape, shape
        if spec.allow_last_axis_squeeze:
            got = got[:-1] if got and got[-1] == 1 else got
            spec_shape = spec_shape[:-1] if spec_shape and spec_shape[-1] == 1 else spec_shape
        for expected, actual in zip(spec_shape, got):
            if expected is not None and actual is not None and expected != actual:
                raise ValueError(f"{head} expected shape={spec.shape}, found shape={got}")
