"""Adaptive pooling: AdaptiveAveragePooling1D/2D/3D, AdaptiveMaxPooling1D/2D/3D.

The output has a fixed spatial size `output_size` whatever the input's: along an axis of length `L` pooled
to `n` bins, bin `i` covers input positions `floor(i * L / n)` to `ceil((i + 1) * L / n) - 1` (Keras's and
PyTorch's rule; neighbouring bins may overlap by one). A window of a product of such ranges is pooled one
axis after the other (the mean of means over equal-size rows is the mean; the max of maxes is the max),
each axis by a `(bins, length)` selection matrix, which keeps the computation a few dense ops.
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape


def bin_membership(length: int, bins: int) -> np.ndarray:
    """`(bins, length)` booleans: True where input position `j` falls in output bin `i`.

    Example:
      >>> bin_membership(5, 2).astype(int).tolist()
      [[1, 1, 1, 0, 0], [0, 0, 1, 1, 1]]
    """
    starts = [math.floor(i * length / bins) for i in range(bins)]
    ends = [math.ceil((i + 1) * length / bins) for i in range(bins)]
    positions = np.arange(length)
    return np.stack([(positions >= s) & (positions < e) for s, e in zip(starts, ends)])


class _AdaptivePooling(Layer):
    rank = 1

    def __init__(self, output_size: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        if not checks.is_int(output_size) and not isinstance(output_size, (tuple, list)):
            raise TypeError(f"Argument `output_size` of {cls} must be an int or a tuple of {self.rank} ints, "
                            f"received {output_size!r} of type {type(output_size).__name__}.")
        self.output_size = checks.int_tuple(output_size, self.rank, "output_size", cls)
        self.data_format = checks.data_format(data_format, cls)

    def _spatial_axes(self) -> range:
        return range(1, self.rank + 1) if self.data_format == "channels_last" else range(2, self.rank + 2)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        out = list(input_shape)
        for axis, size in zip(self._spatial_axes(), self.output_size):
            out[axis] = size
        return tuple(out)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 2, self.name)
        for axis in self._spatial_axes():
            if shape[axis] is not None and shape[axis] < 1:
                raise ValueError(f"Layer '{self.name}' cannot pool inputs of shape {format_shape(shape)}: axis "
                                 f"{axis} is empty.")

    def _pool_axis(self, x, axis: int, bins: int):
        raise NotImplementedError

    def call(self, x):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.dtype)
        for axis, bins in zip(self._spatial_axes(), self.output_size):
            x = self._pool_axis(x, axis, bins)
        return x

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}


class _AdaptiveAverage(_AdaptivePooling):
    def _pool_axis(self, x, axis, bins):
        member = bin_membership(x.shape[axis], bins).astype(np.float32)
        weights = jnp.asarray(member / member.sum(axis=1, keepdims=True), x.dtype)
        return jnp.moveaxis(jnp.tensordot(x, weights, axes=([axis], [1])), -1, axis)


class _AdaptiveMax(_AdaptivePooling):
    def _pool_axis(self, x, axis, bins):
        member = jnp.asarray(bin_membership(x.shape[axis], bins))  # (bins, length)
        moved = jnp.moveaxis(x, axis, -1)[..., None, :]  # (..., 1, length)
        pooled = jnp.max(jnp.where(member, moved, -jnp.inf), axis=-1)  # (..., bins)
        return jnp.moveaxis(pooled, -1, axis)


class AdaptiveAveragePooling1D(_AdaptiveAverage):
    """The mean over `output_size` adaptive windows of the steps axis (see the module's rule for the bins).

    Args:
      output_size: the number of output steps, an int or a tuple of 1 int.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, output_size, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AdaptiveAveragePooling1D(2)(jnp.arange(5.0).reshape(1, 5, 1))[0, :, 0].tolist()
      [1.0, 3.0]
    """

    rank = 1


class AdaptiveAveragePooling2D(_AdaptiveAverage):
    """The mean over an `output_size` grid of adaptive windows of each image.

    Args:
      output_size: the output's (height, width), an int or a tuple of 2 ints.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)`. Output shape: `(batch, *output_size, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AdaptiveAveragePooling2D((2, 3))(jnp.ones((1, 7, 9, 4))).shape
      (1, 2, 3, 4)
    """

    rank = 2


class AdaptiveAveragePooling3D(_AdaptiveAverage):
    """The mean over an `output_size` grid of adaptive windows of each volume.

    Args:
      output_size: the output's (depth, height, width), an int or a tuple of 3 ints.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, depth, height, width, channels)`. Output shape: `(batch, *output_size, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AdaptiveAveragePooling3D(2)(jnp.ones((1, 5, 4, 3, 2))).shape
      (1, 2, 2, 2, 2)
    """

    rank = 3


class AdaptiveMaxPooling1D(_AdaptiveMax):
    """The maximum over `output_size` adaptive windows of the steps axis.

    Args:
      output_size: the number of output steps, an int or a tuple of 1 int.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, output_size, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AdaptiveMaxPooling1D(2)(jnp.arange(5.0).reshape(1, 5, 1))[0, :, 0].tolist()
      [2.0, 4.0]
    """

    rank = 1


class AdaptiveMaxPooling2D(_AdaptiveMax):
    """The maximum over an `output_size` grid of adaptive windows of each image.

    Args:
      output_size: the output's (height, width), an int or a tuple of 2 ints.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)`. Output shape: `(batch, *output_size, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AdaptiveMaxPooling2D(3)(jnp.ones((1, 7, 9, 4))).shape
      (1, 3, 3, 4)
    """

    rank = 2


class AdaptiveMaxPooling3D(_AdaptiveMax):
    """The maximum over an `output_size` grid of adaptive windows of each volume.

    Args:
      output_size: the output's (depth, height, width), an int or a tuple of 3 ints.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, depth, height, width, channels)`. Output shape: `(batch, *output_size, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AdaptiveMaxPooling3D((1, 2, 2))(jnp.ones((1, 5, 4, 3, 2))).shape
      (1, 1, 2, 2, 2)
    """

    rank = 3

