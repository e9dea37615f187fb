"""`keras.ops.image`: resizing, affine warps, cropping and padding, color conversions; with the patch and
filter ops of `image_filters` (patches, Gaussian blur, Sobel edges, SSIM, perspective and elastic warps).

Images are `(height, width, channels)` or batches `(batch, height, width, channels)` for
`data_format="channels_last"` (the default, `kerasish.backend.image_data_format()`), channels first
otherwise.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> ops.image.resize(jnp.ones((2, 4, 4, 3)), (8, 6)).shape
  (2, 8, 6, 3)
  >>> ops.image.crop_images(jnp.ones((5, 5, 1)), top_cropping=1, left_cropping=1, target_height=2,
  ...                       target_width=3).shape
  (2, 3, 1)
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from kerasish.backend import is_float_dtype, result_type, standardize_data_format, standardize_dtype
from kerasish.ops.dispatch import keras_op, tensor
from kerasish.ops.image_filters import (  # noqa: F401 (re-exported: the namespace gathers both modules)
    elastic_transform,
    extract_patches,
    extract_patches_3d,
    gaussian_blur,
    perspective_transform,
    scale_and_translate,
    sobel_edges,
    ssim,
)

_RESIZE = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
_ORDERS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _images(images, op: str):
    images = tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"Argument `images` of {op} must be an image (rank 3) or a batch of images (rank 4), received "
                         f"shape {images.shape}.")
    return images


def _height_width(images, data_format: str) -> tuple[int, int]:
    return images.shape[-3:-1] if data_format == "channels_last" else images.shape[-2:]


def _with_spatial(images, data_format: str, height: int, width: int, fill):
    """An array like `images` with spatial size `(height, width)`, filled with `fill`."""
    shape = list(images.shape)
    first = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    shape[first], shape[first + 1] = height, width
    return jnp.full(shape, fill, images.dtype)


@keras_op
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """`images` resized to `size = (height, width)` (`keras.ops.image.resize`).

    Args:
      images: an image or a batch of images.
      size: `(height, width)`.
      interpolation: "bilinear" (default), "nearest", "bicubic", "lanczos3" or "lanczos5".
      antialias: filter when downsampling.
      crop_to_aspect_ratio: first crop the largest centered region with the target aspect ratio.
      pad_to_aspect_ratio: first pad (with `fill_value`) to the target aspect ratio, centered.
      fill_mode: "constant" (the only mode, as in Keras).
      fill_value: the padding value.
      data_format: "channels_last" or "channels_first".

    Raises:
      ValueError: for an unknown interpolation or fill mode, both aspect-ratio options, a `size` that is not
        a pair, or images of another rank.
    """
    data_format = standardize_data_format(data_format)
    if interpolation not in _RESIZE:
        raise ValueError(f"Argument `interpolation` of resize must be one of {_RESIZE}, received {interpolation!r}.")
    if fill_mode != "constant":
        raise ValueError(f"Argument `fill_mode` of resize must be 'constant', received {fill_mode!r}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` of resize can be True.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` of resize must be (height, width), received {size!r}.")
    images = _images(images, "resize")
    target_h, target_w = (int(s) for s in size)
    height, width = _height_width(images, data_format)
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
        crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
        top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
        images = jax.lax.slice_in_dim(images, top, top + crop_h, axis=h_axis)
        images = jax.lax.slice_in_dim(images, left, left + crop_w, axis=h_axis + 1)
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(float(width * target_h) / target_w))
        pad_w = max(width, int(float(height * target_w) / target_h))
        top, left = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
        if top > 0:
            band = _with_spatial(images, data_format, top, width, fill_value)
            images = jnp.concatenate([band, images, band], axis=h_axis)
        elif left > 0:
            band = _with_spatial(images, data_format, height, left, fill_value)
            images = jnp.concatenate([band, images, band], axis=h_axis + 1)
    shape = list(images.shape)
    shape[h_axis], shape[h_axis + 1] = target_h, target_w
    return jax.image.resize(images, tuple(shape), method=interpolation, antialias=antialias)


@keras_op
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """`images` warped by projective-free affine transforms (`keras.ops.image.affine_transform`).

    Each transform `[a0, a1, a2, b0, b1, b2, c0, c1]` maps an output point `(x, y)` to the input point
    `(a0 x + a1 y + a2, b0 x + b1 y + b2)` (Keras's and TensorFlow's convention; `c0, c1` must be 0).

    Args:
      images: an image or a batch of images.
      transform: 8 numbers, or one row of 8 per image.
      interpolation: "bilinear" or "nearest".
      fill_mode: "constant", "nearest", "wrap", "mirror" or "reflect" (how points outside are read).
      fill_value: the value outside for "constant".

    Raises:
      ValueError: for an unknown interpolation or fill mode, or bad ranks.
    """
    data_format = standardize_data_format(data_format)
    if interpolation not in _ORDERS:
        raise ValueError(f"Argument `interpolation` of affine_transform must be one of {sorted(_ORDERS)}, received "
                         f"{interpolation!r}.")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Argument `fill_mode` of affine_transform must be one of {_FILL_MODES}, received "
                         f"{fill_mode!r}.")
    images, transform = _images(images, "affine_transform"), tensor(transform)
    if transform.ndim not in (1, 2):
        raise ValueError(f"Argument `transform` of affine_transform must have shape (8,) or (batch, 8), received "
                         f"{transform.shape}.")
    single = images.ndim == 3
    if single:
        images = images[None]
    if transform.ndim == 1:
        transform = transform[None]
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    height, width = images.shape[1:3]
    rows, cols = jnp.meshgrid(jnp.arange(height), jnp.arange(width), indexing="ij")
    a0, a1, a2, b0, b1, b2 = (transform[:, i, None, None] for i in range(6))
    source_x = a0 * cols + a1 * rows + a2  # (batch, height, width)
    source_y = b0 * cols + b1 * rows + b2

    def warp(image, sy, sx):
        channel = jnp.broadcast_to(jnp.arange(image.shape[-1]), sy.shape + (image.shape[-1],))
        coordinates = [jnp.broadcast_to(sy[..., None], channel.shape), jnp.broadcast_to(sx[..., None], channel.shape),
                       channel]
        return jax.scipy.ndimage.map_coordinates(image, coordinates, order=_ORDERS[interpolation], mode=fill_mode,
                                                 cval=fill_value)

    out = jax.vmap(warp)(images, jnp.broadcast_to(source_y, (images.shape[0], height, width)),
                         jnp.broadcast_to(source_x, (images.shape[0], height, width)))
    if data_format == "channels_first":
        out = jnp.transpose(out, (0, 3, 1, 2))
    return out[0] if single else out


@keras_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """`inputs` sampled at `coordinates` by spline interpolation of `order` 0 or 1
    (`keras.ops.image.map_coordinates`; SciPy's `ndimage.map_coordinates`).

    Args:
      inputs: a tensor of rank N.
      coordinates: a tensor of shape `(N, ...)`: one coordinate array per axis of `inputs`.
      order: 0 (nearest) or 1 (linear).
      fill_mode: "constant", "nearest", "wrap", "mirror" or "reflect".
      fill_value: the value outside for "constant".

    Raises:
      ValueError: for coordinates that do not match the rank, an order other than 0 / 1, or an unknown
        fill mode.
    """
    inputs, coordinates = tensor(inputs), tensor(coordinates)
    if coordinates.ndim < 2 or coordinates.shape[0] != inputs.ndim:
        raise ValueError(f"Argument `coordinates` of map_coordinates must have shape (rank of inputs = {inputs.ndim}, "
                         f"...), received {coordinates.shape}.")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Argument `fill_mode` of map_coordinates must be one of {_FILL_MODES}, received "
                         f"{fill_mode!r}.")
    if order not in (0, 1):
        raise ValueError(f"Argument `order` of map_coordinates must be 0 or 1, received {order!r}.")
    return jax.scipy.ndimage.map_coordinates(inputs, list(coordinates), order, fill_mode, fill_value)


def _check_sides(a, b, target, names: tuple[str, str, str], op: str) -> None:
    if [a, b, target].count(None) != 1:
        raise ValueError(f"{op} needs exactly two of {', '.join(names)}, received {names[0]}={a}, {names[1]}={b}, "
                         f"{names[2]}={target}.")
    for name, value in zip(names, (a, b, target)):
        if value is not None and value < 0:
            raise ValueError(f"Argument `{name}` of {op} must be >= 0, received {value}.")


@keras_op
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """`images` padded with zeros on each side (`keras.ops.image.pad_images`): give exactly two of top, bottom and
    target height, and two of left, right and target width.

    Raises:
      ValueError: when not exactly two per axis are given, or a padding is negative.

    Example:
      >>> import jax.numpy as jnp
      >>> pad_images(jnp.ones((2, 2, 1)), top_padding=1, bottom_padding=0, left_padding=1, target_width=4).shape
      (3, 4, 1)
    """
    data_format = standardize_data_format(data_format)
    images = _images(images, "pad_images")
    _check_sides(top_padding, bottom_padding, target_height, ("top_padding", "bottom_padding", "target_height"),
                 "pad_images")
    _check_sides(left_padding, right_padding, target_width, ("left_padding", "right_padding", "target_width"),
                 "pad_images")
    height, width = _height_width(images, data_format)
    top = target_height - bottom_padding - height if top_padding is None else top_padding
    bottom = target_height - top - height if bottom_padding is None else bottom_padding
    left = target_width - right_padding - width if left_padding is None else left_padding
    right = target_width - left - width if right_padding is None else right_padding
    for name, value in (("top_padding", top), ("bottom_padding", bottom), ("left_padding", left),
                        ("right_padding", right)):
        if value < 0:
            raise ValueError(f"pad_images infers {name}={value} from the target size and image size ({height}, "
                             f"{width}); the target must not be smaller than the image.")
    widths = [(top, bottom), (left, right)]
    widths = widths + [(0, 0)] if data_format == "channels_last" else [(0, 0)] + widths
    if images.ndim == 4:
        widths = [(0, 0)] + widths
    return jnp.pad(images, widths)


@keras_op
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """A crop of `images` (`keras.ops.image.crop_images`): give exactly two of top, bottom and target height, and
    two of left, right and target width.

    Raises:
      ValueError: when not exactly two per axis are given, or a size is negative.
    """
    data_format = standardize_data_format(data_format)
    images = _images(images, "crop_images")
    _check_sides(top_cropping, bottom_cropping, target_height, ("top_cropping", "bottom_cropping", "target_height"),
                 "crop_images")
    _check_sides(left_cropping, right_cropping, target_width, ("left_cropping", "right_cropping", "target_width"),
                 "crop_images")
    height, width = _height_width(images, data_format)
    top = height - target_height - bottom_cropping if top_cropping is None else top_cropping
    target_height = height - bottom_cropping - top if target_height is None else target_height
    left = width - target_width - right_cropping if left_cropping is None else left_cropping
    target_width = width - right_cropping - left if target_width is None else target_width
    for name, value in (("top_cropping", top), ("target_height", target_height), ("left_cropping", left),
                        ("target_width", target_width)):
        if value < 0:
            raise ValueError(f"crop_images infers {name}={value} from the image size ({height}, {width}); the crop "
                             f"does not fit in the image.")
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    images = jax.lax.slice_in_dim(images, top, top + target_height, axis=h_axis)
    return jax.lax.slice_in_dim(images, left, left + target_width, axis=h_axis + 1)


def _channels_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else -3


@keras_op
def rgb_to_grayscale(images, data_format=None):
    """RGB images as one-channel luminance `0.2989 R + 0.5870 G + 0.1140 B`, in the input's dtype
    (`keras.ops.image.rgb_to_grayscale`); one-channel images are returned as they are.

    Raises:
      ValueError: for images of another rank, or with other than 1 or 3 channels.
    """
    data_format = standardize_data_format(data_format)
    images = _images(images, "rgb_to_grayscale")
    axis = _channels_axis(data_format)
    if images.shape[axis] not in (1, 3):
        raise ValueError(f"Argument `images` of rgb_to_grayscale must have 3 (RGB) or 1 channels, received shape "
                         f"{images.shape}.")
    if images.shape[axis] == 1:
        return images
    original = images.dtype
    images = images.astype(result_type(images.dtype, float))
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], images.dtype)
    return jnp.expand_dims(jnp.tensordot(images, weights, axes=(axis, -1)), axis).astype(original)


def _float_images(images, op: str, data_format):
    data_format = standardize_data_format(data_format)
    images = _images(images, op)
    if not is_float_dtype(images.dtype):
        raise ValueError(f"Argument `images` of {op} must have a float dtype, received "
                         f"{standardize_dtype(images.dtype)}.")
    return images, _channels_axis(data_format)


@keras_op
def rgb_to_hsv(images, data_format=None):
    """RGB images (floats in [0, 1]) as hue, saturation, value, each in [0, 1] (`keras.ops.image.rgb_to_hsv`).

    Raises:
      ValueError: for images of another rank or an integer dtype.
    """
    images, axis = _float_images(images, "rgb_to_hsv", data_format)
    images = jnp.where(jnp.abs(images) < jnp.finfo(images.dtype).eps, 0.0, images)
    red, green, blue = (jnp.squeeze(p, axis) for p in jnp.split(images, 3, axis))
    value = jnp.maximum(jnp.maximum(red, green), blue)
    spread = value - jnp.minimum(jnp.minimum(red, green), blue)
    saturation = jnp.where(value > 0, spread / jnp.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * jnp.where(spread > 0, spread, 1.0))
    hue = jnp.where(value == green, norm * (blue - red) + 2.0 / 6.0, norm * (red - green) + 4.0 / 6.0)
    hue = jnp.where(value == red, norm * (green - blue), hue)
    hue = jnp.where(spread > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)
    return jnp.stack((hue, saturation, value), axis=axis)


@keras_op
def hsv_to_rgb(images, data_format=None):
    """HSV images (each channel in [0, 1]) as RGB (`keras.ops.image.hsv_to_rgb`).

    Raises:
      ValueError: for images of another rank or an integer dtype.
    """
    images, axis = _float_images(images, "hsv_to_rgb", data_format)
    hue, saturation, value = (jnp.squeeze(p, axis) for p in jnp.split(images, 3, axis))
    sector = jnp.mod(hue, 1.0) * 6.0
    red = jnp.clip(jnp.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = jnp.clip(2.0 - jnp.abs(sector - 2.0), 0.0, 1.0)
    blue = jnp.clip(2.0 - jnp.abs(sector - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    return jnp.stack([value * (grey + saturation * c) for c in (red, green, blue)], axis=axis)


__all__ = sorted(["elastic_transform", "extract_patches", "extract_patches_3d", "gaussian_blur",
                  "perspective_transform", "scale_and_translate", "sobel_edges", "ssim"] + [
    name for name, value in list(globals().items()) if callable(value) and hasattr(value, "elementwise")
    and getattr(value, "__module__", "") == __name__])
