"""Random affine warps in training: RandomRotation, RandomZoom, RandomTranslation, RandomShear.

Each draws per-image parameters, builds Keras's `(batch, 8)` transform and resamples with
`image_ops.affine_transform` (`interpolation`, and `fill_mode` / `fill_value` for the points that come from
outside the image). In inference they are the identity.
"""

from __future__ import annotations

from typing import Any

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

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")
ZOOM_SUBJECT = "The `height_factor` and `width_factor` arguments"


def _factor_pair(factor: Any, argument: str, layer: str, low: float, high: float, open_low: bool = False,
                 symmetric: bool = True, subject: str = "The `factor` argument") -> tuple[float, float]:
    """Keras's factor rule: a number `f` is the range `[-f, f]` (`[0, f]` when not `symmetric`), a pair is
    sorted; every number must lie in `[low, high]` (`(low, high]` with `open_low`). `subject` starts the
    message as Keras's does for the layer."""
    bound = f"{'(' if open_low else '['}{low}, {high}]"
    message = (f"{subject} should be a number (or a list of two numbers) in the range {bound}. Received: "
               f"{argument}={factor} (layer {layer})")

    def in_range(v: Any) -> bool:
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        return number and v <= high and (v > low if open_low else v >= low)

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(in_range(v) for v in factor):
            raise ValueError(message)
        lower, upper = sorted(factor)
        return float(lower), float(upper)
    if not in_range(factor):
        raise ValueError(message)
    factor = abs(factor)
    return (-float(factor) if symmetric else 0.0), float(factor)


class _AffineLayer(RandomDraws, BaseImagePreprocessingLayer):
    """Shared arguments and resampling of the affine layers."""

    _USE_BASE_FACTOR = False

    def _init_warp(self, fill_mode: str, interpolation: str, fill_value: Any, seed: Any) -> None:
        cls = type(self).__name__
        self.fill_mode = checks.choice(fill_mode, FILL_MODES, "fill_mode", cls)
        self.interpolation = checks.choice(interpolation, INTERPOLATIONS, "interpolation", cls)
        self.fill_value = checks.number(fill_value, "fill_value", cls)
        self._init_seed(seed)

    def _matrix(self, transformation, images):
        raise NotImplementedError

    def _transform_images(self, images, transformation, interpolation):
        if transformation is None:
            return images
        return image_ops.affine_transform(images, self._matrix(transformation, images), interpolation=interpolation,
                                          fill_mode=self.fill_mode, fill_value=self.fill_value,
                                          data_format=self.data_format)

    def _warp_config(self) -> dict[str, Any]:
        return {"fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value}


class RandomRotation(_AffineLayer):
    """Rotates each image by a random angle about its centre, in training.

    Args:
      factor: a fraction of a full turn: `f` draws angles in `[-f * 360, f * 360]` degrees, a pair
        `(lower, upper)` in `[lower * 360, upper * 360]` (positive: counter-clockwise).
      fill_mode: `"reflect"` (default), `"wrap"`, `"constant"` or `"nearest"`: how the corners that come
        from outside the image are filled.
      interpolation: `"bilinear"` (default) or `"nearest"`.
      seed: an int for a reproducible stream (Keras's numbers for the same seed).
      fill_value: the value outside the image when `fill_mode="constant"`.
      data_format: `"channels_last"` (default) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> layer = ks.layers.RandomRotation(0.1, seed=0)
      >>> layer(np.ones((2, 8, 8, 3), np.float32)).shape, layer.factor
      ((2, 8, 8, 3), (-0.1, 0.1))
    """

    _USE_BASE_FACTOR = True

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self._init_warp(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        images = images_of(data)
        batch = batch_size_of(images)
        height, width = self._height_width(images.shape if images.ndim == 4 else (1,) + tuple(images.shape))
        angle = self._uniform(self._seed_source(seed), (batch,), self.factor[0] * 360.0, self.factor[1] * 360.0)
        zeros, ones = jnp.zeros((batch,)), jnp.ones((batch,))
        matrix = image_ops.affine_matrix(0.5, 0.5, angle, zeros, zeros, ones, zeros, zeros, height, width)
        if images.ndim == 3:
            matrix = matrix[0]
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height, "image_width": width,
                "batch_size": batch}

    def _matrix(self, transformation, images):
        return transformation["rotation_matrix"]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, **self._warp_config()}


class RandomZoom(_AffineLayer):
    """Zooms each image in or out by a random factor about its centre, in training.

    Args:
      height_factor: a fraction in (-1, 1]: `f` draws the vertical zoom in `[1 - f, 1 + f]` (a pair
        `(lower, upper)`: in `[1 + lower, 1 + upper]`); a zoom above 1 shows more of the scene (zooms out),
        below 1 magnifies, as in Keras.
      width_factor: likewise horizontally; None (default) keeps the aspect ratio (the height's zoom).
      fill_mode, interpolation, seed, fill_value, data_format: as in `RandomRotation`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomZoom(0.2, seed=0)(np.ones((2, 8, 8, 3), np.float32)).shape
      (2, 8, 8, 3)
    """

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _factor_pair(height_factor, "height_factor", "RandomZoom", -1.0, 1.0,
                                                            open_low=True, subject=ZOOM_SUBJECT)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _factor_pair(width_factor, "width_factor", "RandomZoom", -1.0, 1.0,
                                                              open_low=True, subject=ZOOM_SUBJECT)
        self._init_warp(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        images = images_of(data)
        shape = (batch_size_of(images), 1)
        draw = self._seed_source(seed)
        height_zoom = self._uniform(draw, shape, 1.0 + self.height_lower, 1.0 + self.height_upper)
        width_zoom = height_zoom
        if self.width_factor is not None:
            width_zoom = self._uniform(draw, shape, 1.0 + self.width_lower, 1.0 + self.width_upper)
        return {"height_zoom": height_zoom, "width_zoom": width_zoom, "input_shape": tuple(images.shape)}

    def _matrix(self, transformation, images):
        zooms = jnp.concatenate([transformation["width_zoom"], transformation["height_zoom"]], axis=1)
        zooms = zooms.astype(jnp.float32)
        height, width = self._height_width(images.shape)
        n = zooms.shape[0]
        x_offset = ((jnp.float32(width) - 1.0) / 2.0) * (1.0 - zooms[:, 0:1])
        y_offset = ((jnp.float32(height) - 1.0) / 2.0) * (1.0 - zooms[:, 1:])
        zero = jnp.zeros((n, 1))
        return jnp.concatenate([zooms[:, 0:1], zero, x_offset, zero, zooms[:, 1:], y_offset, jnp.zeros((n, 2))],
                               axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor,
                **self._warp_config()}


class RandomTranslation(_AffineLayer):
    """Shifts each image by a random fraction of its height and width, in training.

    Args:
      height_factor: a fraction in [-1, 1]: `f` shifts by up to `f * height` pixels up or down (a pair
        `(lower, upper)`: a shift in `[lower * height, upper * height]`, positive is down).
      width_factor: likewise horizontally (positive is right).
      fill_mode, interpolation, seed, fill_value, data_format: as in `RandomRotation`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomTranslation(0.1, 0.2, seed=0)(np.ones((2, 8, 8, 3), np.float32)).shape
      (2, 8, 8, 3)
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _factor_pair(height_factor, "height_factor", "RandomTranslation",
                                                            -1.0, 1.0)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _factor_pair(width_factor, "width_factor", "RandomTranslation", -1.0, 1.0)
        self._init_warp(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        images = images_of(data)
        batch = batch_size_of(images)
        height, width = self._height_width(images.shape if images.ndim == 4 else (1,) + tuple(images.shape))
        draw = self._seed_source(seed)
        dy = self._uniform(draw, (batch, 1), self.height_lower, self.height_upper) * height
        dx = self._uniform(draw, (batch, 1), self.width_lower, self.width_upper) * width
        translations = jnp.concatenate([dx, dy], axis=1).astype(jnp.float32)
        return {"translations": translations, "input_shape": tuple(images.shape)}

    def _matrix(self, transformation, images):
        translations = transformation["translations"]
        n = translations.shape[0]
        one, zero = jnp.ones((n, 1)), jnp.zeros((n, 1))
        return jnp.concatenate([one, zero, -translations[:, 0:1], zero, one, -translations[:, 1:],
                                jnp.zeros((n, 2))], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor,
                **self._warp_config()}


class RandomShear(_AffineLayer):
    """Shears each image along x and y by random amounts, in training.

    Args:
      x_factor: a number in [0, 1] (the shear's range `[-f, f]`, its sign drawn at random) or a pair.
      y_factor: likewise along y.
      interpolation, fill_mode, fill_value, data_format, seed: as in `RandomRotation`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomShear(0.2, 0.2, seed=0)(np.ones((2, 8, 8, 3), np.float32)).shape
      (2, 8, 8, 3)
    """

    def __init__(self, x_factor: Any = 0.0, y_factor: Any = 0.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = _factor_pair(x_factor, "x_factor", "RandomShear", 0.0, 1.0)
        self.y_factor = _factor_pair(y_factor, "y_factor", "RandomShear", 0.0, 1.0)
        # The config keeps the arguments: Keras's (lower, upper) pair of a number `f` is (-f, f), which its own
        # range check refuses when the config is loaded again.
        self._factor_arguments = {"x_factor": x_factor, "y_factor": y_factor}
        self._init_warp(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        images = images_of(data)
        shape = (batch_size_of(images), 1)
        draw = self._seed_source(seed)
        dtype = self.compute_dtype
        invert = self._uniform(draw, shape, 0, 1, dtype)
        invert = jnp.where(invert > 0.5, -jnp.ones_like(invert), jnp.ones_like(invert))
        shear_y = self._uniform(draw, shape, self.y_factor[0], self.y_factor[1], dtype)
        shear_x = self._uniform(draw, shape, self.x_factor[0], self.x_factor[1], dtype)
        shear = jnp.concatenate([shear_x, shear_y], axis=1).astype(dtype) * invert
        return {"shear_factor": shear, "input_shape": tuple(images.shape)}

    def _matrix(self, transformation, images):
        shear = transformation["shear_factor"]
        n = shear.shape[0]
        one, zero = jnp.ones((n,)), jnp.zeros((n,))
        return jnp.stack([one, shear[:, 0], zero, shear[:, 1], one, zero, zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._factor_arguments, **self._warp_config()}


for _cls in (RandomRotation, RandomZoom, RandomTranslation, RandomShear):
    registry.register_builtin("layers", _cls)
