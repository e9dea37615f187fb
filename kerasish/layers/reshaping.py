"""Reshaping layers: ZeroPadding1D/2D/3D, UpSampling1D/2D/3D, RepeatVector, Permute.

Cropping1D/2D/3D are in cropping.py, Flatten and Reshape in core.py.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.shapes import Shape

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


def spatial_axes(rank: int, data_format: str) -> tuple[int, ...]:
    """The spatial axes of a `(batch, *spatial, channels)` input (or `(batch, channels, *spatial)`)."""
    start = 1 if data_format == "channels_last" else 2
    return tuple(range(start, start + rank))


class _ZeroPadding(Layer):
    rank = 2

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.padding = checks.int_pairs(padding, self.rank, "padding", cls)
        self.data_format = checks.data_format(data_format, cls)

    def _pairs(self) -> tuple[tuple[int, int], ...]:
        return (self.padding,) if self.rank == 1 else self.padding

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        out = list(input_shape)
        for axis, (low, high) in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            out[axis] = None if out[axis] is None else out[axis] + low + high
        return tuple(out)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 2, self.name)

    def call(self, x):
        pads = [(0, 0)] * x.ndim
        for axis, pad in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            pads[axis] = pad
        return jnp.pad(x, pads)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Adds zeros at the start and end of each sequence.

    Args:
      padding: an int >= 0 (both ends) or a pair `(start, end)`. Default 1.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, steps, features)`. Output shape: `(batch, start + steps + end, features)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.ZeroPadding1D((1, 2))(jnp.ones((1, 2, 1)))[0, :, 0].tolist()
      [0.0, 1.0, 1.0, 0.0, 0.0]
    """

    rank = 1


class ZeroPadding2D(_ZeroPadding):
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

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format=data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around each volume.

    Args:
      padding: an int (every side), a tuple of 3 ints (symmetric per axis), or a tuple of 3 pairs
        `((before, after), ...)`; all >= 0. Default `((1, 1), (1, 1), (1, 1))`.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, depth, height, width, channels)`. Output shape: each spatial axis grown by its pair.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.ZeroPadding3D((1, 0, 2))(jnp.ones((1, 2, 2, 2, 3))).shape
      (1, 4, 2, 6, 3)
    """

    rank = 3

    def __init__(self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(padding, data_format=data_format, **kwargs)


class _UpSampling(Layer):
    rank = 2

    def __init__(self, size: Any = 2, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.size = checks.int_tuple(size, self.rank, "size", cls)
        self.data_format = checks.data_format(data_format, cls)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        out = list(input_shape)
        for axis, factor in zip(spatial_axes(self.rank, self.data_format), self.size):
            out[axis] = None if out[axis] is None else out[axis] * factor
        return tuple(out)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 2, self.name)

    def call(self, x):
        for axis, factor in zip(spatial_axes(self.rank, self.data_format), self.size):
            x = jnp.repeat(x, factor, axis=axis)
        return x

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class UpSampling1D(_UpSampling):
    """Repeats each step of a sequence `size` times.

    Args:
      size: the repetition factor (a positive int, default 2).

    Input shape: `(batch, steps, features)`. Output shape: `(batch, steps * size, features)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.UpSampling1D(2)(jnp.array([[[1.0], [2.0]]]))[0, :, 0].tolist()
      [1.0, 1.0, 2.0, 2.0]
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        if not checks.is_int(size):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)} (UpSampling1D received "
                            f"size={size!r}).")
        if size < 1:
            raise ValueError(f"UpSampling1D argument `size` should be a positive integer. Received: size={size}")
        super().__init__(size, **kwargs)
        self.size = self.size[0]

    def call(self, x):
        return jnp.repeat(x, self.size, axis=1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, 3, self.name)
        return (input_shape[0], None if input_shape[1] is None else input_shape[1] * self.size, input_shape[2])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]  # Keras's UpSampling1D has none
        return config


class UpSampling2D(_UpSampling):
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

    rank = 2

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any) -> None:
        super().__init__(size, data_format=data_format, **kwargs)
        self.interpolation = checks.choice(interpolation, _INTERPOLATIONS, "interpolation", "UpSampling2D")

    def call(self, x):
        if self.interpolation == "nearest":
            return super().call(x)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.dtype)
        shape = list(x.shape)
        for axis, factor in zip(spatial_axes(2, self.data_format), self.size):
            shape[axis] *= factor
        return jax.image.resize(x, tuple(shape), method=self.interpolation, antialias=False)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Enlarges each volume by repeating its voxels `size` times along each spatial axis.

    Args:
      size: the factors `(depth, height, width)`, an int or a tuple of 3 positive ints (default `(2, 2, 2)`).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, depth, height, width, channels)`. Output shape: each spatial axis times its factor.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.UpSampling3D((1, 2, 3))(jnp.ones((1, 2, 2, 2, 1))).shape
      (1, 2, 4, 6, 1)
    """

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(size, data_format=data_format, **kwargs)


class RepeatVector(Layer):
    """Repeats each input vector `n` times: `(batch, features)` -> `(batch, n, features)`.

    Args:
      n: the number of repetitions (a positive int).

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.RepeatVector(3)(jnp.ones((2, 4))).shape
      (2, 3, 4)
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not checks.is_int(n):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)} (RepeatVector received n={n!r}).")
        if n < 1:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n} (layer RepeatVector).")
        self.n = int(n)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, 2, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, 2, self.name)
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x):
        return jnp.repeat(x[:, None, :], self.n, axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Permutes the axes of each sample: `Permute((2, 1))` swaps the two axes after the batch axis.

    Args:
      dims: a permutation of `1, ..., rank - 1` (the batch axis 0 stays first); axis `i` of the output is
        axis `dims[i - 1]` of the input.

    Input shape: `(batch, *sample)`, of rank `len(dims) + 1`. Output shape: the sample axes permuted.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Permute((2, 1))(jnp.ones((4, 10, 64))).shape
      (4, 64, 10)
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(dims, (tuple, list)) or sorted(dims) != list(range(1, len(dims) + 1)) or not all(
                checks.is_int(d) for d in dims):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1 (a permutation of the axes 1, 2, ..., n; the batch "
                             f"axis 0 is not permuted). Received dims={dims!r}")
        self.dims = tuple(int(d) for d in dims)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, len(self.dims) + 1, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, len(self.dims) + 1, self.name)
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, x):
        return jnp.transpose(x, (0,) + self.dims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}

