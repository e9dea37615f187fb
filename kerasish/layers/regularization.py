"""Regularization layers: GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D/3D (active in
training only), and ActivityRegularization.

Their randomness comes from an `nnx.Rngs` stream held by the layer (seeded from `seed`, else from
`kerasish.utils.set_random_seed`), so the training engine carries the stream's counter through its
jitted step and each step draws new noise. In inference (`training=False`) they are the identity.
"""

from __future__ import annotations

import math
from typing import Any

import jax
from flax import nnx

import kerasish.layers.checks as checks
from kerasish import random as _random
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape


def _check_seed(seed: Any, layer: str) -> int | None:
    if seed is not None and (not checks.is_int(seed) or seed < 0):
        raise ValueError(f"Argument `seed` of {layer} must be None or an int >= 0, received {seed!r}.")
    return None if seed is None else int(seed)


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` in training.

    Args:
      stddev: the noise's standard deviation, in [0, 1] (Keras's bound).
      seed: an int for a reproducible noise stream independent of the global seed.

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.GaussianNoise(0.1, seed=0)
      >>> bool((layer(jnp.ones((2, 3))) == 1).all()), layer(jnp.ones((2, 3)), training=True).shape
      (True, (2, 3))
    """

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = checks.number(stddev, "stddev", "GaussianNoise", 0.0, 1.0)
        self.seed = _check_seed(seed, "GaussianNoise")
        self.rngs = nnx.Rngs(noise=_random.key_from(self.seed))

    def call(self, x, training: bool = False):
        if not training or self.stddev == 0.0:
            return x
        return x + self.stddev * jax.random.normal(_random.fast_key(self.rngs.noise()), x.shape, x.dtype)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class _SpatialDropout(Layer):
    """Dropout of whole feature maps: one keep/drop draw per (sample, channel), shared over space."""

    rank = 1

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, rate: float, seed: int | None = None, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.rate = checks.dropout_rate(rate, cls)
        self.seed = _check_seed(seed, cls)
        self.data_format = checks.data_format(data_format, cls)
        spatial = range(1, self.rank + 1) if self.data_format == "channels_last" else range(2, self.rank + 2)
        self.rngs = nnx.Rngs(dropout=_random.key_from(self.seed))
        self.dropout = nnx.Dropout(self.rate, broadcast_dims=tuple(spatial), rngs=self.rngs)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self.rank + 2, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        checks.check_ndim(input_shape, self.rank + 2, self.name)
        return input_shape

    def call(self, x, training: bool = False):
        if not training or self.rate == 0.0:
            return x
        return self.dropout(x, deterministic=False, rngs=_random.fast_key(self.dropout.rngs()))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of a sequence in training (each kept one scaled by `1 / (1 - rate)`).

    Unlike `Dropout`, which drops single values, this drops a channel at every step at once, which
    regularizes better when neighbouring steps are strongly correlated.

    Args:
      rate: the fraction of channels to drop, in [0, 1).
      seed: an int for a reproducible mask stream independent of the global seed.

    Input shape: `(batch, steps, channels)`. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> y = ks.layers.SpatialDropout1D(0.5, seed=0)(jnp.ones((4, 6, 8)), training=True)
      >>> bool(((y == 0).all(axis=1) | (y == 2).all(axis=1)).all())
      True
    """

    rank = 1

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops whole channels of an image in training (each kept one scaled by `1 / (1 - rate)`).

    Args:
      rate: the fraction of channels to drop, in [0, 1).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      seed: an int for a reproducible mask stream independent of the global seed.

    Input shape: `(batch, height, width, channels)`. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> y = ks.layers.SpatialDropout2D(0.5, seed=0)(jnp.ones((4, 3, 3, 8)), training=True)
      >>> bool(((y == 0).all(axis=(1, 2)) | (y == 2).all(axis=(1, 2))).all())
      True
    """

    rank = 2

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, data_format=data_format, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(_SpatialDropout):
    """Drops whole channels of a volume in training (each kept one scaled by `1 / (1 - rate)`).

    Args:
      rate: the fraction of channels to drop, in [0, 1).
      data_format: `"channels_last"` (default; `None` means it) or `"channels_first"`.
      seed: an int for a reproducible mask stream independent of the global seed.

    Input shape: `(batch, depth, height, width, channels)`. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> y = ks.layers.SpatialDropout3D(0.5, seed=0)(jnp.ones((2, 2, 2, 2, 8)), training=True)
      >>> bool(((y == 0).all(axis=(1, 2, 3)) | (y == 2).all(axis=(1, 2, 3))).all())
      True
    """

    rank = 3

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, data_format=data_format, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class GaussianDropout(Layer):
    """Multiplies the inputs by 1-centered Gaussian noise in training (Srivastava et al., 2014).

    The noise has standard deviation `sqrt(rate / (1 - rate))`: the same mean and variance as
    `Dropout(rate)`'s scaled mask, without zeros. In inference it is the identity.

    Args:
      rate: the drop probability it mimics, in [0, 1) (1 would give infinite noise).
      seed: an int for a reproducible noise stream independent of the global seed.

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.GaussianDropout(0.2, seed=0)
      >>> bool((layer(jnp.ones((2, 3))) == 1).all()), layer(jnp.ones((2, 3)), training=True).shape
      (True, (2, 3))
    """

    supports_masking = True

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = checks.dropout_rate(rate, "GaussianDropout")
        self.seed = _check_seed(seed, "GaussianDropout")
        if self.rate > 0:
            self.rngs = nnx.Rngs(noise=_random.key_from(self.seed))

    def call(self, x, training: bool = False):
        if not training or self.rate == 0.0:
            return x
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = jax.random.normal(_random.fast_key(self.rngs.noise()), x.shape, x.dtype)
        return x * (1.0 + stddev * noise)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """Dropout that keeps the mean and variance of self-normalizing (SELU) activations (Klambauer et al., 2017).

    In training, dropped values are set to SELU's negative saturation `-alpha * scale` instead of 0, then
    every value goes through the affine map that restores the input's mean and variance. In inference it is
    the identity.

    Args:
      rate: the fraction of values dropped, in [0, 1).
      noise_shape: the shape of the keep/drop draw, broadcast to the input (None entries take the input's
        size), e.g. `(None, 1, features)` to drop the same features at every step.
      seed: an int for a reproducible mask stream independent of the global seed.

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.AlphaDropout(0.2, seed=0)
      >>> bool((layer(jnp.ones((2, 3))) == 1).all()), layer(jnp.ones((2, 3)), training=True).shape
      (True, (2, 3))
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = checks.dropout_rate(rate, "AlphaDropout")
        self.noise_shape = checks.noise_shape(noise_shape, "AlphaDropout")
        self.seed = _check_seed(seed, "AlphaDropout")
        if self.rate > 0:
            self.rngs = nnx.Rngs(dropout=_random.key_from(self.seed))

    def call(self, x, training: bool = False):
        if not training or self.rate == 0.0:
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946  # -alpha * scale of SELU
        kept = (jax.random.uniform(_random.fast_key(self.rngs.dropout()), shape) >= self.rate).astype(x.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (x * kept + alpha_p * (1 - kept)) + b

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds `l1 * sum(|x|) + l2 * sum(x ** 2)` of it (divided by the batch
    size, as every activity regularizer) to the training loss.

    Args:
      l1: the L1 factor (>= 0, default 0).
      l2: the L2 factor (>= 0, default 0).

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.ActivityRegularization(l1=0.5)
      >>> _ = layer(jnp.ones((2, 3)))
      >>> [float(v) for v in layer.losses]
      [1.5]
    """

    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        kwargs.pop("activity_regularizer", None)  # a config from Keras may carry it; l1 / l2 define it
        super().__init__(activity_regularizer=_regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = self.activity_regularizer.l1, self.activity_regularizer.l2

    def call(self, x):
        return x

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}

