"""Convolution layers: Conv1D, Conv2D, Conv3D and their transposes Conv1DTranspose, Conv2DTranspose, Conv3DTranspose.

The math is `jax.lax.conv_general_dilated` / `jax.lax.conv_transpose` configured at build time, the
same call `flax.nnx.Conv` / `nnx.ConvTranspose` make, with the same HWIO kernel layout. The layers
do not hold an `nnx.Conv`: its kernel would be a second `Param` next to the one `add_weight` makes,
and `get_weights()` must list exactly `kernel`, then `bias`, in Keras's shapes, so that weights load
from (and into) the Keras twin. Calling the lax function on the layer's own kernel gives that for one
line of configuration (padding strings, dilation, `feature_group_count=groups`).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish import activations as _activations
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape

_SPATIAL_LETTERS = {1: "W", 2: "HW", 3: "DHW"}


def dimension_numbers(rank: int, data_format: str) -> tuple[str, str, str]:
    spatial = _SPATIAL_LETTERS[rank]
    image = "N" + spatial + "C" if data_format == "channels_last" else "NC" + spatial
    return image, spatial + "IO", image


def conv_output_size(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> int | None:
    """One spatial axis of a convolution's output (`padding` "valid", "same" or "causal")."""
    if size is None:
        return None
    if padding == "valid":
        return (size - ((kernel - 1) * dilation + 1)) // stride + 1
    return -(-size // stride)


def _transpose_padding(kernel: int, stride: int, dilation: int, padding: str,
                       output_padding: int | None) -> tuple[int, int]:
    """The `(low, high)` padding `lax.conv_transpose` needs to give Keras's output size on one axis."""
    kernel = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(kernel, stride) - kernel if output_padding is None else output_padding
        return kernel - 1, kernel - 1 + extra
    total = stride + kernel - 2 if output_padding is None else kernel + kernel % 2 - 2 + output_padding
    low = min(total // 2 + total % 2, kernel - 1)
    return low, total - low


class _Conv(Layer):
    """An N-D convolution over inputs `(batch, *spatial, channels)` (or channels first)."""

    rank = 2
    _transposed = False
    #: XLA:CPU runs convolutions inside a rolled loop (lax.scan) about 15x slower than step by step, so
    #: steps_per_execution="auto" dispatches one step at a time for models holding one (engine.py).
    slow_in_rolled_loop = True

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.filters = checks.strictly_positive(filters, "filters", cls)
        self.kernel_size = checks.int_tuple(kernel_size, self.rank, "kernel_size", cls)
        self.strides = checks.int_tuple(strides, self.rank, "strides", cls)
        paddings = ("valid", "same", "causal") if self.rank == 1 and not self._transposed else ("valid", "same")
        self.padding = checks.choice(padding, paddings, "padding", cls)
        self.data_format = checks.data_format(data_format, cls)
        self.dilation_rate = checks.int_tuple(dilation_rate, self.rank, "dilation_rate", cls)
        if not checks.is_int(groups) or groups < 1:
            raise ValueError(f"The number of groups must be a positive integer. Received: groups={groups!r} (layer "
                             f"{cls}).")
        self.groups = int(groups)
        if self.filters % self.groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number of groups. Received: "
                             f"groups={self.groups}, filters={self.filters} (layer {cls}).")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate} (layer {cls}).")
        self.activation = _activations.get(activation)
        self.use_bias = checks.boolean(use_bias, "use_bias", cls)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.kernel_constraint = _constraints.get(kernel_constraint)
        self.bias_constraint = _constraints.get(bias_constraint)
        self._channel_axis = -1 if self.data_format == "channels_last" else 1

    # -- shapes ---------------------------------------------------------------------------------

    def _spatial_axes(self) -> range:
        return range(1, self.rank + 1) if self.data_format == "channels_last" else range(2, self.rank + 2)

    def _output_size(self, size: int | None, axis: int) -> int | None:
        return conv_output_size(size, self.kernel_size[axis], self.strides[axis], self.dilation_rate[axis],
                                 self.padding)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        spatial = tuple(self._output_size(input_shape[a], i) for i, a in enumerate(self._spatial_axes()))
        out = ((input_shape[0],) + spatial + (self.filters,) if self.data_format == "channels_last"
               else (input_shape[0], self.filters) + spatial)
        if any(d is not None and d <= 0 for d in spatial):
            raise ValueError(
                f"Computed output size would be zero or negative: layer '{self.name}' cannot take inputs of shape "
                f"{format_shape(input_shape)}: with "
                f"kernel_size={self.kernel_size}, strides={self.strides}, dilation_rate={self.dilation_rate} and "
                f"padding='{self.padding}' the output would have shape {format_shape(out)}. Use larger inputs, "
                f"a smaller kernel_size or padding='same'.")
        return out

    def _kernel_shape(self, channels: int) -> tuple[int, ...]:
        return self.kernel_size + (channels // self.groups, self.filters)

    def build(self, input_shape: Shape) -> None:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}' needs a known channel axis ({self._channel_axis}), received "
                             f"input_shape {format_shape(input_shape)}.")
        if channels % self.groups:
            raise ValueError(f"Layer '{self.name}': the number of input channels ({channels}) must be divisible by "
                             f"`groups` ({self.groups}); input_shape {format_shape(input_shape)}.")
        self.compute_output_shape(input_shape)
        self.add_weight(self._kernel_shape(channels), self.kernel_initializer, name="kernel",
                        regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.add_weight((self.filters,), self.bias_initializer, name="bias", regularizer=self.bias_regularizer,
                            constraint=self.bias_constraint)
        self._input_channels = channels

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 2, self.name)
        checks.check_axis_size(shape, self._channel_axis, self._input_channels, self.name)
        self.compute_output_shape(shape)

    # -- computation ----------------------------------------------------------------------------

    def _convolve(self, x):
        padding = self.padding.upper()
        if self.padding == "causal":  # Keras: pad the start of the time axis, then a "valid" conv
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pads = [(0, 0)] * x.ndim
            pads[self._spatial_axes()[0]] = (left, 0)
            x, padding = jnp.pad(x, pads), "VALID"
        return jax.lax.conv_general_dilated(
            x, self.kernel[...], window_strides=self.strides, padding=padding, rhs_dilation=self.dilation_rate,
            dimension_numbers=dimension_numbers(self.rank, self.data_format), feature_group_count=self.groups)

    def call(self, x):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.kernel.dtype)
        y = self._convolve(x)
        if self.use_bias:
            shape = [1] * y.ndim
            shape[self._channel_axis] = self.filters
            y = y + self.bias[...].reshape(shape)
        return self.activation(y)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                  "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                  "dilation_rate": self.dilation_rate}
        if not self._transposed:
            config["groups"] = self.groups
        return {**config, "activation": _activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": _regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": _constraints.serialize(self.kernel_constraint),
                "bias_constraint": _constraints.serialize(self.bias_constraint)}


class Conv1D(_Conv):
    """A 1-D (temporal) convolution: `activation(conv(x, kernel) + bias)`.

    Args:
      filters: the number of output channels (a positive int).
      kernel_size: the window length, an int or a tuple of 1 int.
      strides: the step of the window (default 1).
      padding: `"valid"` (no padding), `"same"` (output length `ceil(length / strides)`) or `"causal"`
        (pad the start only, so output step t never sees inputs after t).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      dilation_rate: spacing between the kernel's taps (default 1; not with `strides` > 1).
      groups: split the channels into this many independent groups (it must divide the input
        channels and `filters`).
      activation: a name, a callable or None (linear).
      use_bias: whether to add a bias.
      kernel_initializer: a name or a callable `(key, shape, dtype) -> array`.
      bias_initializer: likewise, for the bias.
      kernel_regularizer: a penalty on the kernel added to the training loss.
      bias_regularizer: likewise, for the bias.
      kernel_constraint: a projection of the kernel after each optimizer update (`kerasish.constraints`).
      bias_constraint: likewise, for the bias.

    Input shape: `(batch, steps, channels)` (channels last). Output shape: `(batch, new_steps, filters)`.
    Weights: `kernel` of shape `(kernel_size, channels // groups, filters)`, then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Conv1D(4, 3, padding="same")(jnp.ones((2, 10, 3))).shape
      (2, 10, 4)
    """

    rank = 1


class Conv2D(_Conv):
    """A 2-D convolution over images: `activation(conv(x, kernel) + bias)`.

    Args:
      filters: the number of output channels (a positive int).
      kernel_size: the window size, an int or a tuple of 2 ints.
      strides: the step of the window, an int or a tuple of 2 ints (default 1).
      padding: `"valid"` (no padding) or `"same"` (output size `ceil(size / strides)`).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      dilation_rate: spacing between the kernel's taps (default 1; not with `strides` > 1).
      groups: split the channels into this many independent groups (it must divide the input
        channels and `filters`); `groups == channels` is a depthwise convolution.
      activation: a name, a callable or None (linear).
      use_bias: whether to add a bias.
      kernel_initializer: a name or a callable `(key, shape, dtype) -> array`.
      bias_initializer: likewise, for the bias.
      kernel_regularizer: a penalty on the kernel added to the training loss.
      bias_regularizer: likewise, for the bias.
      kernel_constraint: a projection of the kernel after each optimizer update (`kerasish.constraints`).
      bias_constraint: likewise, for the bias.

    Input shape: `(batch, height, width, channels)` (channels last).
    Output shape: `(batch, new_height, new_width, filters)`.
    Weights: `kernel` of shape `(kh, kw, channels // groups, filters)`, then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.Conv2D(8, 3, strides=2, activation="relu")
      >>> layer(jnp.ones((2, 9, 9, 3))).shape, layer.kernel.shape
      ((2, 4, 4, 8), (3, 3, 3, 8))
    """

    rank = 2


class _ConvTranspose(_Conv):
    """An N-D transposed convolution (the gradient of a convolution with respect to its input)."""

    _transposed = True

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
        cls = type(self).__name__
        self.output_padding = (None if output_padding is None
                               else checks.int_tuple(output_padding, self.rank, "output_padding", cls, minimum=0))
        if self.output_padding is not None and any(p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"`output_padding` must be strictly less than `strides` on every axis. Received: "
                             f"output_padding={self.output_padding}, strides={self.strides} (layer {cls}).")

    def _pads(self) -> list[tuple[int, int]]:
        return [_transpose_padding(self.kernel_size[i], self.strides[i], self.dilation_rate[i], self.padding,
                                   None if self.output_padding is None else self.output_padding[i])
                for i in range(self.rank)]

    def _output_size(self, size: int | None, axis: int) -> int | None:
        if size is None:
            return None
        low, high = self._pads()[axis]
        kernel = (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1
        return (size - 1) * self.strides[axis] + low + high - kernel + 2

    def _kernel_shape(self, channels: int) -> tuple[int, ...]:
        return self.kernel_size + (self.filters, channels)  # Keras's layout: (..., out, in)

    def _convolve(self, x):
        # `transpose_kernel=True` reads the (..., out, in) kernel as the forward conv's, as Keras's JAX backend does.
        return jax.lax.conv_transpose(x, self.kernel[...], self.strides, padding=self._pads(),
                                      rhs_dilation=self.dilation_rate,
                                      dimension_numbers=dimension_numbers(self.rank, self.data_format),
                                      transpose_kernel=True)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_padding": self.output_padding}


class Conv2DTranspose(_ConvTranspose):
    """A 2-D transposed convolution ("deconvolution"): upsamples by `strides`.

    Args:
      filters: the number of output channels (a positive int).
      kernel_size: the window size, an int or a tuple of 2 ints.
      strides: the upsampling factor, an int or a tuple of 2 ints (default 1).
      padding: `"valid"`: output size `(size - 1) * strides + max(kernel, strides)`; `"same"`: output
        size `size * strides`.
      output_padding: extra size on the high side of each axis, an int or a tuple of 2 ints, each
        smaller than the stride; None (default) lets `padding` decide the output size.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      dilation_rate: spacing between the kernel's taps (default 1; not with `strides` > 1).
      activation: a name, a callable or None (linear).
      use_bias: whether to add a bias.
      kernel_initializer: a name or a callable `(key, shape, dtype) -> array`.
      bias_initializer: likewise, for the bias.
      kernel_regularizer: a penalty on the kernel added to the training loss.
      bias_regularizer: likewise, for the bias.
      kernel_constraint: a projection of the kernel after each optimizer update (`kerasish.constraints`).
      bias_constraint: likewise, for the bias.

    Input shape: `(batch, height, width, channels)` (channels last).
    Output shape: `(batch, new_height, new_width, filters)`.
    Weights: `kernel` of shape `(kh, kw, filters, channels)` (Keras's layout), then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.Conv2DTranspose(4, 3, strides=2, padding="same")
      >>> layer(jnp.ones((2, 5, 5, 3))).shape, layer.kernel.shape
      ((2, 10, 10, 4), (3, 3, 4, 3))
    """

    rank = 2


class Conv3D(_Conv):
    """A 3-D convolution over volumes (or videos): `activation(conv(x, kernel) + bias)`.

    Args: as `Conv2D`, with tuples of 3 ints for `kernel_size`, `strides` and `dilation_rate`.

    Input shape: `(batch, depth, height, width, channels)` (channels last).
    Output shape: `(batch, new_depth, new_height, new_width, filters)`.
    Weights: `kernel` of shape `(kd, kh, kw, channels // groups, filters)`, then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Conv3D(2, 3, padding="same")(jnp.ones((1, 4, 4, 4, 3))).shape
      (1, 4, 4, 4, 2)
    """

    rank = 3


class Conv1DTranspose(_ConvTranspose):
    """A 1-D transposed convolution: upsamples a sequence by `strides`.

    Args: as `Conv2DTranspose`, with ints (or tuples of 1 int) for `kernel_size`, `strides`,
    `output_padding` and `dilation_rate`.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, new_steps, filters)`.
    Weights: `kernel` of shape `(kernel_size, filters, channels)` (Keras's layout), then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Conv1DTranspose(4, 3, strides=2, padding="same")(jnp.ones((2, 5, 3))).shape
      (2, 10, 4)
    """

    rank = 1


class Conv3DTranspose(_ConvTranspose):
    """A 3-D transposed convolution: upsamples a volume by `strides`.

    Args: as `Conv2DTranspose`, with tuples of 3 ints.

    Input shape: `(batch, depth, height, width, channels)`.
    Output shape: `(batch, new_depth, new_height, new_width, filters)`.
    Weights: `kernel` of shape `(kd, kh, kw, filters, channels)` (Keras's layout), then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Conv3DTranspose(2, 2, strides=2)(jnp.ones((1, 2, 3, 2, 3))).shape
      (1, 4, 6, 4, 2)
    """

    rank = 3


# Keras's other names for the same classes.
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = Conv1DTranspose, Conv2DTranspose, \
    Conv3DTranspose
