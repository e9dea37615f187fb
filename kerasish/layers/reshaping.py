"""Spatial reshaping layers: ZeroPadding2D, UpSampling2D."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.shapes import Shape

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


def _image_axes(data_format: str) -> tuple[int, int]:
    return (1, 2) if data_format == "channels_last" else (2, 3)


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around each image.

    Args:
      padding: an int (the same on all four sides), a tuple of 2 ints `(rows, cols)` (symmetric),
        or a tuple of 2 pairs `((top, bottom), (left, right))`; all >= 0. Default `(1, 1)`.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)`.
    Output shape: `(batch, top + height + bottom, left + width + right, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.ZeroPadding2D(((1, 0), (2, 1)))(jnp.ones((1, 3, 3, 2))).shape
      (1, 4, 6, 2)
    """

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        error = ValueError(f"Argument `padding` of ZeroPadding2D must be an int >= 0, a tuple of 2 such ints, or a "
                           f"tuple of 2 pairs ((top, bottom), (left, right)), received {padding!r}.")
        if checks.is_int(padding):
            padding = (padding, padding)
        if not isinstance(padding, (tuple, list)) or len(padding) != 2:
            raise error
        try:
            self.padding = tuple(checks.int_tuple(p, 2, "padding", "ZeroPadding2D", minimum=0) for p in padding)
        except ValueError:
            raise error from None
        self.data_format = checks.data_format(data_format, "ZeroPadding2D")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, 4, self.name)
        out = list(input_shape)
        for axis, (low, high) in zip(_image_axes(self.data_format), self.padding):
            out[axis] = None if out[axis] is None else out[axis] + low + high
        return tuple(out)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, 4, self.name)

    def call(self, x):
        pads = [(0, 0)] * 4
        for axis, pad in zip(_image_axes(self.data_format), self.padding):
            pads[axis] = pad
        return jnp.pad(x, pads)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class UpSampling2D(Layer):
    """Enlarges each image by integer factors: repeats rows and columns, or interpolates.

    `"nearest"` repeats each pixel (`jnp.repeat`, as Keras does); the other methods call
    `jax.image.resize`, as Keras's JAX backend does.

    Args:
      size: the factors `(rows, cols)`, an int or a tuple of 2 positive ints (default `(2, 2)`).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      interpolation: `"nearest"` (default), `"bilinear"`, `"bicubic"`, `"lanczos3"` or `"lanczos5"`.

    Input shape: `(batch, height, width, channels)`.
    Output shape: `(batch, height * size[0], width * size[1], channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.UpSampling2D((1, 2))(jnp.array([[[[1.0], [2.0]]]]))[0, 0, :, 0].tolist()
      [1.0, 1.0, 2.0, 2.0]
    """

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = checks.int_tuple(size, 2, "size", "UpSampling2D")
        self.data_format = checks.data_format(data_format, "UpSampling2D")
        self.interpolation = checks.choice(interpolation, _INTERPOLATIONS, "interpolation", "UpSampling2D")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, 4, self.name)
        out = list(input_shape)
        for axis, factor in zip(_image_axes(self.data_format), self.size):
            out[axis] = None if out[axis] is None else out[axis] * factor
        return tuple(out)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, 4, self.name)

    def call(self, x):
        rows, cols = _image_axes(self.data_format)
        if self.interpolation == "nearest":
            return jnp.repeat(jnp.repeat(x, self.size[0], axis=rows), self.size[1], axis=cols)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.dtype)
        shape = list(x.shape)
        shape[rows] *= self.size[0]
        shape[cols] *= self.size[1]
        return jax.image.resize(x, tuple(shape), method=self.interpolation, antialias=False)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
