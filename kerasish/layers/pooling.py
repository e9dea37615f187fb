"""Pooling layers: MaxPooling1D/2D, AveragePooling1D/2D and their global versions.

The windowed ones call flax's pooling functions (`nnx.max_pool`, `nnx.avg_pool`, i.e.
`lax.reduce_window`), except max pooling over windows that do not overlap (strides == pool_size, the
default), which reshapes the input into its windows (`max_pool_disjoint`). Average pooling with
`padding="same"` divides each window's sum by the number of real (unpadded) values in it, as Keras
does: `nnx.avg_pool(..., count_include_pad=False)`.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape


def _channels_last(x, data_format: str):
    return x if data_format == "channels_last" else jnp.moveaxis(x, 1, -1)


def _restore_format(y, data_format: str):
    return y if data_format == "channels_last" else jnp.moveaxis(y, -1, 1)


def _as_float(x, dtype):
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(dtype)


def _split(x, window: tuple[int, ...], pads: tuple[tuple[int, int], ...], fill):
    """`(batch, *spatial, channels)`, padded with `fill` (or cut) by `pads` so that `window` divides it, as
    `(batch, out_1, window_1, out_2, window_2, ..., channels)`: a reshape, no data moves."""
    x = jax.lax.pad(x, jnp.array(fill, x.dtype), [(0, 0, 0), *((lo, hi, 0) for lo, hi in pads), (0, 0, 0)])
    sizes = (v for size, w in zip(x.shape[1:-1], window) for v in (size // w, w))
    return x.reshape((x.shape[0], *sizes, x.shape[-1]))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def max_pool_disjoint(x, window: tuple[int, ...], pads: tuple[tuple[int, int], ...]):
    """Max pooling over windows that do not overlap (strides == window), by reshaping.

    `pads` gives per spatial axis the rows added before and after (-inf), or removed after (negative:
    what `padding="valid"` leaves out). The values equal `lax.reduce_window`'s, and the derivative
    follows, as `select_and_scatter` does, the first maximum of each window in row-major order (ties
    after a ReLU are common). XLA:CPU runs it an order of magnitude faster in training than
    reduce_window and select_and_scatter (benchmarks/README.md has the figures). A
    JVP rule (not a VJP one), so forward-mode and higher derivatives work too.
    """
    return _window_max(x, window, pads)


def _window_max(x, window, pads):
    dims = (1, *window, 1)
    padding = ((0, 0), *((lo, max(hi, 0)) for lo, hi in pads), (0, 0))  # a cut is what "VALID" leaves out anyway
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, dims, dims, padding)


@max_pool_disjoint.defjvp
def _max_pool_disjoint_jvp(window, pads, primals, tangents):
    (x,), (t,) = primals, tangents
    axes = tuple(range(2, 2 * len(window) + 1, 2))
    split = _split(x, window, pads, -jnp.inf)
    out = _window_max(x, window, pads)  # reduce_window is the faster forward (the reshape, the faster backward)
    top = jnp.expand_dims(out, axes)
    # each window position's row-major rank; the first maximum is the one of smallest rank
    shape = [1] * split.ndim
    rank = 0
    for axis, w in zip(axes, window):
        shape_axis = list(shape)
        shape_axis[axis] = w
        rank = rank * w + jnp.arange(w).reshape(shape_axis)
    first = jnp.where(split == top, rank, math.prod(window)).min(axis=axes, keepdims=True) == rank
    t_split = _split(t, window, pads, 0)
    return out, jnp.where(first, t_split, jnp.zeros((), t.dtype)).sum(axis=axes)


class _Pooling(Layer):
    """Pools windows of `pool_size` over the `rank` spatial axes of `(batch, *spatial, channels)`."""

    rank = 2

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = checks.int_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = self.pool_size if strides is None else checks.int_tuple(strides, self.rank, "strides", cls)
        self.padding = checks.choice(padding, ("valid", "same"), "padding", cls)
        self.data_format = checks.data_format(data_format, cls)

    def _spatial_axes(self) -> range:
        return range(1, self.rank + 1) if self.data_format == "channels_last" else range(2, self.rank + 2)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        out = list(input_shape)
        for i, axis in enumerate(self._spatial_axes()):
            size = input_shape[axis]
            if size is not None:
                out[axis] = ((size - self.pool_size[i]) // self.strides[i] + 1 if self.padding == "valid"
                             else -(-size // self.strides[i]))
        if any(out[a] is not None and out[a] <= 0 for a in self._spatial_axes()):
            raise ValueError(f"Layer '{self.name}' cannot pool inputs of shape {format_shape(input_shape)} with "
                             f"pool_size={self.pool_size} and padding='valid': the output would have shape "
                             f"{format_shape(tuple(out))}. Use padding='same' or a smaller pool_size.")
        return tuple(out)

    def check_input_shape(self, shape: Shape) -> None:
        self.compute_output_shape(shape)

    def _pool(self, x):
        raise NotImplementedError

    def call(self, x):
        x = _channels_last(_as_float(x, self.dtype), self.data_format)
        return _restore_format(self._pool(x), self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class _MaxPooling(_Pooling):
    def _pool(self, x):
        if self.strides != self.pool_size:
            return nnx.max_pool(x, self.pool_size, strides=self.strides, padding=self.padding.upper())
        pads = []
        for size, w in zip(x.shape[1:-1], self.pool_size):
            if self.padding == "valid":
                pads.append((0, -(size % w)))
            else:  # "same", as XLA pads: the extra row after when the total is odd
                total = -size % w
                pads.append((total // 2, total - total // 2))
        return max_pool_disjoint(x, self.pool_size, tuple(pads))


class _AveragePooling(_Pooling):
    def _pool(self, x):
        return nnx.avg_pool(x, self.pool_size, strides=self.strides, padding=self.padding.upper(),
                            count_include_pad=self.padding == "valid")


class MaxPooling1D(_MaxPooling):
    """The maximum over windows of `pool_size` steps.

    Args:
      pool_size: the window size, an int or a tuple of 1 int (default 2).
      strides: the window step, like `pool_size`; None (default) means `pool_size`.
      padding: `"valid"` (windows inside the input only) or `"same"` (output size `ceil(size / strides)`).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, pooled_steps, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.MaxPooling1D(2)(jnp.arange(6.0).reshape(1, 6, 1))[0, :, 0].tolist()
      [1.0, 3.0, 5.0]
    """

    rank = 1


class MaxPooling2D(_MaxPooling):
    """The maximum over windows of `pool_size` pixels.

    Args:
      pool_size: the window size, an int or a tuple of 2 ints (default (2, 2)).
      strides: the window step, like `pool_size`; None (default) means `pool_size`.
      padding: `"valid"` (windows inside the input only) or `"same"` (output size `ceil(size / strides)`).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)`.
    Output shape: `(batch, pooled_height, pooled_width, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.MaxPooling2D()(jnp.ones((2, 7, 7, 3))).shape
      (2, 3, 3, 3)
    """

    rank = 2


class AveragePooling1D(_AveragePooling):
    """The mean over windows of `pool_size` steps.

    Args:
      pool_size: the window size, an int or a tuple of 1 int (default 2).
      strides: the window step, like `pool_size`; None (default) means `pool_size`.
      padding: `"valid"` (windows inside the input only) or `"same"` (output size `ceil(size / strides)`;
        the mean counts only the real values in each window, not the padding).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, pooled_steps, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AveragePooling1D(2, padding="same")(jnp.arange(5.0).reshape(1, 5, 1))[0, :, 0].tolist()
      [0.5, 2.5, 4.0]
    """

    rank = 1


class AveragePooling2D(_AveragePooling):
    """The mean over windows of `pool_size` pixels.

    Args:
      pool_size: the window size, an int or a tuple of 2 ints (default (2, 2)).
      strides: the window step, like `pool_size`; None (default) means `pool_size`.
      padding: `"valid"` (windows inside the input only) or `"same"` (output size `ceil(size / strides)`;
        the mean counts only the real values in each window, not the padding).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)`.
    Output shape: `(batch, pooled_height, pooled_width, channels)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.AveragePooling2D(3, strides=2, padding="same")(jnp.ones((2, 7, 7, 3))).shape
      (2, 4, 4, 3)
    """

    rank = 2


class _GlobalPooling(Layer):
    """Reduces every spatial axis of `(batch, *spatial, channels)`."""

    rank = 2

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.data_format = checks.data_format(data_format, cls)
        self.keepdims = checks.boolean(keepdims, "keepdims", cls)

    def _spatial_axes(self) -> tuple[int, ...]:
        start = 1 if self.data_format == "channels_last" else 2
        return tuple(range(start, start + self.rank))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        axes = self._spatial_axes()
        if self.keepdims:
            return tuple(1 if a in axes else d for a, d in enumerate(input_shape))
        return tuple(d for a, d in enumerate(input_shape) if a not in axes)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 2, self.name)

    def _reduce(self, x, axis, keepdims):
        raise NotImplementedError

    def call(self, x):
        return self._reduce(_as_float(x, self.dtype), axis=self._spatial_axes(), keepdims=self.keepdims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over the steps axis.

    Args:
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      keepdims: keep the reduced axes, with size 1 (default False).

    With a mask (from `Embedding(mask_zero=True)` or `Masking` before it, or `mask=` `(batch, steps)`),
    the mean runs over the unmasked steps only, as in Keras (a sequence with every step masked gives NaN).

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, channels)`, or `(batch, 1, channels)`
    with `keepdims=True`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.GlobalAveragePooling1D()(jnp.arange(6.0).reshape(1, 3, 2)).tolist()
      [[2.0, 3.0]]
    """

    rank = 1
    supports_masking = True

    def _reduce(self, x, axis, keepdims):
        return jnp.mean(x, axis=axis, keepdims=keepdims)

    def call(self, x, mask=None):
        """The mean over the steps; with `mask` `(batch, steps)`, over the unmasked steps only (as Keras)."""
        if mask is None:
            return super().call(x)
        x = _as_float(x, self.dtype)
        steps = self._spatial_axes()[0]
        mask = checks.mask_array(mask, (x.shape[0], x.shape[steps]), self.name, axes="(batch, steps)")
        weights = jnp.expand_dims(mask, 2 if self.data_format == "channels_last" else 1).astype(x.dtype)
        total = jnp.sum(jnp.where(weights > 0, x, 0), axis=steps, keepdims=self.keepdims)
        return total / jnp.sum(weights, axis=steps, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None  # the steps axis is gone


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over the height and width axes.

    Args:
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      keepdims: keep the reduced axes, with size 1 (default False).

    Input shape: `(batch, height, width, channels)`. Output shape: `(batch, channels)`, or
    `(batch, 1, 1, channels)` with `keepdims=True`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.GlobalAveragePooling2D(keepdims=True)(jnp.ones((2, 5, 5, 3))).shape
      (2, 1, 1, 3)
    """

    rank = 2

    def _reduce(self, x, axis, keepdims):
        return jnp.mean(x, axis=axis, keepdims=keepdims)


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over the steps axis.

    Args:
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      keepdims: keep the reduced axes, with size 1 (default False).

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, channels)`, or `(batch, 1, channels)`
    with `keepdims=True`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.GlobalMaxPooling1D()(jnp.arange(6.0).reshape(1, 3, 2)).tolist()
      [[4.0, 5.0]]
    """

    rank = 1

    def _reduce(self, x, axis, keepdims):
        return jnp.max(x, axis=axis, keepdims=keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over the height and width axes.

    Args:
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      keepdims: keep the reduced axes, with size 1 (default False).

    Input shape: `(batch, height, width, channels)`. Output shape: `(batch, channels)`, or
    `(batch, 1, 1, channels)` with `keepdims=True`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.GlobalMaxPooling2D()(jnp.ones((2, 5, 5, 3))).shape
      (2, 3)
    """

    rank = 2

    def _reduce(self, x, axis, keepdims):
        return jnp.max(x, axis=axis, keepdims=keepdims)
