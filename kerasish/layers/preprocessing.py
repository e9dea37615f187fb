"""Preprocessing inside the model: Rescaling."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape


def _check_factor(value: Any, argument: str) -> float | tuple[float, ...]:
    values = np.asarray(value) if isinstance(value, (tuple, list, np.ndarray)) else None
    if values is not None and values.ndim == 1 and values.size and values.dtype.kind in "iuf":
        return tuple(float(v) for v in values)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"Argument `{argument}` of Rescaling must be a number or a list of numbers (one per channel, "
                     f"on the last axis), received {value!r}.")


class Rescaling(Layer):
    """Rescales inputs: `x * scale + offset`, computed in float (integer pixels become floats).

    Args:
      scale: a number, or a list of numbers broadcast on the last (channel) axis.
      offset: likewise, added after scaling (default 0).

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Rescaling(1 / 127.5, offset=-1)(jnp.array([[0, 255]], jnp.uint8)).tolist()
      [[-1.0, 1.0]]
    """

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _check_factor(scale, "scale")
        self.offset = _check_factor(offset, "offset")

    def check_input_shape(self, shape: Shape) -> None:
        for argument, value in (("scale", self.scale), ("offset", self.offset)):
            if isinstance(value, tuple) and len(value) > 1 and (not shape or shape[-1] not in (None, len(value))):
                raise ValueError(f"Layer '{self.name}' has {len(value)} `{argument}` values, one per channel, but "
                                 f"received input with shape {format_shape(shape)}: the last axis must have size "
                                 f"{len(value)}.")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def call(self, x):
        scale = jnp.asarray(self.scale, self.compute_dtype)
        offset = jnp.asarray(self.offset, self.compute_dtype)
        return x.astype(self.compute_dtype) * scale + offset

    def get_config(self) -> dict[str, Any]:
        as_config = lambda v: list(v) if isinstance(v, tuple) else v
        return {**super().get_config(), "scale": as_config(self.scale), "offset": as_config(self.offset)}
