"""`BaseImagePreprocessingLayer`: what every image augmentation layer shares, as Keras 3 structures it.

A layer draws its random parameters in `get_random_transformation(data, training, seed)` and applies them in
`transform_images(images, transformation, training)` (plus `transform_labels` and
`transform_segmentation_masks` for a dict input `{"images", "labels", "segmentation_masks"}`), so one draw
transforms an image and its mask alike. Keras's public methods keep Keras's names and dict keys: a
transformation drawn by Keras can be applied by kerasish and the other way round.

Randomness: each random layer holds a `SeedGenerator` (`layer.generator`, as in Keras) whose state `[seed,
counter]` (uint32) is an NNX RNG variable, so the compiled training step carries it and every step draws
anew; the n-th draw uses the raw threefry key `[seed, n]`, as Keras's JAX backend does, so a layer with an
explicit `seed` draws exactly Keras's numbers. Without a seed the layer takes one from kerasish's global seed
(`kerasish.utils.set_random_seed`). As in Keras, calling the layer directly augments (`training` defaults
to True); a model's `predict` / `evaluate` pass `training=False`, where random layers are the identity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import kerasish.layers.checks as checks
import kerasish.layers.image_preprocessing.image_ops as image_ops
import kerasish.layers.image_preprocessing.layer_backend as layer_backend
from kerasish import random as _random
from kerasish.backend import standardize_data_format
from kerasish.layers.base import Layer
from kerasish.layers.symbolic import any_symbolic
from kerasish.shapes import Shape, format_shape


class SeedState(nnx.RngState):
    """Keras's `SeedGenerator` state: uint32 `[seed, counter]`. An RNG variable: not among a layer's `weights`,
    carried (and advanced) by the compiled training step, saved with the model."""


def check_seed(seed: Any, layer: str) -> int | None:
    if seed is not None and (not checks.is_int(seed) or not 0 <= seed < 2**32):
        raise ValueError(f"Argument `seed` of {layer} must be None or an int in [0, 2**32), received {seed!r}.")
    return None if seed is None else int(seed)


def key_of_state(state) -> jax.Array:
    """The typed threefry key whose data is the uint32 pair `state` (Keras uses the pair as a raw key)."""
    return _random.fast_key(jax.random.wrap_key_data(jnp.asarray(state, jnp.uint32), impl="threefry2x32"))


class SeedGenerator(nnx.Module):
    """Keras's `keras.random.SeedGenerator` on NNX: `next()` returns the state `[seed, n]` and counts it up.

    The n-th key is the raw threefry key `[seed, n]`, as on Keras's JAX backend, so a layer seeded with `seed`
    draws Keras's numbers. Without a seed, one is taken from kerasish's global seed
    (`kerasish.utils.set_random_seed`), so runs repeat.

    Args:
      seed: an int in [0, 2**32), or None.

    Example:
      >>> generator = SeedGenerator(7)
      >>> generator.next().tolist(), generator.next().tolist()
      ([7, 0], [7, 1])
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = check_seed(seed, "SeedGenerator")
        start = self.seed if self.seed is not None else _random.next_int()
        self.state = SeedState(jnp.asarray([start, 0], jnp.uint32))

    def next(self) -> jax.Array:
        state = self.state[...]
        self.state[...] = state + jnp.asarray([0, 1], jnp.uint32)
        return state

    def next_key(self) -> jax.Array:
        """The next draw as a typed JAX key."""
        return key_of_state(self.next())


class RandomDraws:
    """Mixin: a `seed` argument and the `SeedGenerator` behind it (`self.generator`, Keras's attribute)."""

    def _init_seed(self, seed: Any) -> None:
        self.seed = check_seed(seed, type(self).__name__)
        self.generator = SeedGenerator(self.seed)

    def _uniform(self, draw: Callable[[], jax.Array], shape, minval: float = 0.0, maxval: float = 1.0,
                 dtype: Any = jnp.float32):
        """One uniform draw with the key `draw()` gives, through `self.backend.random` (as Keras's layers draw)."""
        return self.backend.random.uniform(shape, minval, maxval, dtype, seed=draw())

    def _seed_source(self, seed: Any) -> Callable[[], jax.Array]:
        """What each draw of one `get_random_transformation` uses, as Keras's `draw_seed`: the layer's generator
        (None: a new key per draw), a `SeedGenerator` (likewise), or a fixed key: an int (the key `[seed, 0]`),
        a JAX key or a uint32 pair."""
        if seed is None:
            return self.generator.next_key
        if isinstance(seed, SeedGenerator):
            return seed.next_key
        array = np.asarray(seed) if checks.is_int(seed) or isinstance(seed, (list, tuple, np.ndarray)) else seed
        shaped = isinstance(array, jax.Array) or (isinstance(array, np.ndarray) and array.dtype.kind in "iu")
        if not shaped or not (array.shape in ((), (2,)) or jax.dtypes.issubdtype(array.dtype, jax.dtypes.prng_key)):
            raise ValueError(f"Argument `seed` of {type(self).__name__}.get_random_transformation must be None, an "
                             f"int, a SeedGenerator or a JAX key (or a uint32 pair), received {seed!r}.")
        key = _random.fast_key(layer_backend.as_key(int(seed) if checks.is_int(seed) else seed))
        return lambda: key


class BaseImagePreprocessingLayer(Layer):
    """Base class of the image preprocessing layers (Keras's `BaseImagePreprocessingLayer`).

    Subclasses implement `get_random_transformation` (None for deterministic layers) and
    `transform_images` (or `_transform_images(images, transformation, interpolation)`); `call` routes an
    image batch `(batch, height, width, channels)`, a single image `(height, width, channels)` or a dict
    `{"images", "labels", "segmentation_masks"}` through them with one transformation.

    Args:
      factor: the layer's strength, a number `f` (the range `[-f, f]` clipped to `_FACTOR_BOUNDS`) or a pair
        `(lower, upper)`; only for layers with `_USE_BASE_FACTOR`.
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      bounding_box_format: accepted for Keras compatibility; bounding boxes themselves are not supported.
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)

    supports_masking = False
    #: Keras's `DataLayer.backend`: the ops namespaces the layer computes with (see `layer_backend`).
    backend = layer_backend.BACKEND

    def __init__(self, factor: Any = None, bounding_box_format: str | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(f"Layer {type(self).__name__} does not take a `factor` argument. Received: "
                             f"factor={factor}")

    # -- arguments -------------------------------------------------------------------------------

    def _set_factor(self, factor: Any) -> None:
        low_bound, high_bound = self._FACTOR_BOUNDS
        message = (f"The `factor` argument should be a number (or a list of two numbers) in the range "
                   f"[{low_bound}, {high_bound}]. Received: factor={factor} (layer {type(self).__name__})")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(_is_number(f) for f in factor):
                raise ValueError(message)
            if factor[0] > high_bound or factor[1] < low_bound:
                raise ValueError(message)
            lower, upper = sorted(factor)
        elif _is_number(factor):
            if factor < low_bound or factor > high_bound:
                raise ValueError(message)
            factor = abs(factor)
            lower, upper = max(-factor, low_bound), factor
        else:
            raise ValueError(message)
        self.factor = (lower, upper)

    def _set_value_range(self, value_range: Any) -> None:
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or not all(
                _is_number(v) for v in value_range):
            raise ValueError(f"The `value_range` argument should be a list of two numbers. Received: "
                             f"value_range={value_range} (layer {type(self).__name__})")
        self.value_range = sorted(value_range)

    # -- the Keras protocol ------------------------------------------------------------------------

    def get_random_transformation(self, data, training: bool = True, seed: Any = None):
        """The random parameters of one call on `data` (an image batch, an image, or a dict with "images");
        None for deterministic layers."""
        return None

    def _transform_images(self, images, transformation, interpolation):
        raise NotImplementedError(f"{type(self).__name__} must implement `transform_images`.")

    def transform_images(self, images, transformation, training: bool = True):
        """Applies `transformation` to a batch `images` (computed in the layer's compute dtype)."""
        images = jnp.asarray(images).astype(self.compute_dtype)
        if training:
            images = self._transform_images(images, transformation, self.interpolation)
        return images

    def transform_labels(self, labels, transformation, training: bool = True):
        """The labels of the transformed images (unchanged for most layers)."""
        return labels

    def transform_segmentation_masks(self, segmentation_masks, transformation, training: bool = True):
        """Segmentation masks warped like the images, resampled with "nearest" interpolation."""
        if training:
            segmentation_masks = self._transform_images(segmentation_masks, transformation, "nearest")
        return segmentation_masks

    def transform_bounding_boxes(self, bounding_boxes, transformation, training: bool = True):
        raise ValueError(f"Layer {type(self).__name__} received bounding boxes: kerasish's image preprocessing layers "
                         f"do not transform bounding boxes yet; pass images, labels and segmentation masks.")

    def transform_single_image(self, image, transformation, training: bool = True):
        return self.transform_images(jnp.asarray(image)[None], transformation, training=training)[0]

    def transform_single_segmentation_mask(self, segmentation_mask, transformation, training: bool = True):
        masks = self.transform_segmentation_masks(jnp.asarray(segmentation_mask)[None], transformation,
                                                  training=training)
        return masks[0]

    # -- calling ---------------------------------------------------------------------------------

    def __call__(self, x, training: bool | None = None, mask: Any = None, **kwargs: Any):
        # Keras resolves an unspecified `training` to the default of these layers' `call`: True.
        training = True if training is None else training
        if isinstance(x, dict):
            return self._call_dict(dict(x), training)
        if not self.built and hasattr(x, "shape") and not any_symbolic(x):
            self.build_for(tuple(x.shape))  # no weights: a traced first call (inside jax.jit) may build it too
        return super().__call__(x, training=training, mask=mask, **kwargs)

    def _is_batched(self, images) -> bool:
        if images.ndim == 3:
            return False
        if images.ndim == 4:
            return True
        raise ValueError(f"Expected image tensor to have rank 3 (single image) or 4 (batch of images). Received: "
                         f"data.shape={tuple(images.shape)}")

    def call(self, data, training: bool = True):
        images = jnp.asarray(data)
        batched = self._is_batched(images)
        transformation = self.get_random_transformation(images, training=training)
        if batched:
            return self.transform_images(images, transformation, training=training)
        return self.transform_single_image(images, transformation, training=training)

    def _call_dict(self, data: dict, training: bool):
        if "images" not in data:
            raise ValueError(f"Layer '{self.name}' received a dict without an 'images' entry (keys: {sorted(data)}); "
                             f"pass {{'images': ..., 'labels': ..., 'segmentation_masks': ...}}.")
        unknown = sorted(set(data) - {"images", "labels", "segmentation_masks", "bounding_boxes"})
        if unknown:
            raise ValueError(f"Layer '{self.name}' received a dict with unknown keys {unknown}; accepted: 'images', "
                             f"'labels', 'segmentation_masks'.")
        images = jnp.asarray(data["images"])
        batched = self._is_batched(images)
        if not self.built:
            self.build_for(tuple(images.shape) if batched else (None,) + tuple(images.shape))
        transformation = self.get_random_transformation(data | {"images": images}, training=training)
        if "bounding_boxes" in data:
            self.transform_bounding_boxes(data["bounding_boxes"], transformation, training=training)
        if batched:
            data["images"] = self.transform_images(images, transformation, training=training)
        else:
            data["images"] = self.transform_single_image(images, transformation, training=training)
        if "labels" in data:
            labels = jnp.asarray(data["labels"])
            data["labels"] = (self.transform_labels(labels, transformation, training=training) if batched else
                              self.transform_labels(labels[None], transformation, training=training)[0])
        if "segmentation_masks" in data:
            masks = jnp.asarray(data["segmentation_masks"])
            data["segmentation_masks"] = (
                self.transform_segmentation_masks(masks, transformation, training=training) if batched else
                self.transform_single_segmentation_mask(masks, transformation, training=training))
        return data

    # -- shapes and config -----------------------------------------------------------------------------

    def check_input_shape(self, shape: Shape) -> None:
        if isinstance(shape, tuple) and len(shape) not in (3, 4):
            raise ValueError(f"Expected the input image to be rank 3 or 4. Received: inputs.shape={format_shape(shape)}"
                             f" (layer '{self.name}': a batch of images or one image).")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def _spatial_axes(self) -> tuple[int, int]:
        return image_ops.spatial_axes(4, self.data_format)

    def _height_width(self, shape: Shape) -> tuple[int, int]:
        h_axis, w_axis = self._spatial_axes()
        return shape[h_axis], shape[w_axis]

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def images_of(data):
    """The image array of `data` (an array, or a dict with an "images" entry)."""
    return jnp.asarray(data["images"] if isinstance(data, dict) else data)


def batch_size_of(images) -> int:
    """The batch size of an image batch (rank 4), 1 for a single image (rank 3)."""
    if images.ndim not in (3, 4):
        raise ValueError(f"Expected the input image to be rank 3 or 4. Received inputs.shape={tuple(images.shape)}")
    return images.shape[0] if images.ndim == 4 else 1
