"""Random colour changes in training: RandomContrast, RandomBrightness, RandomGrayscale, RandomHue,
RandomSaturation, RandomColorDegeneration. In inference they are the identity.

`value_range` says which values the images hold (`(0, 255)` by default, `(0, 1)` for scaled images): the
results are clipped to it, and the hue / saturation changes map it to [0, 1] and back.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

import kerasish.layers.image_preprocessing.image_ops as image_ops
from kerasish import registry
from kerasish.backend import epsilon
from kerasish.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    RandomDraws,
    batch_size_of,
    images_of,
)
from kerasish.shapes import Shape


class RandomContrast(RandomDraws, BaseImagePreprocessingLayer):
    """Scales each image's deviation from its per-channel mean by a random factor, in training:
    `(x - mean) * f + mean`, clipped to `value_range`.

    Args:
      factor: `f` in [0, 1] draws the contrast factor in `[1 - f, 1 + f]`; a pair `(lower, upper)` in
        `[1 - lower, 1 + upper]`.
      value_range: the images' value range (default `(0, 255)`); results are clipped to it.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomContrast(0.5, seed=0)(np.ones((2, 4, 4, 3), np.float32)).shape
      (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        images = images_of(data)
        shape = (batch_size_of(images), 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        if not training:
            return {"contrast_factor": jnp.zeros(shape)}
        draw = self._seed_source(seed)
        factor = self._uniform(draw, shape, 1.0 - self.factor[0], 1.0 + self.factor[1], self.compute_dtype)
        return {"contrast_factor": factor}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        h_axis, w_axis = image_ops.spatial_axes(images.ndim, self.data_format)
        mean = jnp.mean(jnp.mean(images, axis=h_axis, keepdims=True), axis=w_axis, keepdims=True)
        outputs = (images - mean) * transformation["contrast_factor"] + mean
        return jnp.clip(outputs, self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomBrightness(RandomDraws, BaseImagePreprocessingLayer):
    """Adds a random brightness delta to each image, in training: `x + d * (high - low)`, clipped to
    `value_range = (low, high)`.

    Args:
      factor: `f` in [-1, 1] draws `d` in `[-|f|, |f|]`; a pair `(lower, upper)` in that range.
      value_range: the images' value range (default `(0, 255)`).
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> y = ks.layers.RandomBrightness((0.5, 0.5), value_range=(0, 1))(np.zeros((1, 2, 2, 1), np.float32))
      >>> y[0, :, :, 0].tolist()
      [[0.5, 0.5], [0.5, 0.5]]
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(factor=factor, **kwargs)
        self._init_seed(seed)
        self._set_value_range(value_range)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        images = images_of(data)
        shape = (batch_size_of(images), 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        if not training:
            return {"rgb_delta": jnp.zeros(shape)}
        delta = self._uniform(self._seed_source(seed), shape, self.factor[0], self.factor[1])
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        images = images + transformation["rgb_delta"].astype(images.dtype)
        return jnp.clip(images, self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomGrayscale(RandomDraws, BaseImagePreprocessingLayer):
    """Turns each image to grayscale with probability `factor`, in training: an RGB image keeps its 3
    channels, each holding the luma `0.2989 R + 0.5870 G + 0.1140 B`; the dtype is kept, as in Keras.

    Args:
      factor: the probability, in [0, 1] (default 0.5).
      data_format: `"channels_last"` (default) or `"channels_first"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, channels)` or one image, 1 or 3 channels. Output shape: the input shape.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> y = ks.layers.RandomGrayscale(1.0, seed=0)(np.random.rand(2, 4, 4, 3).astype(np.float32))
      >>> bool((y[..., 0] == y[..., 2]).all())
      True
    """

    _USE_BASE_FACTOR = False

    def __init__(self, factor: float = 0.5, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 <= factor <= 1:
            raise ValueError(f"`factor` of RandomGrayscale should be between 0 and 1. Received: factor={factor}")
        self.factor = factor
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        images = images_of(data)
        values = self._uniform(self._seed_source(seed), (batch_size_of(images),), 0, 1)
        return (values < self.factor)[:, None, None, None]

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        gray = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        return jnp.where(transformation, gray, images)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


class RandomHue(RandomDraws, BaseImagePreprocessingLayer):
    """Shifts each image's hue by a random amount, in training (in HSV space, wrapping around).

    Args:
      factor: `f` in [0, 1] draws a shift of up to `f / 2` of the colour circle, in either direction; a pair
        `(lower, upper)` in [0, 1] bounds its size.
      value_range: the images' value range (default `(0, 255)`).
      data_format: `"channels_last"` (default) or `"channels_first"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, 3)` or one RGB image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomHue(0.5, value_range=(0, 1), seed=0)(np.random.rand(2, 4, 4, 3)).shape
      (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        batch = batch_size_of(images_of(data))
        draw = self._seed_source(seed)
        invert = self._uniform(draw, (batch,), 0.0, 1.0)
        invert = jnp.where(invert > 0.5, -jnp.ones_like(invert), jnp.ones_like(invert))
        factor = self._uniform(draw, (batch,), self.factor[0], self.factor[1])
        return {"factor": invert * factor * 0.5}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        images = image_ops.transform_value_range(images.astype(self.compute_dtype), self.value_range, (0, 1))
        shift = transformation["factor"].astype(images.dtype)[:, None, None]
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        axis = image_ops.channel_axis(self.data_format)
        hue = jnp.take(hsv, 0, axis=axis) + shift
        hue = jnp.where(hue > 1.0, hue - 1.0, hue)
        hue = jnp.where(hue < 0.0, hue + 1.0, hue)
        hsv = jnp.stack([hue, jnp.take(hsv, 1, axis=axis), jnp.take(hsv, 2, axis=axis)], axis=axis)
        images = jnp.clip(image_ops.hsv_to_rgb(hsv, data_format=self.data_format), 0, 1)
        return image_ops.transform_value_range(images, (0, 1), self.value_range).astype(self.compute_dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomSaturation(RandomDraws, BaseImagePreprocessingLayer):
    """Scales each image's saturation by a random factor, in training (in HSV space).

    A draw `u` in the factor range becomes the multiplier `u / (1 - u + epsilon)`: 0.5 keeps the image,
    0 makes it grayscale, 1 saturates it fully (as in Keras).

    Args:
      factor: `f` in [-1, 1] draws `u` in `[-|f|, |f|]` (Keras's bounds; a negative `u` gives grayscale); a
        pair `(lower, upper)` bounds `u`.
      value_range: the images' value range (default `(0, 255)`).
      data_format: `"channels_last"` (default) or `"channels_first"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, 3)` or one RGB image, values in [0, 1]. Output shape: the input shape.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomSaturation(0.5, seed=0)(np.random.rand(2, 4, 4, 3).astype(np.float32)).shape
      (2, 4, 4, 3)
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        batch = batch_size_of(images_of(data))
        u = self._uniform(self._seed_source(seed), (batch,), self.factor[0], self.factor[1])
        return {"factor": u / (1 - u + epsilon())}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        factor = transformation["factor"].astype(self.compute_dtype)
        factor = factor.reshape(factor.shape + (1, 1))
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        axis = image_ops.channel_axis(self.data_format)
        saturation = jnp.clip(jnp.take(hsv, 1, axis=axis) * factor, self.value_range[0], self.value_range[1])
        hsv = jnp.stack([jnp.take(hsv, 0, axis=axis), saturation, jnp.take(hsv, 2, axis=axis)], axis=axis)
        return image_ops.hsv_to_rgb(hsv, data_format=self.data_format)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomColorDegeneration(RandomDraws, BaseImagePreprocessingLayer):
    """Blends each image with its grayscale version by a random amount, in training:
    `x + f * (gray - x)`, clipped to `value_range`.

    Args:
      factor: `f` in [-1, 1] draws the blend in `[-|f|, |f|]` (Keras's bounds: a negative blend moves away from
        gray); a pair `(lower, upper)` in [-1, 1].
      value_range: the images' value range (default `(0, 255)`).
      data_format: `"channels_last"` (default) or `"channels_first"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).

    Input shape: `(batch, height, width, 3)` or one RGB image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomColorDegeneration(0.5, seed=0)(np.ones((2, 4, 4, 3), np.float32)).shape
      (2, 4, 4, 3)
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        batch = batch_size_of(images_of(data))
        factor = self._uniform(self._seed_source(seed), (batch, 1, 1, 1), self.factor[0], self.factor[1])
        return {"factor": factor}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        images = images.astype(self.compute_dtype)
        factor = transformation["factor"].astype(self.compute_dtype)
        gray = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        images = images + factor * (gray - images)
        return jnp.clip(images, self.value_range[0], self.value_range[1]).astype(self.compute_dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        return segmentation_masks

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        channels = input_shape[image_ops.channel_axis(self.data_format)]
        if channels is not None and channels != 3:
            raise ValueError(f"Input images of layer '{self.name}' must have 3 channels, but received images with "
                             f"{channels} channels.")
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


for _cls in (RandomContrast, RandomBrightness, RandomGrayscale, RandomHue, RandomSaturation, RandomColorDegeneration):
    registry.register_builtin("layers", _cls)
