"""Convolutions and pooling of `keras.ops.nn`: conv, depthwise_conv, separable_conv, conv_transpose,
max_pool, average_pool, adaptive pools, depth_to_space / space_to_depth, unfold / fold.

Layouts are Keras's: inputs `(batch, *spatial, channels)` for `data_format="channels_last"` (the default,
`kerasish.backend.image_data_format()`) or `(batch, channels, *spatial)`; kernels
`(*kernel_size, in_channels, out_channels)` (`conv_transpose`: `(*kernel_size, out_channels,
in_channels)`; `depthwise_conv`: `(*kernel_size, in_channels, multiplier)`). `strides` and
`dilation_rate` are an int or one int per spatial axis; `padding` is "valid" or "same".

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> ops.conv(jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 4)), padding="same").shape
  (1, 5, 5, 4)
  >>> ops.max_pool(jnp.arange(4.0).reshape(1, 4, 1), 2).ravel().tolist()
  [1.0, 3.0]
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from kerasish.backend import standardize_data_format
from kerasish.ops.dispatch import keras_op, tensor


def _spatial(value, count: int, argument: str, op: str) -> tuple[int, ...]:
    values = (value,) * count if isinstance(value, int) else tuple(value)
    if len(values) != count or not all(isinstance(v, int) and v >= 1 for v in values):
        raise ValueError(f"Argument `{argument}` of {op} must be a positive int or {count} positive ints (one per "
                         f"spatial axis), received {value!r}.")
    return values


def _padding(padding, op: str) -> str:
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"Argument `padding` of {op} must be 'valid' or 'same', received {padding!r}.")
    return padding.upper()


def _dimension_numbers(spatial: int, data_format: str) -> jax.lax.ConvDimensionNumbers:
    rank = spatial + 2
    axes = tuple(range(1, rank - 1)) if data_format == "channels_last" else tuple(range(2, rank))
    layout = (0, rank - 1) + axes if data_format == "channels_last" else (0, 1) + axes
    kernel = (rank - 1, rank - 2) + tuple(range(rank - 2))
    return jax.lax.ConvDimensionNumbers(lhs_spec=layout, rhs_spec=kernel, out_spec=layout)


def _channels(x, data_format: str) -> int:
    return x.shape[-1] if data_format == "channels_last" else x.shape[1]


def _check_rank(x, op: str) -> int:
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"Argument `inputs` of {op} must have rank 3, 4 or 5 (batch, 1 to 3 spatial axes, channels), "
                         f"received shape {x.shape}.")
    return x.ndim - 2


@keras_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """An N-D convolution (1-D to 3-D) of `inputs` with `kernel` (`keras.ops.conv`).

    A kernel with fewer input channels than `inputs` (a divisor) makes a grouped convolution.

    Args:
      inputs: a tensor of shape `(batch, *spatial, channels)` (channels_last).
      kernel: a tensor of shape `(*kernel_size, channels // groups, filters)`.
      strides: an int or one int per spatial axis.
      padding: "valid" or "same".
      data_format: "channels_last" or "channels_first" (`image_data_format()` when None).
      dilation_rate: an int or one int per spatial axis.

    Returns:
      A tensor of shape `(batch, *out_spatial, filters)`.

    Raises:
      ValueError: for a bad padding, stride or dilation, channels the kernel's do not divide, or an empty
        output.
    """
    data_format = standardize_data_format(data_format)
    kernel = tensor(kernel)
    inputs = tensor(inputs, kernel.dtype)
    spatial = _check_rank(inputs, "conv")
    channels, kernel_channels = _channels(inputs, data_format), kernel.shape[-2]
    if channels % kernel_channels:
        raise ValueError(f"The input channels of conv ({channels}) must be a multiple of the kernel's input channels "
                         f"({kernel_channels}, kernel shape {kernel.shape}).")
    out = jax.lax.conv_general_dilated(
        inputs, kernel, _spatial(strides, spatial, "strides", "conv"), _padding(padding, "conv"),
        rhs_dilation=_spatial(dilation_rate, spatial, "dilation_rate", "conv"),
        dimension_numbers=_dimension_numbers(spatial, data_format), feature_group_count=channels // kernel_channels)
    if out.size == 0 and inputs.size != 0:
        raise ValueError(f"conv of inputs of shape {inputs.shape} with a kernel of shape {kernel.shape} gives an empty "
                         f"output: the input is smaller than the (dilated) kernel for padding={padding!r}.")
    return out


@keras_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """A depthwise convolution: each input channel convolved with its own `multiplier` filters
    (`keras.ops.depthwise_conv`).

    Args:
      inputs: a tensor of shape `(batch, *spatial, channels)`.
      kernel: a tensor of shape `(*kernel_size, channels, multiplier)`.

    Returns:
      A tensor of shape `(batch, *out_spatial, channels * multiplier)`.

    Raises:
      ValueError: when the kernel's channels differ from the input's.
    """
    data_format = standardize_data_format(data_format)
    inputs, kernel = tensor(inputs), tensor(kernel)
    spatial = _check_rank(inputs, "depthwise_conv")
    channels = _channels(inputs, data_format)
    if kernel.shape[-2] != channels:
        raise ValueError(f"The input channels of depthwise_conv ({channels}) must equal the kernel's input channels "
                         f"(kernel shape {kernel.shape}).")
    kernel = jnp.reshape(kernel, kernel.shape[:-2] + (1, channels * kernel.shape[-1]))
    return jax.lax.conv_general_dilated(
        inputs, kernel, _spatial(strides, spatial, "strides", "depthwise_conv"), _padding(padding, "depthwise_conv"),
        rhs_dilation=_spatial(dilation_rate, spatial, "dilation_rate", "depthwise_conv"),
        dimension_numbers=_dimension_numbers(spatial, data_format), feature_group_count=channels)


@keras_op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution (`keras.ops.separable_conv`).

    Args:
      inputs: a tensor of shape `(batch, *spatial, channels)`.
      depthwise_kernel: `(*kernel_size, channels, multiplier)`.
      pointwise_kernel: `(1, ..., 1, channels * multiplier, filters)`.
    """
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(depthwise, pointwise_kernel, strides=1, padding="valid", data_format=data_format,
                dilation_rate=dilation_rate)


def _transpose_padding(kernel_size: int, stride: int, dilation: int, padding: str, output_padding):
    """The (left, right) padding of JAX's transposed convolution that gives Keras's output size."""
    size = (kernel_size - 1) * dilation + 1
    if padding == "VALID":
        extra = max(size, stride) - size if output_padding is None else output_padding
        return size - 1, size - 1 + extra
    total = stride + size - 2 if output_padding is None else size + size % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, size - 1)
    return left, total - left


@keras_op
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """A transposed convolution (the gradient of `conv`, an upsampling convolution) (`keras.ops.conv_transpose`).

    Args:
      inputs: a tensor of shape `(batch, *spatial, channels)`.
      kernel: a tensor of shape `(*kernel_size, filters, channels)`.
      strides: the upsampling factor(s).
      padding: "valid" (output `(in - 1) * stride + max(kernel, stride)`) or "same" (output `in * stride`).
      output_padding: None, or extra size added to one side of each spatial axis (an int or one per axis).

    Raises:
      ValueError: when the kernel's input channels (its last axis) differ from the input's.

    Example:
      >>> import jax.numpy as jnp
      >>> conv_transpose(jnp.ones((1, 3, 2)), jnp.ones((2, 4, 2)), strides=2).shape
      (1, 6, 4)
    """
    data_format = standardize_data_format(data_format)
    inputs, kernel = tensor(inputs), tensor(kernel)
    spatial = _check_rank(inputs, "conv_transpose")
    if kernel.shape[-1] != _channels(inputs, data_format):
        raise ValueError(f"The input channels of conv_transpose ({_channels(inputs, data_format)}) must equal the "
                         f"kernel's last axis (kernel shape {kernel.shape}: kernel_size + (filters, channels)).")
    strides = _spatial(strides, spatial, "strides", "conv_transpose")
    dilation = _spatial(dilation_rate, spatial, "dilation_rate", "conv_transpose")
    mode = _padding(padding, "conv_transpose")
    extra = (output_padding,) * spatial if output_padding is None or isinstance(output_padding, int) \
        else tuple(output_padding)
    pads = [_transpose_padding(kernel.shape[i], strides[i], dilation[i], mode, extra[i]) for i in range(spatial)]
    return jax.lax.conv_transpose(inputs, kernel, strides, padding=pads, rhs_dilation=dilation,
                                  dimension_numbers=_dimension_numbers(spatial, data_format), transpose_kernel=True)


def _window(value, spatial: int, data_format: str, argument: str, op: str) -> tuple[int, ...]:
    sizes = _spatial(value, spatial, argument, op)
    return (1,) + sizes + (1,) if data_format == "channels_last" else (1, 1) + sizes


@keras_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The maximum over windows of `pool_size`, every `strides` (`pool_size` when None) (`keras.ops.max_pool`).

    Args:
      inputs: a tensor of shape `(batch, *spatial, channels)` with 1 to 3 spatial axes.
      pool_size: an int or one int per spatial axis.
      strides: None, an int or one int per spatial axis.
      padding: "valid" or "same".
      data_format: "channels_last" or "channels_first".
    """
    data_format = standardize_data_format(data_format)
    inputs = tensor(inputs)
    spatial = _check_rank(inputs, "max_pool")
    window = _window(pool_size, spatial, data_format, "pool_size", "max_pool")
    step = window if strides is None else _window(strides, spatial, data_format, "strides", "max_pool")
    return jax.lax.reduce_window(inputs, -jnp.inf, jax.lax.max, window, step, _padding(padding, "max_pool"))


@keras_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The mean over windows of `pool_size`, every `strides` (`keras.ops.average_pool`); with "same" padding
    the border windows average their real elements only.
    """
    data_format = standardize_data_format(data_format)
    inputs = tensor(inputs)
    spatial = _check_rank(inputs, "average_pool")
    window = _window(pool_size, spatial, data_format, "pool_size", "average_pool")
    step = window if strides is None else _window(strides, spatial, data_format, "strides", "average_pool")
    mode = _padding(padding, "average_pool")
    total = jax.lax.reduce_window(inputs, 0.0, jax.lax.add, window, step, mode)
    if mode == "VALID":
        return total / math.prod(window)
    ones = jnp.ones([d if w != 1 else 1 for d, w in zip(inputs.shape, window)], inputs.dtype)
    return total / jax.lax.reduce_window(ones, 0.0, jax.lax.add, window, step, mode)


def _adaptive_windows(length: int, size: int) -> np.ndarray:
    """A `(size, length)` bool matrix: output i pools inputs `[floor(i*L/size), ceil((i+1)*L/size))`."""
    starts = (np.arange(size) * length) // size
    ends = -((-(np.arange(1, size + 1) * length)) // size)
    index = np.arange(length)
    return (index[None, :] >= starts[:, None]) & (index[None, :] < ends[:, None])


def _adaptive(inputs, output_size, data_format, op: str, reduce_max: bool):
    data_format = standardize_data_format(data_format)
    inputs = tensor(inputs)
    spatial = _check_rank(inputs, op)
    sizes = _spatial(output_size, spatial, "output_size", op)
    first = 1 if data_format == "channels_last" else 2
    out = inputs
    for i, size in enumerate(sizes):
        axis = first + i
        windows = jnp.asarray(_adaptive_windows(out.shape[axis], size))
        moved = jnp.moveaxis(out, axis, -1)[..., None, :]  # (..., 1, L)
        if reduce_max:
            pooled = jnp.max(jnp.where(windows, moved, -jnp.inf), axis=-1)
        else:
            pooled = jnp.sum(jnp.where(windows, moved, 0), axis=-1) / windows.sum(axis=1)
        out = jnp.moveaxis(pooled, -1, axis)
    return out.astype(inputs.dtype)


@keras_op
def adaptive_average_pool(inputs, output_size, data_format=None):
    """The mean over adaptive windows that cut each spatial axis into `output_size` near-equal parts
    (`keras.ops.adaptive_average_pool`, PyTorch's AdaptiveAvgPool).

    Example:
      >>> import jax.numpy as jnp
      >>> adaptive_average_pool(jnp.arange(5.0).reshape(1, 5, 1), 2).ravel().tolist()
      [1.0, 3.0]
    """
    return _adaptive(inputs, output_size, data_format, "adaptive_average_pool", reduce_max=False)


@keras_op
def adaptive_max_pool(inputs, output_size, data_format=None):
    """The maximum over adaptive windows (see `adaptive_average_pool`) (`keras.ops.adaptive_max_pool`)."""
    return _adaptive(inputs, output_size, data_format, "adaptive_max_pool", reduce_max=True)


def _check_block(x, block_size: int, op: str):
    x = tensor(x)
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 2:
        raise ValueError(f"Argument `block_size` of {op} must be an int >= 2, received {block_size!r}.")
    if x.ndim != 4:
        raise ValueError(f"Argument `x` of {op} must be a 4-D image batch, received shape {x.shape}.")
    return x


@keras_op
def depth_to_space(x, block_size, data_format="channels_last"):
    """Pixel shuffle: channels moved into `block_size x block_size` spatial blocks (`keras.ops.depth_to_space`).

    Returns:
      `(N, H * b, W * b, C / b**2)` for channels_last input `(N, H, W, C)`.

    Raises:
      ValueError: for a `block_size` below 2, a non-4-D `x`, or channels not divisible by `block_size**2`.
    """
    data_format = standardize_data_format(data_format)
    x = _check_block(x, block_size, "depth_to_space")
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
    else:
        n, c, h, w = x.shape
    if c % (b * b):
        raise ValueError(f"The channels of depth_to_space's input ({c}) must be divisible by block_size**2 ({b * b}).")
    if data_format == "channels_last":
        x = jnp.transpose(jnp.reshape(x, (n, h, w, b, b, c // (b * b))), (0, 1, 3, 2, 4, 5))
        return jnp.reshape(x, (n, h * b, w * b, c // (b * b)))
    x = jnp.transpose(jnp.reshape(x, (n, c // (b * b), b, b, h, w)), (0, 1, 4, 2, 5, 3))
    return jnp.reshape(x, (n, c // (b * b), h * b, w * b))


@keras_op
def space_to_depth(x, block_size, data_format="channels_last"):
    """Pixel unshuffle: `block_size x block_size` spatial blocks moved into channels (`keras.ops.space_to_depth`).

    Raises:
      ValueError: for a `block_size` below 2, a non-4-D `x`, or spatial sizes not divisible by `block_size`.
    """
    data_format = standardize_data_format(data_format)
    x = _check_block(x, block_size, "space_to_depth")
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
    else:
        n, c, h, w = x.shape
    if h % b or w % b:
        raise ValueError(f"The height and width of space_to_depth's input ({h}, {w}) must be divisible by "
                         f"block_size ({b}).")
    if data_format == "channels_last":
        x = jnp.transpose(jnp.reshape(x, (n, h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5))
        return jnp.reshape(x, (n, h // b, w // b, c * b * b))
    x = jnp.transpose(jnp.reshape(x, (n, c, h // b, b, w // b, b)), (0, 1, 3, 5, 2, 4))
    return jnp.reshape(x, (n, c * b * b, h // b, w // b))


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


@keras_op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding `kernel_size` blocks of a `(N, C, H, W)` image batch as columns: shape
    `(N, C * kH * kW, L)` for L block positions (`keras.ops.unfold`, PyTorch's `unfold` / im2col).

    Raises:
      ValueError: for an `x` that is not 4-D.
    """
    x = tensor(x)
    if x.ndim != 4:
        raise ValueError(f"Argument `x` of unfold must be 4-D (N, C, H, W), received shape {x.shape}.")
    ph, pw = _pair(padding)
    if ph or pw:
        x = jnp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    patches = jax.lax.conv_general_dilated_patches(x, _pair(kernel_size), _pair(stride), "VALID",
                                                   rhs_dilation=_pair(dilation),
                                                   dimension_numbers=("NCHW", "OIHW", "NCHW"))
    n, ckk, oh, ow = patches.shape
    return jnp.reshape(patches, (n, ckk, oh * ow))


@keras_op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The inverse arrangement of `unfold` (col2im): blocks `(N, C * kH * kW, L)` summed back into an image
    `(N, C, oH, oW)`; overlapping positions add up (`keras.ops.fold`).

    Raises:
      ValueError: for an `x` that is not 3-D.
    """
    x = tensor(x)
    if x.ndim != 3:
        raise ValueError(f"Argument `x` of fold must be 3-D (N, C * kH * kW, L), received shape {x.shape}.")
    oh, ow = _pair(output_size)
    kh, kw = _pair(kernel_size)
    dh, dw = _pair(dilation)
    ph, pw = _pair(padding)
    sh, sw = _pair(stride)
    n, ckk, _ = x.shape
    c = ckk // (kh * kw)
    nh = (oh + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    nw = (ow + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    blocks = jnp.reshape(x, (n, c, kh, kw, nh, nw))
    out = jnp.zeros((n, c, oh + 2 * ph, ow + 2 * pw), x.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (nh - 1) * sh + 1, sh)
            cols = slice(j * dw, j * dw + (nw - 1) * sw + 1, sw)
            out = out.at[:, :, rows, cols].add(blocks[:, :, i, j])
    return out[:, :, ph:ph + oh, pw:pw + ow]


__all__ = sorted(name for name, value in list(globals().items())
                 if callable(value) and hasattr(value, "elementwise"))
