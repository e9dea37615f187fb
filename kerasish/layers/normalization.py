"""Normalization layers: BatchNormalization, LayerNormalization.

The math is written here, in the same operation order as Keras's JAX backend
(`inv = rsqrt(var + eps) * gamma; y = x * inv + (beta - mean * inv)`), rather than wrapping
`nnx.BatchNorm` / `nnx.LayerNorm`: those hold their variables as `scale`, `bias`, `mean`, `var`, which
`get_weights()` would list in a different order and shape from Keras's `gamma, beta, moving_mean,
moving_variance` (LayerNorm over several axes keeps a flat scale in flax), and flax's BatchNorm has no
notion of a frozen layer running in inference mode. The few lines of math are cheaper than
translating both. The running statistics are `nnx.BatchStat` variables, so the training engine
carries them through its jitted step like any other non-trainable state.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

import kerasish.layers.checks as checks
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import random as _random
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape


def _normalize(x, mean, variance, gamma, beta, epsilon: float):
    inv = jax.lax.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv
    if beta is not None:
        shift = shift + beta
    return x * inv + shift


def _resolve_axes(axes: tuple[int, ...], ndim: int, name: str, input_shape: Shape) -> tuple[int, ...]:
    resolved = []
    for axis in axes:
        if not -ndim <= axis < ndim:
            raise ValueError(f"Layer '{name}': axis {axis} is out of bounds for inputs of shape "
                             f"{format_shape(input_shape)} (ndim={ndim}).")
        resolved.append(axis % ndim)
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"Duplicate axes in `axis` of layer '{name}': {axes} names an axis twice.")
    if 0 in resolved:
        raise ValueError(f"Layer '{name}' cannot normalize over the batch axis 0; received axis={axes} for inputs "
                         f"of shape {format_shape(input_shape)}.")
    if any(input_shape[a] is None for a in resolved):
        raise ValueError(f"Layer '{name}' needs known sizes on the normalized axes {tuple(resolved)}, received "
                         f"input_shape {format_shape(input_shape)}.")
    return tuple(sorted(resolved))


class BatchNormalization(Layer):
    """Normalizes each feature with batch statistics in training, running statistics in inference.

    In training (`training=True`, as inside `fit`) the output is
    `gamma * (x - mean) / sqrt(var + epsilon) + beta` with the mean and (biased) variance of the
    batch over every axis but `axis`, and the running statistics move towards them:
    `moving = moving * momentum + batch * (1 - momentum)`. In inference (`evaluate`, `predict`,
    `training=False`) the running statistics are used instead. As in Keras, a layer with
    `trainable = False` always runs in inference mode, so fine-tuning a frozen model does not
    change its statistics.

    Args:
      axis: the feature axis (an int, default -1; 1 for channels-first images).
      momentum: the running statistics' decay, in [0, 1] (default 0.99).
      epsilon: added to the variance before the square root (> 0, default 1e-3).
      center: learn an offset `beta` (default True).
      scale: learn a factor `gamma` (default True).
      beta_initializer: initializer of `beta` (default "zeros").
      gamma_initializer: initializer of `gamma` (default "ones").
      moving_mean_initializer: initializer of `moving_mean` (default "zeros").
      moving_variance_initializer: initializer of `moving_variance` (default "ones").
      beta_regularizer: a penalty on `beta` added to the training loss.
      gamma_regularizer: a penalty on `gamma` added to the training loss.
      beta_constraint: a projection of `beta` after each optimizer update (`kerasish.constraints`).
      gamma_constraint: likewise, for `gamma`.

    Input shape: any, with a known size on `axis`. Output shape: the input shape.
    Weights (Keras's order): `gamma` (if scale), `beta` (if center) -- trainable `nnx.Param`s --
    then `moving_mean`, `moving_variance` -- `nnx.BatchStat`s -- each of shape `(features,)`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.BatchNormalization(momentum=0.5)
      >>> y = layer(jnp.array([[1.0], [3.0]]), training=True)
      >>> y.round(2).tolist(), layer.moving_mean[...].tolist()
      ([[-1.0], [1.0]], [1.0])
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        if not checks.is_int(axis):
            raise TypeError(f"Argument `axis` of {cls} must be an int, received {axis!r}.")
        self.axis = int(axis)
        self.momentum = checks.number(momentum, "momentum", cls, 0.0, 1.0)
        self.epsilon = checks.number(epsilon, "epsilon", cls, 0.0, include_low=False)
        self.center = checks.boolean(center, "center", cls)
        self.scale = checks.boolean(scale, "scale", cls)
        self.beta_initializer = _initializers.get(beta_initializer)
        self.gamma_initializer = _initializers.get(gamma_initializer)
        self.moving_mean_initializer = _initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = _initializers.get(moving_variance_initializer)
        self.beta_regularizer = _regularizers.get(beta_regularizer)
        self.gamma_regularizer = _regularizers.get(gamma_regularizer)
        self.beta_constraint = _constraints.get(beta_constraint)
        self.gamma_constraint = _constraints.get(gamma_constraint)

    def build(self, input_shape: Shape) -> None:
        (self._axis,) = _resolve_axes((self.axis,), len(input_shape), self.name, input_shape)
        self._ndim = len(input_shape)
        shape = (input_shape[self._axis],)
        if self.scale:
            self.add_weight(shape, self.gamma_initializer, name="gamma", regularizer=self.gamma_regularizer,
                            constraint=self.gamma_constraint)
        if self.center:
            self.add_weight(shape, self.beta_initializer, name="beta", regularizer=self.beta_regularizer,
                            constraint=self.beta_constraint)
        # Not add_weight: the running statistics are nnx.BatchStat, not trainable nor NonTrainable.
        self.moving_mean = nnx.BatchStat(self._initial(self.moving_mean_initializer, shape))
        self.moving_variance = nnx.BatchStat(self._initial(self.moving_variance_initializer, shape))

    def _initial(self, initializer, shape):
        value = jnp.asarray(initializer(_random.next_key(), shape, self.dtype))
        if value.shape != shape:
            raise ValueError(f"An initializer of layer '{self.name}' returned shape {value.shape}, expected {shape}.")
        return value

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self._ndim, self.name)
        checks.check_axis_size(shape, self.axis, self.moving_mean.shape[0], self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    supports_masking = True

    def rows_independent(self, training: bool) -> bool:
        return not training and super().rows_independent(training)  # batch statistics mix the rows

    def call(self, x, training: bool = False, mask=None):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.dtype)
        broadcast = [1] * x.ndim
        broadcast[self._axis] = x.shape[self._axis]
        if training and self.trainable:
            reduce = tuple(a for a in range(x.ndim) if a != self._axis)
            if mask is None:
                mean, variance = jnp.mean(x, axis=reduce), jnp.var(x, axis=reduce)
            else:  # the batch statistics of the unmasked steps only, as Keras computes them
                keep = checks.mask_array(mask, x.shape[:-1], self.name, axes="input shape[:-1]")[..., None]
                count = jnp.sum(jnp.broadcast_to(keep, x.shape).astype(x.dtype), axis=reduce) + 1e-7
                mean = jnp.sum(jnp.where(keep, x, 0), axis=reduce) / count
                variance = jnp.sum(jnp.where(keep, x - mean.reshape(broadcast), 0) ** 2, axis=reduce) / count
            self.moving_mean[...] = self.moving_mean[...] * self.momentum + mean * (1.0 - self.momentum)
            self.moving_variance[...] = (self.moving_variance[...] * self.momentum
                                         + variance * (1.0 - self.momentum))
        else:
            mean, variance = self.moving_mean[...], self.moving_variance[...]
        gamma = self.gamma[...].reshape(broadcast) if self.scale else None
        beta = self.beta[...].reshape(broadcast) if self.center else None
        return _normalize(x, mean.reshape(broadcast), variance.reshape(broadcast), gamma, beta, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": _initializers.serialize(self.beta_initializer),
                "gamma_initializer": _initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": _initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": _initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": _regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": _regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": _constraints.serialize(self.beta_constraint),
                "gamma_constraint": _constraints.serialize(self.gamma_constraint)}


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (the features by default), then scales and shifts.

    `y = gamma * (x - mean) / sqrt(var + epsilon) + beta`, with the mean and (biased) variance of
    each sample over `axis`. The same in training and inference.

    Args:
      axis: the axis or axes to normalize over (an int or a tuple of ints, default -1; not the batch
        axis).
      epsilon: added to the variance before the square root (> 0, default 1e-3).
      center: learn an offset `beta` (default True).
      scale: learn a factor `gamma` (default True).
      beta_initializer: initializer of `beta` (default "zeros").
      gamma_initializer: initializer of `gamma` (default "ones").
      beta_regularizer: a penalty on `beta` added to the training loss.
      gamma_regularizer: a penalty on `gamma` added to the training loss.
      beta_constraint: a projection of `beta` after each optimizer update (`kerasish.constraints`).
      gamma_constraint: likewise, for `gamma`.

    Input shape: any, with known sizes on `axis`. Output shape: the input shape.
    Weights (Keras's order): `gamma` (if scale), then `beta` (if center), each of shape
    `tuple(input_shape[a] for a in sorted(axis))`, as in Keras.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.LayerNormalization(epsilon=0.0)(jnp.array([[1.0, 3.0]])).tolist()
      [[-1.0, 1.0]]
    """

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer: Any = "zeros", gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None, gamma_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        axes = (axis,) if checks.is_int(axis) else axis
        if not isinstance(axes, (tuple, list)) or not axes or not all(checks.is_int(a) for a in axes):
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis' of {cls}, received "
                            f"{axis!r}.")
        self.axis = int(axis) if checks.is_int(axis) else tuple(int(a) for a in axes)
        self.epsilon = checks.number(epsilon, "epsilon", cls, 0.0)
        self.center = checks.boolean(center, "center", cls)
        self.scale = checks.boolean(scale, "scale", cls)
        self.beta_initializer = _initializers.get(beta_initializer)
        self.gamma_initializer = _initializers.get(gamma_initializer)
        self.beta_regularizer = _regularizers.get(beta_regularizer)
        self.gamma_regularizer = _regularizers.get(gamma_regularizer)
        self.beta_constraint = _constraints.get(beta_constraint)
        self.gamma_constraint = _constraints.get(gamma_constraint)

    def build(self, input_shape: Shape) -> None:
        axes = (self.axis,) if isinstance(self.axis, int) else self.axis
        self._axes = _resolve_axes(axes, len(input_shape), self.name, input_shape)
        self._ndim = len(input_shape)
        # Keras sorts the axes as given, so axis=(-1, 1) makes gamma (size[-1], size[1]), reshaped (not
        # transposed) onto the input in `call`. Same here, so Keras's weights load and give Keras's numbers.
        shape = tuple(input_shape[a] for a in sorted(axes))
        if self.scale:
            self.add_weight(shape, self.gamma_initializer, name="gamma", regularizer=self.gamma_regularizer,
                            constraint=self.gamma_constraint)
        if self.center:
            self.add_weight(shape, self.beta_initializer, name="beta", regularizer=self.beta_regularizer,
                            constraint=self.beta_constraint)
        self._sizes = tuple(input_shape[a] for a in self._axes)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self._ndim, self.name)
        for axis, size in zip(self._axes, self._sizes):
            checks.check_axis_size(shape, axis, size, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        for axis in (self.axis,) if isinstance(self.axis, int) else self.axis:
            if not -len(input_shape) <= axis < len(input_shape):
                raise ValueError(f"Layer '{self.name}': axis {axis} is out of bounds for inputs of shape "
                                 f"{format_shape(input_shape)} (ndim={len(input_shape)}).")
        return input_shape

    def call(self, x):
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.dtype)
        broadcast = [1] * x.ndim
        for axis in self._axes:
            broadcast[axis] = x.shape[axis]
        mean = jnp.mean(x, axis=self._axes, keepdims=True)
        variance = jnp.var(x, axis=self._axes, keepdims=True)
        gamma = self.gamma[...].reshape(broadcast) if self.scale else None
        beta = self.beta[...].reshape(broadcast) if self.center else None
        return _normalize(x, mean, variance, gamma, beta, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "beta_initializer": _initializers.serialize(self.beta_initializer),
                "gamma_initializer": _initializers.serialize(self.gamma_initializer),
                "beta_regularizer": _regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": _regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": _constraints.serialize(self.beta_constraint),
                "gamma_constraint": _constraints.serialize(self.gamma_constraint)}
