"""Depthwise and separable convolutions: DepthwiseConv1D/2D, SeparableConv1D/2D.

A depthwise convolution filters each input channel on its own (`depth_multiplier` filters per channel);
a separable one follows it with a 1x1 ("pointwise") convolution that mixes the channels, for far fewer
weights than a full convolution. The math is Keras's JAX backend's: the depthwise kernel
`(*kernel_size, channels, depth_multiplier)` is reshaped to `(*kernel_size, 1, channels * depth_multiplier)`
and run by `lax.conv_general_dilated` with one feature group per channel; the weights keep Keras's names,
shapes and order, so Keras's weights load as they are.
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
from kerasish.layers.conv import conv_output_size, dimension_numbers
from kerasish.shapes import Shape, format_shape


class _DepthwiseBase(Layer):
    """The depthwise step shared by DepthwiseConv and SeparableConv: arguments, shapes and the convolution."""

    rank = 2
    slow_in_rolled_loop = True  # a convolution: see conv._Conv

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None, depthwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.depth_multiplier = checks.strictly_positive(depth_multiplier, "depth_multiplier", cls)
        self.kernel_size = checks.int_tuple(kernel_size, self.rank, "kernel_size", cls)
        self.strides = checks.int_tuple(strides, self.rank, "strides", cls)
        self.padding = checks.choice(padding, ("valid", "same"), "padding", cls)
        self.data_format = checks.data_format(data_format, cls)
        self.dilation_rate = checks.int_tuple(dilation_rate, self.rank, "dilation_rate", cls)
        self.activation = _activations.get(activation)
        self.use_bias = checks.boolean(use_bias, "use_bias", cls)
        self.depthwise_initializer = _initializers.get(depthwise_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.depthwise_regularizer = _regularizers.get(depthwise_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.depthwise_constraint = _constraints.get(depthwise_constraint)
        self.bias_constraint = _constraints.get(bias_constraint)
        self._channel_axis = -1 if self.data_format == "channels_last" else 1

    def _spatial_axes(self) -> range:
        return range(1, self.rank + 1) if self.data_format == "channels_last" else range(2, self.rank + 2)

    def _output_channels(self, channels: int | None) -> int | None:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        spatial = tuple(conv_output_size(input_shape[a], self.kernel_size[i], self.strides[i], self.dilation_rate[i],
                                         self.padding) for i, a in enumerate(self._spatial_axes()))
        channels = self._output_channels(input_shape[self._channel_axis])
        out = ((input_shape[0],) + spatial + (channels,) if self.data_format == "channels_last"
               else (input_shape[0], channels) + spatial)
        if any(d is not None and d <= 0 for d in spatial):
            raise ValueError(
                f"Computed output size would be zero or negative: layer '{self.name}' cannot take inputs of shape "
                f"{format_shape(input_shape)}: with "
                f"kernel_size={self.kernel_size}, strides={self.strides}, dilation_rate={self.dilation_rate} and "
                f"padding='{self.padding}' the output would have shape {format_shape(out)}. Use larger inputs, "
                f"a smaller kernel_size or padding='same'.")
        return out

    def _input_channels(self, input_shape: Shape) -> int:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}' needs a known channel axis ({self._channel_axis}), received "
                             f"input_shape {format_shape(input_shape)}.")
        self.compute_output_shape(input_shape)
        return channels

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 2, self.name)
        checks.check_axis_size(shape, self._channel_axis, self.channels, self.name)
        self.compute_output_shape(shape)

    def _depthwise(self, x, kernel):
        """`(batch, *spatial, channels)` -> `(batch, *new_spatial, channels * depth_multiplier)` (or channels first)."""
        channels = x.shape[self._channel_axis]
        kernel = kernel.reshape(kernel.shape[:-2] + (1, channels * kernel.shape[-1]))
        return jax.lax.conv_general_dilated(x, kernel, self.strides, self.padding.upper(),
                                            rhs_dilation=self.dilation_rate,
                                            dimension_numbers=dimension_numbers(self.rank, self.data_format),
                                            feature_group_count=channels)

    def _finish(self, y):
        if self.use_bias:
            shape = [1] * y.ndim
            shape[self._channel_axis] = y.shape[self._channel_axis]
            y = y + self.bias[...].reshape(shape)
        return self.activation(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "activation": _activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "depthwise_initializer": _initializers.serialize(self.depthwise_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": _regularizers.serialize(self.depthwise_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": _regularizers.serialize(self.activity_regularizer),
                "depthwise_constraint": _constraints.serialize(self.depthwise_constraint),
                "bias_constraint": _constraints.serialize(self.bias_constraint)}


class _DepthwiseConv(_DepthwiseBase):
    def _output_channels(self, channels):
        return None if channels is None else channels * self.depth_multiplier

    def build(self, input_shape: Shape) -> None:
        self.channels = self._input_channels(input_shape)
        self.add_weight(self.kernel_size + (self.channels, self.depth_multiplier), self.depthwise_initializer,
                        name="kernel", regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        if self.use_bias:
            self.add_weight((self.channels * self.depth_multiplier,), self.bias_initializer, name="bias",
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, x):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.kernel.dtype)
        return self._finish(self._depthwise(x, self.kernel[...]))


class DepthwiseConv1D(_DepthwiseConv):
    """A 1-D depthwise convolution: each input channel convolved with its own `depth_multiplier` filters.

    Args:
      kernel_size: the window length, an int or a tuple of 1 int.
      strides: the window step (default 1).
      padding: `"valid"` (default) or `"same"`.
      depth_multiplier: filters per input channel (default 1): the output has `channels * depth_multiplier`.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      dilation_rate: spacing between the kernel's taps (default 1).
      activation: a name, a callable or None (linear).
      use_bias: whether to add a bias.
      depthwise_initializer: initializer of `kernel` (default "glorot_uniform").
      bias_initializer: initializer of `bias` (default "zeros").
      depthwise_regularizer, bias_regularizer: penalties added to the training loss.
      depthwise_constraint, bias_constraint: projections after each optimizer update.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, new_steps, channels * depth_multiplier)`.
    Weights: `kernel` `(kernel_size, channels, depth_multiplier)`, then `bias` `(channels * depth_multiplier,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.DepthwiseConv1D(3, depth_multiplier=2)(jnp.ones((2, 8, 4))).shape
      (2, 6, 8)
    """

    rank = 1


class DepthwiseConv2D(_DepthwiseConv):
    """A 2-D depthwise convolution: each input channel convolved with its own `depth_multiplier` filters.

    Args: as `DepthwiseConv1D`, with tuples of 2 ints for `kernel_size`, `strides` and `dilation_rate`.

    Input shape: `(batch, height, width, channels)`.
    Output shape: `(batch, new_height, new_width, channels * depth_multiplier)`.
    Weights: `kernel` `(kh, kw, channels, depth_multiplier)`, then `bias` `(channels * depth_multiplier,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.DepthwiseConv2D(3, padding="same")
      >>> layer(jnp.ones((2, 5, 5, 3))).shape, layer.kernel.shape
      ((2, 5, 5, 3), (3, 3, 3, 1))
    """

    rank = 2


class _SeparableConv(_DepthwiseBase):
    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 depthwise_constraint: Any = None, pointwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        cls = type(self).__name__
        self.filters = checks.strictly_positive(filters, "filters", cls)
        self.pointwise_initializer = _initializers.get(pointwise_initializer)
        self.pointwise_regularizer = _regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = _constraints.get(pointwise_constraint)

    def _output_channels(self, channels):
        return self.filters

    def build(self, input_shape: Shape) -> None:
        self.channels = self._input_channels(input_shape)
        middle = self.channels * self.depth_multiplier
        self.add_weight(self.kernel_size + (self.channels, self.depth_multiplier), self.depthwise_initializer,
                        name="depthwise_kernel", regularizer=self.depthwise_regularizer,
                        constraint=self.depthwise_constraint)
        self.add_weight((1,) * self.rank + (middle, self.filters), self.pointwise_initializer, name="pointwise_kernel",
                        regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        if self.use_bias:
            self.add_weight((self.filters,), self.bias_initializer, name="bias", regularizer=self.bias_regularizer,
                            constraint=self.bias_constraint)

    def call(self, x):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.depthwise_kernel.dtype)
        y = self._depthwise(x, self.depthwise_kernel[...])
        y = jax.lax.conv_general_dilated(y, self.pointwise_kernel[...], (1,) * self.rank, "VALID",
                                         dimension_numbers=dimension_numbers(self.rank, self.data_format))
        return self._finish(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": _initializers.serialize(self.pointwise_initializer),
                "pointwise_regularizer": _regularizers.serialize(self.pointwise_regularizer),
                "pointwise_constraint": _constraints.serialize(self.pointwise_constraint)}


class SeparableConv1D(_SeparableConv):
    """A depthwise 1-D convolution followed by a pointwise (1x1) one that mixes the channels into `filters`.

    Args:
      filters: the number of output channels (a positive int).
      kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier: the depthwise step's,
        as in `DepthwiseConv1D`.
      activation: a name, a callable or None (linear).
      use_bias: whether to add a bias.
      depthwise_initializer, pointwise_initializer: initializers of the two kernels (default
        "glorot_uniform").
      bias_initializer: initializer of `bias` (default "zeros").
      depthwise_regularizer, pointwise_regularizer, bias_regularizer: penalties added to the training loss.
      depthwise_constraint, pointwise_constraint, bias_constraint: projections after each optimizer update.

    Input shape: `(batch, steps, channels)`. Output shape: `(batch, new_steps, filters)`.
    Weights: `depthwise_kernel` `(kernel_size, channels, depth_multiplier)`, `pointwise_kernel`
    `(1, channels * depth_multiplier, filters)`, then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.SeparableConv1D(4, 3, padding="same")(jnp.ones((2, 8, 3))).shape
      (2, 8, 4)
    """

    rank = 1


class SeparableConv2D(_SeparableConv):
    """A depthwise 2-D convolution followed by a pointwise (1x1) one that mixes the channels into `filters`.

    Args: as `SeparableConv1D`, with tuples of 2 ints for `kernel_size`, `strides` and `dilation_rate`.

    Input shape: `(batch, height, width, channels)`. Output shape: `(batch, new_height, new_width, filters)`.
    Weights: `depthwise_kernel` `(kh, kw, channels, depth_multiplier)`, `pointwise_kernel`
    `(1, 1, channels * depth_multiplier, filters)`, then `bias` `(filters,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.SeparableConv2D(8, 3, depth_multiplier=2)
      >>> layer(jnp.ones((2, 5, 5, 3))).shape, layer.pointwise_kernel.shape
      ((2, 3, 3, 8), (1, 1, 6, 8))
    """

    rank = 2


SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
