"""Patch and filter ops of `keras.ops.image`: extract_patches(_3d), gaussian_blur, sobel_edges, ssim,
perspective_transform, elastic_transform, scale_and_translate.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish.ops import image
  >>> image.extract_patches(jnp.ones((1, 4, 4, 3)), 2).shape, image.sobel_edges(jnp.ones((1, 4, 4, 3))).shape
  ((1, 2, 2, 12), (1, 4, 4, 3, 2))
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from kerasish import random as _random
from kerasish.backend import result_type, standardize_data_format
from kerasish.ops.dispatch import keras_op, tensor
from kerasish.ops.nn_convolution import conv

_ORDERS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_SCALE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic", "lanczos3", "lanczos5")


def _images(images, op: str, ranks=(3, 4)):
    images = tensor(images)
    if images.ndim not in ranks:
        raise ValueError(f"Argument `images` of {op} must have rank {' or '.join(map(str, ranks))} (an image or a "
                         f"batch of images), received shape {images.shape}.")
    return images


@keras_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of `size` taken every `strides` (`size` when None), flattened into the channel axis
    (`keras.ops.image.extract_patches`).

    Returns:
      For channels_last input `(batch, H, W, C)`: `(batch, out_h, out_w, size_h * size_w * C)`.

    Raises:
      TypeError: for a `size` that is neither an int nor a pair.
    """
    if isinstance(size, int):
        patch_h = patch_w = size
    elif len(size) == 2:
        patch_h, patch_w = size
    else:
        raise TypeError(f"Argument `size` of extract_patches must be an int or (height, width), received {size!r}.")
    data_format = standardize_data_format(data_format)
    images = _images(images, "extract_patches")
    channels = images.shape[-1] if data_format == "channels_last" else images.shape[-3]
    depth = patch_h * patch_w * channels
    kernel = jnp.reshape(jnp.eye(depth, dtype=images.dtype), (patch_h, patch_w, channels, depth))
    single = images.ndim == 3
    patches = conv(images[None] if single else images, kernel, strides=strides or size, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate)
    return patches[0] if single else patches


@keras_op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """`images` blurred with a Gaussian kernel, each channel on its own, with "same" size and zero padding
    (`keras.ops.image.gaussian_blur`).

    Args:
      images: an image or a batch of images.
      kernel_size: `(width, height)` of the kernel, as Keras orders it.
      sigma: the standard deviations `(along x, along y)`.
      data_format: "channels_last" or "channels_first"; `image_data_format()` when None. (Keras 3.15's JAX
        backend reads None as channels_first and blurs the wrong axes; kerasish follows the documented
        default.)
    """
    data_format = standardize_data_format(data_format)
    images = _images(images, "gaussian_blur")
    single = images.ndim == 3
    batch = images[None] if single else images
    if data_format == "channels_first":
        batch = jnp.transpose(batch, (0, 2, 3, 1))
    dtype = batch.dtype

    def gaussian(length, spread):
        x = jnp.arange(length, dtype=dtype) - jnp.asarray((length - 1) / 2, dtype)
        weights = jnp.exp(-0.5 * (x / spread) ** 2)
        return weights / jnp.sum(weights)

    # As Keras: kernel_size and sigma are (x, y), i.e. (width, height).
    kernel = jnp.outer(gaussian(kernel_size[1], sigma[1]), gaussian(kernel_size[0], sigma[0]))
    channels = batch.shape[-1]
    kernel = jnp.tile(kernel[:, :, None, None], (1, 1, 1, channels))
    out = jax.lax.conv_general_dilated(batch, kernel, (1, 1), "SAME", feature_group_count=channels,
                                       dimension_numbers=("NHWC", "HWIO", "NHWC"))
    if data_format == "channels_first":
        out = jnp.transpose(out, (0, 3, 1, 2))
    return out[0] if single else out


@keras_op
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of `size = (depth, height, width)` of volumes, flattened into the channel axis
    (`keras.ops.image.extract_patches_3d`).

    Returns:
      For channels_last input `(batch, D, H, W, C)`: `(batch, out_d, out_h, out_w, d * h * w * C)`.

    Raises:
      TypeError: for a `size` that is neither an int nor a triple.
      ValueError: for `strides` that are not an int or a triple, or volumes of another rank.
    """
    if isinstance(size, int):
        size = (size,) * 3
    elif len(size) != 3:
        raise TypeError(f"Argument `size` of extract_patches_3d must be an int or (depth, height, width), received "
                        f"{size!r}.")
    strides = size if strides is None else (strides,) * 3 if isinstance(strides, int) else tuple(strides)
    if len(strides) != 3:
        raise ValueError(f"Argument `strides` of extract_patches_3d must be an int or 3 ints, received {strides!r}.")
    data_format = standardize_data_format(data_format)
    volumes = _images(volumes, "extract_patches_3d", ranks=(4, 5))
    channels = volumes.shape[-1] if data_format == "channels_last" else volumes.shape[-4]
    depth = size[0] * size[1] * size[2] * channels
    kernel = jnp.reshape(jnp.eye(depth, dtype=volumes.dtype), (*size, channels, depth))
    single = volumes.ndim == 4
    patches = conv(volumes[None] if single else volumes, kernel, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate)
    return patches[0] if single else patches


def _per_channel_filter(images, kernel, data_format: str, padding: str = "SAME"):
    """`images` (a batch) convolved channel by channel with the 2-D `kernel`, in channels_last layout out."""
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    channels = images.shape[-1]
    weights = jnp.tile(kernel[:, :, None, None].astype(images.dtype), (1, 1, 1, channels))
    return jax.lax.conv_general_dilated(images, weights, (1, 1), padding, feature_group_count=channels,
                                        dimension_numbers=("NHWC", "HWIO", "NHWC"))


@keras_op
def sobel_edges(images, data_format=None):
    """The Sobel gradients of each channel, `[dy, dx]` stacked on a new last axis
    (`keras.ops.image.sobel_edges`).

    Returns:
      For channels_last input `(batch, H, W, C)`: `(batch, H, W, C, 2)`; channels_first gives
      `(batch, C, H, W, 2)`.
    """
    data_format = standardize_data_format(data_format)
    images = _images(images, "sobel_edges", ranks=(4,))
    vertical = jnp.asarray([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    edges = [_per_channel_filter(images, k, data_format) for k in (vertical, vertical.T)]
    if data_format == "channels_first":
        edges = [jnp.transpose(e, (0, 3, 1, 2)) for e in edges]
    return jnp.stack(edges, axis=-1)


@keras_op
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """The structural similarity index of two images (or batches), averaged over pixels and channels
    (`keras.ops.image.ssim`): Gaussian-weighted local means, variances and covariance, "valid" windows.

    Returns:
      A scalar for single images, else one value per image; in the input's dtype.

    Raises:
      ValueError: for images of another rank.
    """
    data_format = standardize_data_format(data_format)
    image1, image2 = _images(image1, "ssim"), _images(image2, "ssim")
    original = image1.dtype
    dtype = result_type(image1.dtype, float)
    single = image1.ndim == 3
    a, b = (x.astype(dtype)[None] if single else x.astype(dtype) for x in (image1, image2))
    grid = jnp.arange(filter_size, dtype=dtype) - (filter_size - 1) / 2.0
    weights = jnp.exp(-(grid ** 2) / (2.0 * filter_sigma ** 2))
    weights = weights / jnp.sum(weights)
    kernel = jnp.outer(weights, weights)
    local = lambda x: _per_channel_filter(x, kernel, data_format, "VALID")
    mu1, mu2 = local(a), local(b)
    variance1, variance2 = local(a * a) - mu1 * mu1, local(b * b) - mu2 * mu2
    covariance = local(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    index = ((2.0 * mu1 * mu2 + c1) * (2.0 * covariance + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (variance1 + variance2 + c2))
    result = jnp.mean(index, axis=(1, 2, 3))
    return (result[0] if single else result).astype(original)


@keras_op
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    """`images` resampled to `output_shape` with a scale and a translation on `spatial_dims`
    (`keras.ops.image.scale_and_translate`; JAX's `jax.image.scale_and_translate`).

    Raises:
      ValueError: for an unknown `method`.
    """
    if method not in _SCALE_METHODS:
        raise ValueError(f"Argument `method` of scale_and_translate must be one of {_SCALE_METHODS}, received "
                         f"{method!r}.")
    return jax.image.scale_and_translate(tensor(images), output_shape, spatial_dims, tensor(scale),
                                         tensor(translation), method, antialias)


def _homographies(start_points, end_points):
    """The 8 coefficients mapping output points (`end_points`) to input points (`start_points`)."""
    sx, sy, ex, ey = start_points[..., 0], start_points[..., 1], end_points[..., 0], end_points[..., 1]
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    x_rows = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    system = jnp.concatenate([x_rows, y_rows], axis=1)
    return jnp.linalg.solve(system, jnp.concatenate([sx, sy], axis=-1)[..., None])[..., 0]


@keras_op
def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """`images` warped so that the four `start_points` move to `end_points` (`keras.ops.image.perspective_transform`).

    Args:
      images: an image or a batch of images.
      start_points, end_points: `(4, 2)` or `(batch, 4, 2)` corner coordinates `(x, y)`.
      interpolation: "bilinear" or "nearest".
      fill_value: the value of points that come from outside the image.

    Raises:
      ValueError: for an unknown interpolation, bad point shapes, or images of another rank.
    """
    data_format = standardize_data_format(data_format)
    if interpolation not in _ORDERS:
        raise ValueError(f"Argument `interpolation` of perspective_transform must be one of {sorted(_ORDERS)}, "
                         f"received {interpolation!r}.")
    images = _images(images, "perspective_transform")
    start_points, end_points = tensor(start_points, "float32"), tensor(end_points, "float32")
    for name, points in (("start_points", start_points), ("end_points", end_points)):
        if points.shape[-2:] != (4, 2) or points.ndim not in (2, 3):
            raise ValueError(f"Argument `{name}` of perspective_transform must have shape (4, 2) or (batch, 4, 2), "
                             f"received {points.shape}.")
    if start_points.shape != end_points.shape:
        raise ValueError(f"Arguments `start_points` and `end_points` of perspective_transform must have one shape, "
                         f"received {start_points.shape} and {end_points.shape}.")
    single = images.ndim == 3
    batch = images[None] if single else images
    if data_format == "channels_first":
        batch = jnp.transpose(batch, (0, 2, 3, 1))
    if start_points.ndim == 2:
        start_points, end_points = start_points[None], end_points[None]
    height, width = batch.shape[1:3]
    h = _homographies(start_points, end_points)  # (n, 8)
    x, y = jnp.meshgrid(jnp.arange(width), jnp.arange(height), indexing="xy")
    x, y = x.ravel(), y.ravel()

    def warp(image, t):
        denominator = t[6] * x + t[7] * y + 1.0
        coordinates = [(t[3] * x + t[4] * y + t[5]) / denominator, (t[0] * x + t[1] * y + t[2]) / denominator]
        sample = lambda channel: jax.scipy.ndimage.map_coordinates(
            channel, coordinates, order=_ORDERS[interpolation], mode="constant", cval=fill_value).reshape(height, width)
        return jnp.moveaxis(jax.vmap(sample)(jnp.moveaxis(image, -1, 0)), 0, -1)

    out = jax.vmap(warp)(batch, jnp.broadcast_to(h, (batch.shape[0], 8)))
    if data_format == "channels_first":
        out = jnp.transpose(out, (0, 3, 1, 2))
    return out[0] if single else out


@keras_op
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                      seed=None, data_format=None):
    """`images` warped by a random smooth displacement field (`keras.ops.image.elastic_transform`): Gaussian noise
    of scale `sigma` per pixel and axis, blurred by a Gaussian of `sigma`, times `alpha`.

    `seed` is None, an int or a `kerasish.random.SeedGenerator`, as for the random ops. The x and y
    displacements are drawn independently (Keras 3.15's JAX backend draws them from one key, so they are
    equal and every pixel moves along the diagonal).

    Raises:
      ValueError: for an unknown interpolation or fill mode, or images of another rank.
    """
    data_format = standardize_data_format(data_format)
    if interpolation not in _ORDERS:
        raise ValueError(f"Argument `interpolation` of elastic_transform must be one of {sorted(_ORDERS)}, received "
                         f"{interpolation!r}.")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Argument `fill_mode` of elastic_transform must be one of {_FILL_MODES}, received "
                         f"{fill_mode!r}.")
    images = _images(images, "elastic_transform")
    dtype = images.dtype
    single = images.ndim == 3
    batch = images[None] if single else images
    if data_format == "channels_first":
        batch = jnp.transpose(batch, (0, 2, 3, 1))
    n, height, width, _ = batch.shape
    size = int(6 * sigma) | 1
    grid = jnp.arange(size, dtype="float32") - (size - 1) / 2.0
    weights = jnp.exp(-0.5 * (grid / sigma) ** 2)
    kernel = jnp.outer(weights, weights) / jnp.sum(weights) ** 2
    noise = jax.random.normal(_random.draw_key(seed), (2, n, height, width, 1)) * sigma
    dy, dx = (_per_channel_filter(field, kernel, "channels_last")[..., 0] * alpha for field in noise)
    x, y = jnp.meshgrid(jnp.arange(width), jnp.arange(height))

    def warp(image, sy, sx):
        sample = lambda channel: jax.scipy.ndimage.map_coordinates(
            channel, [y + sy, x + sx], order=_ORDERS[interpolation], mode=fill_mode, cval=fill_value)
        return jnp.moveaxis(jax.vmap(sample)(jnp.moveaxis(image, -1, 0)), 0, -1)

    out = jax.vmap(warp)(batch, dy, dx).astype(dtype)
    if data_format == "channels_first":
        out = jnp.transpose(out, (0, 3, 1, 2))
    return out[0] if single else out
