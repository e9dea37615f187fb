"""Tone changes: RandomInvert, RandomPosterization, Solarization, RandomSharpness (random, in training) and
AutoContrast (always applied), with Keras 3's maths and draws."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.image_preprocessing.image_ops as image_ops
from kerasish import registry
from kerasish.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    RandomDraws,
    batch_size_of,
    images_of,
)


class RandomInvert(RandomDraws, BaseImagePreprocessingLayer):
    """Inverts each image (`high - x` for `value_range = (low, high)`) with a random probability, in training.

    Args:
      factor: the probability range: `f` in [0, 1] draws each image's probability in `[0, f]`, and the image is
        inverted when a second uniform draw falls below it (default 1.0).
      value_range: the images' value range (default `(0, 255)`).
      seed: an int for a reproducible stream (Keras's numbers for the same seed).
      data_format: `"channels_last"` (default) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomInvert(seed=0)(np.zeros((2, 3, 3, 1), np.float32)).shape
      (2, 3, 3, 1)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        batch = batch_size_of(images_of(data))
        draw = self._seed_source(seed)
        probability = self._uniform(draw, (batch,), self.factor[0], self.factor[1])
        threshold = self._uniform(draw, (batch,), 0, 1)
        return {"apply_inversion": threshold < probability}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        images = images.astype(self.compute_dtype)
        return jnp.where(transformation["apply_inversion"][:, None, None, None], self.value_range[1] - images, images)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomPosterization(RandomDraws, BaseImagePreprocessingLayer):
    """Keeps only the top bits of each 8-bit colour value (a random number of bits per image), in training.

    Args:
      factor: the bits kept, in [1, 8]: `f` draws an integer in `[1, f)` per image (as Keras's `randint`), a
        pair `(lower, upper)` in `[lower, upper)`; equal bounds keep that many bits.
      value_range: the images' value range (default `(0, 255)`), mapped to [0, 255] for the bit operations.
      data_format: `"channels_last"` (default) or `"channels_first"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomPosterization((1, 1))(np.array([[[[200.0]]]], np.float32)).tolist()
      [[[[128.0]]]]
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (1, 8)
    _MAX_FACTOR = 8

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        batch = batch_size_of(images_of(data))
        draw = self._seed_source(seed)
        if self.factor[0] != self.factor[1]:
            bits = self.backend.random.randint((batch,), self.factor[0], self.factor[1], jnp.uint8, seed=draw())
        else:
            bits = jnp.ones((batch,), jnp.uint8) * self.factor[0]
        return {"shift_factor": self._MAX_FACTOR - bits}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        shift = transformation["shift_factor"]
        shift = shift.reshape(shift.shape + (1, 1, 1))
        images = image_ops.transform_value_range(images, self.value_range, (0, 255), self.compute_dtype)
        images = images.astype(jnp.uint8)
        images = jnp.left_shift(jnp.right_shift(images, shift), shift).astype(self.compute_dtype)
        return image_ops.transform_value_range(images, (0, 255), self.value_range, self.compute_dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


def _unit_pair(factor: Any, argument: str) -> tuple[float, float]:
    message = (f"The `addition_factor` and `threshold_factor` arguments should be a number (or a list of two numbers) "
               f"in the range [0, 1]. Received: {argument}={factor}")
    in_range = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(in_range(v) for v in factor):
            raise ValueError(message)
        return tuple(sorted(factor))
    if not in_range(factor):
        raise ValueError(message)
    return (0, factor)


class Solarization(RandomDraws, BaseImagePreprocessingLayer):
    """Adds a random amount to each image, then inverts the values above a random threshold, in training
    (on the [0, 255] scale: `x + a`, clipped, then `255 - x` where `x >= t`).

    Args:
      addition_factor: `f` in [0, 1] draws the addition in `[0, f * 255]` (a pair `(lower, upper)`:
        `[lower, upper * 255]`, as Keras scales only the upper bound). Default 0.
      threshold_factor: likewise for the threshold. Default 0 (every value is inverted).
      value_range: the images' value range (default `(0, 255)`).
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.Solarization()(np.array([[[[55.0]]]], np.float32)).tolist()
      [[[[200.0]]]]
    """

    _USE_BASE_FACTOR = False

    def __init__(self, addition_factor: Any = 0.0, threshold_factor: Any = 0.0, value_range: Any = (0, 255),
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_seed(seed)
        self.addition_factor = _unit_pair(addition_factor, "addition_factor")
        self.threshold_factor = _unit_pair(threshold_factor, "threshold_factor")
        self._set_value_range(value_range)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        images = images_of(data)
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        draw = self._seed_source(seed)
        dtype = self.compute_dtype
        additions = self._uniform(draw, shape, self.addition_factor[0], self.addition_factor[1] * 255, dtype)
        thresholds = self._uniform(draw, shape, self.threshold_factor[0], self.threshold_factor[1] * 255, dtype)
        return {"additions": additions, "thresholds": thresholds}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images).astype(self.compute_dtype)
        if not training or transformation is None:
            return images
        scaled = image_ops.transform_value_range(images, self.value_range, (0, 255), self.compute_dtype)
        results = jnp.clip(scaled + transformation["additions"], 0, 255)
        results = jnp.where(results < transformation["thresholds"], results, 255 - results)
        results = image_ops.transform_value_range(results, (0, 255), self.value_range, self.compute_dtype)
        return image_ops.cast_like_input(results, images.dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range, "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}


class AutoContrast(BaseImagePreprocessingLayer):
    """Stretches each channel of each image to the full value range (its minimum to `low`, its maximum to `high`),
    in training and inference alike; a constant channel is left as it is.

    Args:
      value_range: the images' value range `(low, high)` (default `(0, 255)`).

    Input shape: `(batch, height, width, channels)` or one image (channels last). Output shape: the input shape.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.AutoContrast()(np.array([[[[50.0], [100.0]]]], np.float32)).tolist()
      [[[[0.0], [255.0]]]]
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range: Any = (0, 255), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_value_range(value_range)

    def transform_images(self, images, transformation=None, training: bool = True):
        original = jnp.asarray(images)
        images = image_ops.transform_value_range(original, self.value_range, (0, 255), self.compute_dtype)
        images = images.astype(self.compute_dtype)
        low = jnp.min(images, axis=(1, 2), keepdims=True)
        high = jnp.max(images, axis=(1, 2), keepdims=True)
        scale = 255.0 / (high - low)
        results = jnp.clip(images * scale + (-low * scale), 0.0, 255.0)
        results = image_ops.transform_value_range(results, (0, 255), self.value_range, self.compute_dtype)
        results = jnp.where(jnp.isnan(results), original, results)
        return image_ops.cast_like_input(results, images.dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation=None, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range}


class RandomSharpness(RandomDraws, BaseImagePreprocessingLayer):
    """Sharpens or blurs each image by a random amount, in training: a blend of the image and its 3x3 smoothing
    (`x + (1 - 2 f) (smooth(x) - x)`, clipped to `value_range`; `f` above 1/2 sharpens).

    Args:
      factor: `f` in [0, 1] draws each image's amount in `[0, f]`; a pair `(lower, upper)` in [0, 1].
      value_range: the images' value range (default `(0, 255)`).
      data_format: `"channels_last"` (default) or `"channels_first"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomSharpness(0.5, seed=0)(np.ones((2, 4, 4, 3), np.float32)).shape
      (2, 4, 4, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        batch = batch_size_of(images_of(data))
        return {"factor": self._uniform(self._seed_source(seed), (batch,), self.factor[0], self.factor[1])}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images).astype(self.compute_dtype)
        if not training:
            return images
        if self.data_format == "channels_first":
            images = jnp.swapaxes(images, -3, -1)
        amount = (transformation["factor"] * 2).astype(self.compute_dtype).reshape(-1, 1, 1, 1)
        channels = images.shape[-1]
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = jnp.asarray([[a, a, a], [a, b, a], [a, a, a]], self.compute_dtype).reshape(3, 3, 1, 1)
        kernel = jnp.tile(kernel, (1, 1, 1, channels))  # HWIO with one input per group: depthwise
        smoothed = jax.lax.conv_general_dilated(images, kernel, (1, 1), "SAME",
                                                dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                                feature_group_count=channels).astype(self.compute_dtype)
        images = jnp.clip(images + (1.0 - amount) * (smoothed - images), self.value_range[0], self.value_range[1])
        if self.data_format == "channels_first":
            images = jnp.swapaxes(images, -3, -1)
        return images

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


for _cls in (RandomInvert, RandomPosterization, Solarization, AutoContrast, RandomSharpness):
    registry.register_builtin("layers", _cls)
