"""Local effects in training: RandomErasing (a random rectangle refilled) and RandomGaussianBlur, with Keras 3's
maths and draws."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.checks as checks
import kerasish.layers.image_preprocessing.image_ops as image_ops
from kerasish import registry
from kerasish.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    RandomDraws,
    batch_size_of,
    images_of,
)


def _unit_range(factor: Any, argument: str) -> tuple[float, float]:
    """Keras's `_set_factor_by_name` with bounds [0, 1]: `f` is `(0, f)`, a pair is sorted."""
    message = (f"The `{argument}` argument should be a number (or a list of two numbers) in the range [0, 1]. "
               f"Received: factor={factor}")
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(number(v) for v in factor) or factor[0] > 1 or factor[1] < 0:
            raise ValueError(message)
        return tuple(sorted(factor))
    if not number(factor) or not 0 <= factor <= 1:
        raise ValueError(message)
    return (max(-abs(factor), 0), abs(factor))


class RandomErasing(RandomDraws, BaseImagePreprocessingLayer):
    """Replaces a random rectangle of each image (with a random probability) by noise or a fill value, in training.

    Args:
      factor: the erasing probability range: `f` in [0, 1] draws each image's probability in `[0, f]`
        (default 1.0).
      scale: the rectangle's area as a fraction of the image, `s` or `(lower, upper)` in [0, 1] (each side is
        `sqrt` of a draw in that range times the image side). Default `(0.02, 0.33)`.
      fill_value: None (default: Gaussian noise times `high`), a number, or 3 numbers (one per channel);
        clipped to `value_range`.
      value_range: the images' value range `(low, high)` (default `(0, 255)`).
      seed: an int for a reproducible stream (Keras's numbers for the same seed).
      data_format: `"channels_last"` (default) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> y = ks.layers.RandomErasing(fill_value=0.0, seed=0)(np.ones((2, 8, 8, 1), np.float32))
      >>> bool(((y == 0) | (y == 1)).all())
      True
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, scale: Any = (0.02, 0.33), fill_value: Any = None,
                 value_range: Any = (0, 255), seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = _unit_range(scale, "scale")
        if fill_value is not None and not (checks.is_int(fill_value) or isinstance(fill_value, float) or (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)):
            raise ValueError(f"The `fill_value` argument should be a number (or a list of three numbers). Received: "
                             f"fill_value={fill_value}")
        self.fill_value = fill_value
        self.value_range = value_range
        self._init_seed(seed)

    def _bounds(self, draw, batch: int, length: int, ratio):
        size = (ratio * length).astype(self.compute_dtype)
        start = self._uniform(draw, (batch,), 0, 1, self.compute_dtype) * (length - size)
        return start, start + size

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        images = images_of(data)
        shape = tuple(images.shape)
        batch = batch_size_of(images)
        h_axis, w_axis = image_ops.spatial_axes(len(shape), self.data_format)
        height, width = shape[h_axis], shape[w_axis]
        draw = self._seed_source(seed)
        mix = jnp.sqrt(self._uniform(draw, (batch, 2), self.scale[0], self.scale[1], self.compute_dtype))
        x0, x1 = self._bounds(draw, batch, width, mix[:, 0])
        y0, y1 = self._bounds(draw, batch, height, mix[:, 1])
        rows, cols = jnp.meshgrid(jnp.arange(height, dtype=self.compute_dtype),
                                  jnp.arange(width, dtype=self.compute_dtype), indexing="ij")
        grid = (lambda g: g[None, :, :, None]) if self.data_format == "channels_last" else (lambda g: g[None, None])
        corner = lambda v: v[:, None, None, None]
        masks = ((grid(cols) >= corner(x0)) & (grid(cols) < corner(x1)) & (grid(rows) >= corner(y0))
                 & (grid(rows) < corner(y1)))
        channel_axis = image_ops.channel_axis(self.data_format)
        masks = jnp.repeat(masks, shape[channel_axis], axis=channel_axis)
        probability = self._uniform(draw, (batch,), self.factor[0], self.factor[1])
        threshold = self._uniform(draw, (batch,), 0.0, 1.0)
        return {"apply_erasing": threshold < probability, "batch_masks": masks,
                "fill_value": self._fill(images, shape, draw)}

    def _fill(self, images, shape, draw):
        if self.fill_value is None:
            fill = self.backend.random.normal(shape, dtype=self.compute_dtype, seed=draw()) * self.value_range[1]
        elif isinstance(self.fill_value, (tuple, list)):
            fill = jnp.full(images.shape, jnp.asarray(self.fill_value, self.compute_dtype), self.compute_dtype)
        else:
            fill = jnp.ones(shape, self.compute_dtype) * self.fill_value
        return jnp.clip(fill, self.value_range[0], self.value_range[1])

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images).astype(self.compute_dtype)
        if training:
            erased = jnp.where(transformation["batch_masks"], transformation["fill_value"], images)
            images = jnp.where(transformation["apply_erasing"][:, None, None, None], erased, images)
        return images.astype(self.compute_dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}


def gaussian_blur(images, kernel_size: tuple[int, int], sigma, data_format: str):
    """Keras's `ops.image.gaussian_blur` on JAX: a separable Gaussian kernel of `kernel_size` and `sigma =
    (sigma_x, sigma_y)`, applied per channel with "SAME" padding."""
    dtype = images.dtype
    sigma = jnp.asarray(sigma, dtype)

    def kernel_1d(size, s):
        x = jnp.arange(size, dtype=dtype) - jnp.asarray((size - 1) / 2, dtype)
        k = jnp.exp(-0.5 * (x / s) ** 2)
        return k / jnp.sum(k)

    single = images.ndim == 3
    if single:
        images = images[None]
    if data_format == "channels_last":
        images = jnp.transpose(images, (0, 3, 1, 2))
    channels = images.shape[1]
    kernel = jnp.outer(kernel_1d(kernel_size[1], sigma[1]), kernel_1d(kernel_size[0], sigma[0]))[None, None]
    kernel = jnp.tile(kernel, (channels, 1, 1, 1))
    blurred = jax.lax.conv_general_dilated(images, kernel, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                           feature_group_count=channels)
    if data_format == "channels_last":
        blurred = jnp.transpose(blurred, (0, 2, 3, 1))
    return blurred[0] if single else blurred


class RandomGaussianBlur(RandomDraws, BaseImagePreprocessingLayer):
    """Blurs images with a Gaussian kernel of random width, each with a random probability, in training.

    Args:
      factor: the blurring probability range: `f` in [0, 1] draws each image's probability in `[0, f]`
        (default 1.0).
      kernel_size: an odd int, or a pair of odd ints `(x, y)` (default 3).
      sigma: the Gaussian's standard deviation range, `s` or `(lower, upper)` in [0, 1] (one draw per axis and
        per call, shared by the batch). Default 1.0.
      value_range: the images' value range (default `(0, 255)`); results are clipped to it.
      data_format: `"channels_last"` (default) or `"channels_first"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomGaussianBlur(seed=0)(np.ones((2, 5, 5, 3), np.float32)).shape
      (2, 5, 5, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, kernel_size: Any = 3, sigma: Any = 1.0, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        sizes = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
        if len(sizes) != 2 or not all(checks.is_int(k) and k > 0 and k % 2 == 1 for k in sizes):
            raise ValueError(f"kernel_size must be an odd number (or a pair of odd numbers). Received: "
                             f"kernel_size={kernel_size}")
        self.kernel_size = tuple(int(k) for k in sizes)
        self.sigma = _unit_range(sigma, "sigma")
        self.value_range = value_range
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        batch = batch_size_of(images_of(data))
        draw = self._seed_source(seed)
        probability = self._uniform(draw, (batch,), self.factor[0], self.factor[1])
        threshold = self._uniform(draw, (batch,), 0.0, 1.0)
        blur = self._uniform(draw, (2,), self.sigma[0], self.sigma[1], self.compute_dtype) + 1e-6
        return {"should_apply_blur": threshold < probability, "blur_factor": blur}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images).astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        blurred = gaussian_blur(images, self.kernel_size, transformation["blur_factor"], self.data_format)
        images = jnp.where(transformation["should_apply_blur"][:, None, None, None], blurred, images)
        return jnp.clip(images, self.value_range[0], self.value_range[1]).astype(self.compute_dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                "value_range": self.value_range, "seed": self.seed}


for _cls in (RandomErasing, RandomGaussianBlur):
    registry.register_builtin("layers", _cls)
