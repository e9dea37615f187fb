"""The image maths of the preprocessing layers, in `jax.numpy`: resizing, affine warps, colour spaces.

Each function follows the JAX backend of Keras 3 (`keras/src/backend/jax/image.py`): the same resampling
(`jax.image.resize`, `jax.scipy.ndimage.map_coordinates`), the same crop / pad boxes, the same colour
formulas, so that a layer built on them gives Keras's values. The warps and colour conversions are compiled
functions (`jax.jit`): eagerly, one program per image shape instead of dozens of small dispatches. Images are
`(height, width, channels)` or `(batch, height, width, channels)` (`data_format="channels_last"`), or channels
first.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
AFFINE_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}  # the map_coordinates order
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _check_rank(images, what: str = "images") -> None:
    if images.ndim not in (3, 4):
        raise ValueError(f"Invalid {what} rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: {what}.shape={tuple(images.shape)}")


def spatial_axes(ndim: int, data_format: str) -> tuple[int, int]:
    """The (height, width) axes of an image array of rank `ndim`, as negative indices."""
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


def aspect_box(height: int, width: int, target_height: int, target_width: int, pad: bool = False):
    """Keras's box of the target aspect ratio: `(box_height, box_width, top, left)`.

    `pad=False`: the largest centred window of `(height, width)` with the target's aspect ratio (a crop);
    `pad=True`: the smallest centred canvas around the image with that ratio (the image sits at
    `(top, left)` inside it). Sizes are truncated toward zero as Keras does (`int(float(...))`).
    """
    box_height = int(float(width * target_height) / target_width)
    box_width = int(float(height * target_width) / target_height)
    if pad:
        box_height, box_width = max(height, box_height), max(width, box_width)
        return box_height, box_width, int(float(box_height - height) / 2), int(float(box_width - width) / 2)
    box_height, box_width = max(min(height, box_height), 1), max(min(width, box_width), 1)
    return box_height, box_width, int(float(height - box_height) / 2), int(float(width - box_width) / 2)


def crop(images, top: int, left: int, height: int, width: int, data_format: str):
    """`images[..., top:top + height, left:left + width, ...]` on the spatial axes (slices clip at the edge)."""
    h_axis, w_axis = spatial_axes(images.ndim, data_format)
    index = [slice(None)] * images.ndim
    index[h_axis] = slice(top, top + height)
    index[w_axis] = slice(left, left + width)
    return images[tuple(index)]


def resize(images, size: tuple[int, int], interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_value: float = 0.0,
           data_format: str = "channels_last"):
    """Resizes `images` to `size = (height, width)` with `jax.image.resize`, as `keras.ops.image.resize`.

    Args:
      images: `(height, width, channels)` or `(batch, height, width, channels)` (channels first with
        `data_format="channels_first"`).
      size: the output `(height, width)`.
      interpolation: one of `RESIZE_INTERPOLATIONS`.
      antialias: filter when downsampling (Keras's flag, passed to `jax.image.resize`).
      crop_to_aspect_ratio: first crop the largest centred window with the target aspect ratio.
      pad_to_aspect_ratio: first pad (with `fill_value`) to the smallest centred canvas with that ratio.
      fill_value: the padding value.
      data_format: `"channels_last"` or `"channels_first"`.

    Returns:
      The resized images; float inputs keep their dtype, integer ones come back as float32 (the caller casts).
    """
    _check_rank(images)
    target_height, target_width = size
    h_axis, w_axis = spatial_axes(images.ndim, data_format)
    height, width = images.shape[h_axis], images.shape[w_axis]
    if crop_to_aspect_ratio:
        box_height, box_width, top, left = aspect_box(height, width, target_height, target_width)
        images = crop(images, top, left, box_height, box_width, data_format)
    elif pad_to_aspect_ratio:
        box_height, box_width, top, left = aspect_box(height, width, target_height, target_width, pad=True)
        # As Keras: pad one pair of sides only, each by the same `top` (or `left`) amount.
        if top > 0 or left > 0:
            axis, amount = (h_axis, top) if top > 0 else (w_axis, left)
            pad_shape = list(images.shape)
            pad_shape[axis] = amount
            band = jnp.full(pad_shape, fill_value, images.dtype)
            images = jnp.concatenate([band, images, band], axis=axis)
    out_shape = list(images.shape)
    out_shape[h_axis], out_shape[w_axis] = target_height, target_width
    return jax.image.resize(images, tuple(out_shape), method=interpolation, antialias=antialias)


def saturate_cast(x, dtype):
    """Casts `x` to `dtype`, first clipping to the range `dtype` can hold (Keras's `_saturate_cast`)."""
    dtype = jnp.dtype(dtype)
    info = lambda d: (jnp.iinfo(d) if jnp.issubdtype(d, jnp.integer) else jnp.finfo(d))
    if dtype == jnp.bool_:
        return x.astype(dtype)
    in_info, out_info = info(x.dtype), info(dtype)
    low = np.maximum(np.asarray(in_info.min, np.float64), float(out_info.min)).astype(x.dtype)
    if low < out_info.min:
        low = np.nextafter(low, 0, dtype=x.dtype)
    high = np.minimum(np.asarray(in_info.max, np.float64), float(out_info.max)).astype(x.dtype)
    if high > out_info.max:
        high = np.nextafter(high, 0, dtype=x.dtype)
    return jnp.clip(x, low, high).astype(dtype)


def cast_like_input(result, input_dtype):
    """Keras's rule for layers that compute in float but keep an integer image's dtype: round, then
    saturate-cast; a float result of the input's dtype is returned as it is."""
    if result.dtype == input_dtype:
        return result
    if jnp.issubdtype(input_dtype, jnp.integer):
        result = jnp.round(result)
    return saturate_cast(result, input_dtype)


@functools.partial(jax.jit, static_argnames=("interpolation", "fill_mode", "fill_value", "data_format"))
def affine_transform(images, transform, interpolation: str = "bilinear", fill_mode: str = "constant",
                     fill_value: float = 0.0, data_format: str = "channels_last"):
    """Warps `images` by `transform`, as `keras.ops.image.affine_transform` on JAX.

    Args:
      images: `(height, width, channels)` or `(batch, height, width, channels)` (channels first with
        `data_format="channels_first"`).
      transform: `(8,)` or `(batch, 8)`: `[a0, a1, a2, b0, b1, b2, c0, c1]`. The output pixel at column
        `x`, row `y` takes the input at column `a0 * x + a1 * y + a2`, row `b0 * x + b1 * y + b2` (the
        projective `c0, c1` are ignored, as on Keras's JAX backend).
      interpolation: `"nearest"` or `"bilinear"`.
      fill_mode: how points outside the image are filled: one of `FILL_MODES` (`map_coordinates`' modes).
      fill_value: the value outside the image when `fill_mode="constant"`.
      data_format: `"channels_last"` or `"channels_first"`.

    Returns:
      The warped images, of the input's shape and dtype.
    """
    _check_rank(images)
    transform = jnp.asarray(transform)
    if transform.ndim not in (1, 2):
        raise ValueError(f"Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch of "
                         f"transforms). Received input with shape: transform.shape={tuple(transform.shape)}")
    single = images.ndim == 3
    if single:
        images = images[None]
    if transform.ndim == 1:
        transform = transform[None]
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    height, width = images.shape[1], images.shape[2]
    rows, cols = jnp.meshgrid(jnp.arange(height, dtype=transform.dtype), jnp.arange(width, dtype=transform.dtype),
                              indexing="ij")
    order = AFFINE_INTERPOLATIONS[interpolation]

    def warp_one(image, t):  # image (height, width, channels), t (8,)
        source_cols = t[0] * cols + t[1] * rows + t[2]
        source_rows = t[3] * cols + t[4] * rows + t[5]
        sample = lambda plane: jax.scipy.ndimage.map_coordinates(plane, [source_rows, source_cols], order=order,
                                                                 mode=fill_mode, cval=fill_value)
        return jax.vmap(sample, in_axes=-1, out_axes=-1)(image)

    warped = jax.vmap(warp_one)(images, jnp.broadcast_to(transform, (images.shape[0], transform.shape[-1])))
    if data_format == "channels_first":
        warped = jnp.transpose(warped, (0, 3, 1, 2))
    return warped[0] if single else warped


def affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width):
    """Keras's `_compute_affine_matrix`: `(batch, 8)` transforms rotating by `angle` degrees about
    `(center_x, center_y)` (fractions of the image), then scaling, shearing and translating."""
    to_radians = jnp.asarray(np.pi / 180.0, angle.dtype)
    angle = angle * to_radians
    shear_x = jnp.tan(shear_x * to_radians)
    shear_y = jnp.tan(shear_y * to_radians)
    cx = center_x * (jnp.asarray(width, angle.dtype) - 1)
    cy = center_y * (jnp.asarray(height, angle.dtype) - 1)
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (shear_y * -sin + cos)
    b2 = translate_y + cy - cx * b0 - cy * b1
    zeros = jnp.zeros((angle.shape[0], 2), angle.dtype)
    return jnp.concatenate([a0[:, None], a1[:, None], a2[:, None], b0[:, None], b1[:, None], b2[:, None], zeros],
                           axis=1)


def channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else -3


def rgb_to_grayscale(images, data_format: str = "channels_last"):
    """Luma `0.2989 R + 0.5870 G + 0.1140 B` (tf.image's weights) as one channel, in the input's dtype;
    one-channel images are returned as they are."""
    _check_rank(images)
    axis = channel_axis(data_format)
    if images.shape[axis] not in (1, 3):
        raise ValueError(f"Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received input with shape: "
                         f"images.shape={tuple(images.shape)}")
    if images.shape[axis] == 1:
        return images
    dtype = images.dtype
    compute = images.astype(jnp.result_type(dtype, jnp.float32) if not jnp.issubdtype(dtype, jnp.floating)
                            else dtype)
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], compute.dtype)
    gray = jnp.tensordot(compute, weights, axes=(axis % compute.ndim, 0))
    return jnp.expand_dims(gray, axis).astype(dtype)


@functools.partial(jax.jit, static_argnames=("data_format",))
def rgb_to_hsv(images, data_format: str = "channels_last"):
    """RGB in [0, 1] to HSV in [0, 1] (dm_pix's formulas, as Keras). Float images only."""
    axis = channel_axis(data_format)
    eps = jnp.finfo(images.dtype).eps
    images = jnp.where(jnp.abs(images) < eps, 0.0, images)
    red, green, blue = (jnp.take(images, i, axis=axis) for i in range(3))
    value = jnp.maximum(jnp.maximum(red, green), blue)
    span = value - jnp.minimum(jnp.minimum(red, green), blue)
    saturation = jnp.where(value > 0, span / jnp.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * jnp.where(span > 0, span, 1.0))
    hue = jnp.where(value == green, norm * (blue - red) + 2.0 / 6.0, norm * (red - green) + 4.0 / 6.0)
    hue = jnp.where(value == red, norm * (green - blue), hue)
    hue = jnp.where(span > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)
    return jnp.stack([hue, saturation, value], axis=axis)


@functools.partial(jax.jit, static_argnames=("data_format",))
def hsv_to_rgb(images, data_format: str = "channels_last"):
    """HSV in [0, 1] back to RGB in [0, 1] (dm_pix's formulas, as Keras). Float images only."""
    axis = channel_axis(data_format)
    hue, saturation, value = (jnp.take(images, i, axis=axis) for i in range(3))
    dh = jnp.mod(hue, 1.0) * 6.0
    dr = jnp.clip(jnp.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = jnp.clip(2.0 - jnp.abs(dh - 2.0), 0.0, 1.0)
    db = jnp.clip(2.0 - jnp.abs(dh - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    return jnp.stack([value * (grey + saturation * d) for d in (dr, dg, db)], axis=axis)


def transform_value_range(images, original_range: Any, target_range: Any, dtype: Any = "float32"):
    """Maps values linearly from `original_range` to `target_range` (Keras's `_transform_value_range`)."""
    if original_range[0] == target_range[0] and original_range[1] == target_range[1]:
        return images
    images = images.astype(dtype)
    low, high = (jnp.asarray(v, dtype) for v in original_range)
    target_low, target_high = (jnp.asarray(v, dtype) for v in target_range)
    return (images - low) / (high - low) * (target_high - target_low) + target_low
