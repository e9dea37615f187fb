"""Per-sample normalization layers beside LayerNormalization: GroupNormalization, UnitNormalization,
RMSNormalization.

Each normalizes every sample on its own (no batch statistics, the same in training and inference), with
Keras 3's arguments, weights and maths (`keras/src/layers/normalization/`): group statistics over the
channels of a group and every non-batch axis, an L2 norm floored at `1e-12`, and the root mean square.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape


def _axes(axis: Any, layer: str) -> int | list[int]:
    if checks.is_int(axis):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis and all(checks.is_int(a) for a in axis):
        return [int(a) for a in axis]
    raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: "
                    f"axis={axis!r} (layer {layer}).")


def _resolve(axis: int | list[int], shape: Shape, name: str) -> tuple[int, ...]:
    axes = [axis] if isinstance(axis, int) else axis
    for a in axes:
        if not -len(shape) <= a < len(shape):
            raise ValueError(f"Layer '{name}': axis {a} is out of bounds for input shape {format_shape(shape)}.")
    return tuple(sorted(a % len(shape) for a in axes))


def _floats(x, dtype):
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(dtype)


class GroupNormalization(Layer):
    """Normalizes each group of channels of each sample (Wu & He, 2018), then scales and shifts per channel.

    The channels on `axis` are split into `groups` groups; each group of each sample is normalized by its
    mean and (biased) variance over its channels and every other non-batch axis:
    `gamma * (x - mean) / sqrt(var + epsilon) + beta`. `groups=1` is a layer normalization over all axes,
    `groups=-1` (one group per channel) an instance normalization.

    Args:
      groups: the number of groups (a positive int dividing the channels, or -1; default 32).
      axis: the channel axis (default -1).
      epsilon: added to the variance (default 1e-3).
      center, scale: learn `beta` / `gamma` (default True).
      beta_initializer, gamma_initializer: their initializers (default "zeros" / "ones").
      beta_regularizer, gamma_regularizer: penalties added to the training loss.
      beta_constraint, gamma_constraint: projections after each optimizer update.

    Input shape: any, with a known size on `axis`. Output shape: the input shape.
    Weights: `gamma`, then `beta`, each `(channels,)`.

    Raises:
      ValueError: for `groups` neither positive nor -1, or (when built) a channel count it does not divide.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> y = ks.layers.GroupNormalization(groups=2, epsilon=0.0)(jnp.array([[1.0, 3.0, 5.0, 9.0]]))
      >>> y.tolist()
      [[-1.0, 1.0, -1.0, 1.0]]
    """

    supports_masking = True

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        if not checks.is_int(groups) or (groups <= 0 and groups != -1):
            raise ValueError(f"Received an invalid value for argument `groups`, expected a positive integer (or -1 "
                             f"for instance normalization). Received: groups={groups!r} (layer GroupNormalization).")
        super().__init__(**kwargs)
        cls = "GroupNormalization"
        if not checks.is_int(axis):
            raise TypeError(f"Argument `axis` of {cls} must be an int, received {axis!r}.")
        self.groups = int(groups)
        self.axis = int(axis)
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
        (axis,) = _resolve(self.axis, input_shape, self.name)
        if axis == 0:
            raise ValueError(f"Layer '{self.name}' cannot normalize over the batch axis 0, received axis={self.axis}.")
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {format_shape(input_shape)} (layer '{self.name}').")
        if self.groups == -1:  # as Keras: the config then records the resolved count
            self.groups = channels
        if channels < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of channels "
                             f"({channels}) (layer '{self.name}', inputs of shape {format_shape(input_shape)}).")
        if channels % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number of channels "
                             f"({channels}): it must divide them (layer '{self.name}', inputs of shape "
                             f"{format_shape(input_shape)}).")
        self._ndim, self._channels = len(input_shape), channels
        if self.scale:
            self.add_weight((channels,), self.gamma_initializer, name="gamma", regularizer=self.gamma_regularizer,
                            constraint=self.gamma_constraint)
        if self.center:
            self.add_weight((channels,), self.beta_initializer, name="beta", regularizer=self.beta_regularizer,
                            constraint=self.beta_constraint)

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self._ndim, self.name)
        checks.check_axis_size(shape, self.axis, self._channels, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _resolve(self.axis, input_shape, self.name)
        return input_shape

    def call(self, x):
        x = _floats(x, self.compute_dtype)
        dtype = x.dtype
        axis = self.axis % x.ndim
        grouped_shape = x.shape[:axis] + (self.groups, x.shape[axis] // self.groups) + x.shape[axis + 1:]
        grouped = x.reshape(grouped_shape).astype(jnp.promote_types(dtype, jnp.float32))
        reduce = tuple(a for a in range(1, grouped.ndim) if a != axis)
        mean = jnp.mean(grouped, axis=reduce, keepdims=True)
        variance = jnp.var(grouped, axis=reduce, keepdims=True)
        broadcast = [1] * grouped.ndim
        broadcast[axis], broadcast[axis + 1] = self.groups, x.shape[axis] // self.groups
        inv = jax.lax.rsqrt(variance + self.epsilon)
        if self.scale:
            inv = inv * self.gamma[...].reshape(broadcast).astype(grouped.dtype)
        shift = -mean * inv
        if self.center:
            shift = shift + self.beta[...].reshape(broadcast).astype(grouped.dtype)
        return (grouped * inv + shift).astype(dtype).reshape(x.shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": _initializers.serialize(self.beta_initializer),
                "gamma_initializer": _initializers.serialize(self.gamma_initializer),
                "beta_regularizer": _regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": _regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": _constraints.serialize(self.beta_constraint),
                "gamma_constraint": _constraints.serialize(self.gamma_constraint)}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`: `x / max(norm(x), 1e-12)`.

    Args:
      axis: an int or a list of ints (default -1).

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> [round(v, 6) for v in ks.layers.UnitNormalization()(jnp.array([[3.0, 4.0]]))[0].tolist()]
      [0.6, 0.8]
    """

    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axes(axis, "UnitNormalization")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _resolve(self.axis, input_shape, self.name)
        return input_shape

    def call(self, x):
        x = _floats(x, self.compute_dtype)
        dtype = x.dtype
        x = x.astype(jnp.promote_types(dtype, jnp.float32))  # 1 / 1e-12 overflows float16
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        inverse_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return (x * jnp.minimum(inverse_norm, 1.0 / 1e-12)).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich, 2019): `x * rsqrt(mean(x**2) + epsilon) * scale`.

    Unlike LayerNormalization it neither centers nor shifts.

    Args:
      axis: the axis or list of axes the mean runs over (default -1).
      epsilon: added to the mean square (default 1e-6).

    Input shape: any, with known sizes on `axis`. Output shape: the input shape.
    Weights: `scale` of shape `tuple(input_shape[a] for a in sorted(axis))`, initialized to ones.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> [round(v, 4) for v in ks.layers.RMSNormalization()(jnp.array([[1.0, -1.0, 1.0, -1.0]]))[0].tolist()]
      [1.0, -1.0, 1.0, -1.0]
    """

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axes(axis, "RMSNormalization")
        self.epsilon = checks.number(epsilon, "epsilon", "RMSNormalization", 0.0)

    def build(self, input_shape: Shape) -> None:
        self._axes = _resolve(self.axis, input_shape, self.name)
        if 0 in self._axes or any(input_shape[a] is None for a in self._axes):
            raise ValueError(f"Layer '{self.name}' needs known, non-batch axes to normalize over, received "
                             f"axis={self.axis} for inputs of shape {format_shape(input_shape)}.")
        self._ndim = len(input_shape)
        self.add_weight(tuple(input_shape[a] for a in self._axes), "ones", name="scale")

    def check_input_shape(self, shape: Shape) -> None:
        checks.check_ndim(shape, self._ndim, self.name)
        for axis, size in zip(self._axes, self.scale.shape):
            checks.check_axis_size(shape, axis, size, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _resolve(self.axis, input_shape, self.name)
        return input_shape

    def call(self, x):
        x = _floats(x, self.compute_dtype)
        dtype = x.dtype
        x = x.astype(jnp.promote_types(dtype, jnp.float32))
        rrms = jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=self._axes, keepdims=True) + self.epsilon)
        broadcast = [1] * x.ndim
        for axis in self._axes:
            broadcast[axis] = x.shape[axis]
        return (x * rrms * self.scale[...].astype(x.dtype).reshape(broadcast)).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}

