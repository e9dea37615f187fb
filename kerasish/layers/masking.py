"""`Masking`: marks the steps of a sequence whose features all equal `mask_value` as padding."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.shapes import Shape


class Masking(Layer):
    """Masks the steps of `(batch, time, features)` sequences where every feature equals `mask_value`.

    The output is the input with the masked steps set to 0, and it carries the mask
    `any(x != mask_value, axis=-1)` of shape `(batch, time)` (True = a real step), which Sequential and
    functional models hand on to the next layers: an RNN keeps its state over masked steps,
    `GlobalAveragePooling1D` averages only the real ones. Layers that do not support masking (Flatten,
    Conv1D, ...) drop the mask with a warning, as in Keras.

    Args:
      mask_value: the padding value (a number, default 0.0).

    Input shape: `(batch, time, features)` (any rank >= 2; the mask drops the last axis).
    Output shape: the input's.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> x = jnp.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
      >>> layer = ks.layers.Masking(mask_value=0.0)
      >>> layer.compute_mask(x, None).tolist()
      [[True, False, True]]
      >>> model = ks.Sequential([ks.Input((3, 2)), layer, ks.layers.LSTM(4)])
      >>> model(x).shape
      (1, 4)
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = checks.number(mask_value, "mask_value", "Masking")

    def check_input_shape(self, shape: Shape) -> None:
        if len(shape) < 2:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected ndim>=2, "
                             f"found ndim={len(shape)}. Masking masks steps of (batch, time, features) inputs.")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def compute_mask(self, inputs, mask=None):
        """`any(inputs != mask_value, axis=-1)`: True where a step has a real value."""
        return jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, x):
        keep = jnp.any(jnp.not_equal(x, self.mask_value), axis=-1, keepdims=True)
        return jnp.where(keep, x, jnp.zeros((), x.dtype))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
