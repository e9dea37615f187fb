"""Image size and orientation: Resizing, CenterCrop (always applied), RandomCrop, RandomFlip (training only)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.checks as checks
import kerasish.layers.image_preprocessing.image_ops as image_ops
from kerasish import registry
from kerasish.layers.image_preprocessing.base import BaseImagePreprocessingLayer, RandomDraws, images_of
from kerasish.shapes import Shape


def _with_size(layer: BaseImagePreprocessingLayer, input_shape: Shape, height: int, width: int) -> Shape:
    shape = list(input_shape)
    h_axis, w_axis = image_ops.spatial_axes(len(shape), layer.data_format)
    shape[h_axis], shape[w_axis] = height, width
    return tuple(shape)


def _as_float_input(layer: BaseImagePreprocessingLayer, images):
    """Float inputs in the layer's compute dtype (Keras converts them on the call); integers kept."""
    images = jnp.asarray(images)
    return images.astype(layer.compute_dtype) if jnp.issubdtype(images.dtype, jnp.floating) else images


class Resizing(BaseImagePreprocessingLayer):
    """Resizes images to `(height, width)`, in training and inference alike.

    Args:
      height: the output height.
      width: the output width.
      interpolation: `"bilinear"` (default), `"nearest"`, `"bicubic"`, `"lanczos3"` or `"lanczos5"`.
      crop_to_aspect_ratio: resize the largest centred window with the target aspect ratio (no distortion).
      pad_to_aspect_ratio: pad the image (with `fill_value`) to the target aspect ratio before resizing.
      fill_mode: `"constant"` (the only mode, as in Keras).
      fill_value: the padding value of `pad_to_aspect_ratio`.
      antialias: filter when downsampling.
      data_format: `"channels_last"` (default) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)` or one image `(height, width, channels)` (channels first
    with `data_format="channels_first"`). Output shape: the same with the new height and width. An integer
    image stays integer (rounded and clipped), as in Keras.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.Resizing(2, 3)(np.ones((4, 8, 8, 3), np.float32)).shape
      (4, 2, 3, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = checks.positive_int(height, "height", "Resizing")
        self.width = checks.positive_int(width, "width", "Resizing")
        self.interpolation = checks.choice(interpolation, image_ops.RESIZE_INTERPOLATIONS, "interpolation", "Resizing")
        self.crop_to_aspect_ratio = checks.boolean(crop_to_aspect_ratio, "crop_to_aspect_ratio", "Resizing")
        self.pad_to_aspect_ratio = checks.boolean(pad_to_aspect_ratio, "pad_to_aspect_ratio", "Resizing")
        if self.crop_to_aspect_ratio and self.pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` of Resizing can be `True`.")
        self.fill_mode = checks.choice(fill_mode, ("constant",), "fill_mode", "Resizing")
        self.fill_value = checks.number(fill_value, "fill_value", "Resizing")
        self.antialias = checks.boolean(antialias, "antialias", "Resizing")

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        return self._height_width(images_of(data).shape)

    def _transform_images(self, images, transformation, interpolation):
        resized = image_ops.resize(images, (self.height, self.width), interpolation=interpolation,
                                   antialias=self.antialias, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                   pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_value=self.fill_value,
                                   data_format=self.data_format)
        return image_ops.cast_like_input(resized, images.dtype)

    def transform_images(self, images, transformation=None, training: bool = True):
        return self._transform_images(_as_float_input(self, images), transformation, self.interpolation)

    def transform_segmentation_masks(self, segmentation_masks, transformation=None, training: bool = True):
        return self._transform_images(jnp.asarray(segmentation_masks), transformation, "nearest")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return _with_size(self, input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the central `(height, width)` window of each image, in training and inference alike.

    An image smaller than the target on some side is first cropped to the target's aspect ratio and
    resized (bilinear) instead, as Keras does.

    Args:
      height: the output height.
      width: the output width.
      data_format: `"channels_last"` (default) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the same with the new
    height and width, in the compute dtype (float32).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
      >>> ks.layers.CenterCrop(2, 2)(x)[0, :, :, 0].tolist()
      [[5.0, 6.0], [9.0, 10.0]]
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = checks.positive_int(height, "height", "CenterCrop")
        self.width = checks.positive_int(width, "width", "CenterCrop")

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        return {"input_shape": tuple(images_of(data).shape)}

    def _center_crop(self, images, interpolation: str):
        height, width = self._height_width(images.shape)
        if height >= self.height and width >= self.width:
            return image_ops.crop(images, (height - self.height) // 2, (width - self.width) // 2, self.height,
                                  self.width, self.data_format)
        return image_ops.resize(images, (self.height, self.width), interpolation=interpolation,
                                crop_to_aspect_ratio=True, data_format=self.data_format)

    def transform_images(self, images, transformation=None, training: bool = True):
        return self._center_crop(jnp.asarray(images).astype(self.compute_dtype), "bilinear")

    def transform_segmentation_masks(self, segmentation_masks, transformation=None, training: bool = True):
        # Class indices: nearest resampling and the masks' own dtype, so no new class value appears.
        return self._center_crop(jnp.asarray(segmentation_masks), "nearest")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return _with_size(self, input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomCrop(RandomDraws, BaseImagePreprocessingLayer):
    """Crops a random `(height, width)` window, the same for the whole batch, in training.

    In training, an image not larger than the target on both sides is cropped to the target's aspect
    ratio at the centre and resized instead. In inference the images pass unchanged, as in Keras 3
    (whose tests assert it): use `CenterCrop` or `Resizing` for a fixed output size at inference.

    Args:
      height: the crop height.
      width: the crop width.
      seed: an int for a reproducible stream (Keras's numbers for the same seed); by default one is drawn
        from the global seed and kept in the config.
      data_format: `"channels_last"` (default) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape (training): the same with
    the crop's height and width.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> ks.layers.RandomCrop(2, 3, seed=0)(np.ones((4, 8, 8, 3), np.float32)).shape
      (4, 2, 3, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, seed: int | None = None, data_format: str | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height = checks.positive_int(height, "height", "RandomCrop")
        self.width = checks.positive_int(width, "width", "RandomCrop")
        self._init_seed(seed)
        if self.seed is None:  # Keras keeps the seed it made in the config
            self.seed = self.generator.seed = int(self.generator.state[...][0])

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        draw = self._seed_source(seed)
        height, width = self._height_width(images_of(data).shape)
        if training and height > self.height and width > self.width:
            h_start = self._uniform(draw, (), 0.0, float(height - self.height + 1))
            w_start = self._uniform(draw, (), 0.0, float(width - self.width + 1))
            return h_start.astype(jnp.int32), w_start.astype(jnp.int32)
        _, _, top, left = image_ops.aspect_box(height, width, self.height, self.width)
        return top, left

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images)
        if not training:
            return images
        return self._random_crop(images.astype(self.compute_dtype), transformation, "bilinear")

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        # Class indices: nearest resampling on the resize fallback, and the masks' own dtype.
        masks = jnp.asarray(segmentation_masks)
        return self._random_crop(masks, transformation, "nearest") if training else masks

    def _random_crop(self, images, transformation, interpolation: str):
        top, left = transformation
        if isinstance(top, int) and isinstance(left, int):
            images = image_ops.crop(images, top, left, self.height, self.width, self.data_format)
        else:  # traced starts: a dynamic slice of the crop's size
            sizes = list(images.shape)
            h_axis, w_axis = image_ops.spatial_axes(images.ndim, self.data_format)
            sizes[h_axis], sizes[w_axis] = self.height, self.width
            starts = [jnp.zeros((), jnp.int32)] * images.ndim
            starts[h_axis % images.ndim], starts[w_axis % images.ndim] = top, left
            images = jax.lax.dynamic_slice(images, starts, sizes)
        if self._height_width(images.shape) != (self.height, self.width):
            images = image_ops.resize(images, (self.height, self.width), interpolation=interpolation,
                                      data_format=self.data_format).astype(images.dtype)
        return images

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return _with_size(self, input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width, "seed": self.seed}


HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL = "horizontal", "vertical", "horizontal_and_vertical"


class RandomFlip(RandomDraws, BaseImagePreprocessingLayer):
    """Flips each image left-right and/or up-down with probability 1/2, in training.

    As in Keras 3, one draw per image decides: with `"horizontal_and_vertical"` an image is either flipped
    both ways or not at all.

    Args:
      mode: `"horizontal"`, `"vertical"` or `"horizontal_and_vertical"` (default).
      seed: an int for a reproducible stream (Keras's numbers for the same seed).
      data_format: `"channels_last"` (default) or `"channels_first"`.

    Input shape: `(batch, height, width, channels)` or one image. Output shape: the input shape (float).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)
      >>> y = ks.layers.RandomFlip("horizontal", seed=1)(x)
      >>> sorted(y[0, 0, :, 0].tolist()) == [0.0, 1.0, 2.0, 3.0]
      True
    """

    _USE_BASE_FACTOR = False

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            modes = [HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL]
            raise ValueError(f"Argument `mode` of RandomFlip must be one of {modes}, received {mode!r}.")
        self.mode = mode
        self._init_seed(seed)

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        if not training:
            return None
        shape = tuple(images_of(data).shape)
        flips_shape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        flips = self._uniform(self._seed_source(seed), flips_shape, 0.0, 1.0) <= 0.5
        return {"flips": flips, "input_shape": shape}

    def transform_images(self, images, transformation, training: bool = True):
        images = jnp.asarray(images).astype(self.compute_dtype)
        if training:
            return self._flip(images, transformation)
        return images

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        # A flip only moves pixels: the masks keep their (class index) dtype.
        masks = jnp.asarray(segmentation_masks)
        return self._flip(masks, transformation) if training else masks

    def _flip(self, images, transformation):
        if transformation is None:
            return images
        flips = transformation["flips"]
        single = images.ndim == 3
        if single:
            images = images[None]
        h_axis, w_axis = image_ops.spatial_axes(4, self.data_format)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = jnp.where(flips, jnp.flip(images, axis=w_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = jnp.where(flips, jnp.flip(images, axis=h_axis), images)
        return images[0] if single else images

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


for _cls in (Resizing, CenterCrop, RandomCrop, RandomFlip):
    registry.register_builtin("layers", _cls)
