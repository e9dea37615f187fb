"""Cropping layers: Cropping1D, Cropping2D, Cropping3D (remove rows at the borders of each sample)."""

from __future__ import annotations

from typing import Any

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.layers.reshaping import spatial_axes
from kerasish.shapes import Shape, format_shape


class _Cropping(Layer):
    rank = 2

    def __init__(self, cropping: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.cropping = checks.int_pairs(cropping, self.rank, "cropping", cls)
        self.data_format = checks.data_format(data_format, cls)

    def _pairs(self) -> tuple[tuple[int, int], ...]:
        return (self.cropping,) if self.rank == 1 else self.cropping

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        out = list(input_shape)
        for axis, (low, high) in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            if out[axis] is None:
                continue
            if low + high >= out[axis]:
                what = ("`cropping` parameter of `Cropping1D` layer must be smaller than the input length" if
                        self.rank == 1 else "Values in `cropping` argument should be smaller than the corresponding "
                                            "spatial dimension of the input")
                raise ValueError(f"{what}: layer '{self.name}' cannot crop {low + high} values from axis {axis}. "
                                 f"Received: input_shape={format_shape(input_shape)}, cropping={self.cropping}")
            out[axis] -= low + high
        return tuple(out)

    def check_input_shape(self, shape: Shape) -> None:
        self.compute_output_shape(shape)

    def call(self, x):
        index = [slice(None)] * x.ndim
        for axis, (low, high) in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            index[axis] = slice(low, x.shape[axis] - high)
        return x[tuple(index)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Removes steps at the start and end of each sequence.

    Args:
      cropping: an int >= 0 (both ends) or a pair `(start, end)` (default `(1, 1)`).

    Input shape: `(batch, steps, features)`. Output shape: `(batch, steps - start - end, features)`.

    Raises:
      ValueError: (at build) when the cropping would leave no step.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Cropping1D((1, 2))(jnp.arange(5.0).reshape(1, 5, 1))[0, :, 0].tolist()
      [1.0, 2.0]
    """

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(cropping, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]  # Keras's Cropping1D has none
        return config


class Cropping2D(_Cropping):
    """Removes rows and columns at the borders of each image.

    Args:
      cropping: an int (every side), a tuple of 2 ints `(rows, cols)` (symmetric), or a tuple of 2 pairs
        `((top, bottom), (left, right))`; default `((0, 0), (0, 0))`.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)`.
    Output shape: `(batch, height - top - bottom, width - left - right, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Cropping2D(((2, 2), (4, 4)))(jnp.ones((2, 28, 28, 3))).shape
      (2, 24, 20, 3)
    """

    rank = 2

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(cropping, data_format=data_format, **kwargs)


class Cropping3D(_Cropping):
    """Removes values at the borders of each volume.

    Args:
      cropping: an int (every side), a tuple of 3 ints (symmetric per axis), or a tuple of 3 pairs;
        default `((1, 1), (1, 1), (1, 1))`.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, depth, height, width, channels)`. Output shape: each spatial axis cropped by its pair.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Cropping3D((1, 0, 2))(jnp.ones((1, 4, 4, 6, 2))).shape
      (1, 2, 4, 2, 2)
    """

    rank = 3

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(cropping, data_format=data_format, **kwargs)

