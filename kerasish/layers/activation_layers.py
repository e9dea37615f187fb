"""Activation layers with arguments of their own: ReLU, LeakyReLU, PReLU, ELU, Softmax.

Each is the Keras 3 layer of that name: the same arguments, defaults, config keys and maths
(`keras/src/layers/activations/`). They hand the mask on unchanged. `Activation("relu")` (in core.py)
covers the plain functions; these add ReLU's `max_value` / `threshold`, a learned slope (PReLU) and a
masked softmax over one or several axes.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

import kerasish.layers.checks as checks
from kerasish import constraints as _constraints
from kerasish import initializers as _initializers
from kerasish import regularizers as _regularizers
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape


def _floats(x, dtype):
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(dtype)


def _non_negative(value: Any, message: str, argument: str, allow_none: bool = False) -> float | None:
    """`value` if it is a number >= 0 (or None when allowed), else Keras's ValueError `message` with the value."""
    if value is None and allow_none:
        return None
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0):
        accepted = "None or a number >= 0" if allow_none else "a number >= 0"
        raise ValueError(f"{message} (accepted: {accepted}). Received: {argument}={value!r}")
    return value


class _Elementwise(Layer):
    """An activation applied value by value: output shape = input shape, the mask handed on."""

    supports_masking = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class ReLU(_Elementwise):
    """The rectified linear unit, with Keras's optional cap, threshold and leak.

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`, and
    `negative_slope * (x - threshold)` below the threshold.

    Args:
      max_value: the largest output (a number >= 0), or None (default) for no cap.
      negative_slope: the slope below the threshold (a number >= 0, default 0).
      threshold: where the unit switches on (a number >= 0, default 0).

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.ReLU(max_value=6.0, negative_slope=0.5)(jnp.array([-2.0, 3.0, 9.0])).tolist()
      [-1.0, 3.0, 6.0]
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_value = _non_negative(max_value, "max_value of a ReLU layer cannot be a negative value", "max_value",
                                       allow_none=True)
        self.negative_slope = _non_negative(
            negative_slope, "negative_slope of a ReLU layer cannot be None or a negative value", "negative_slope")
        self.threshold = _non_negative(threshold, "threshold of a ReLU layer cannot be None or a negative value",
                                       "threshold")

    def call(self, x):
        x = _floats(x, self.compute_dtype)
        # Keras's order of operations (activations.relu), so the values agree bit for bit where they can.
        below = jax.nn.relu(self.threshold - x) if self.negative_slope else None
        y = jnp.where(x > self.threshold, x, 0) if self.threshold else jax.nn.relu(x)
        if self.max_value is not None:
            y = jnp.clip(y, 0, self.max_value)
        if self.negative_slope:
            y = y - self.negative_slope * below
        return y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """`x` for `x >= 0`, `negative_slope * x` below 0.

    Args:
      negative_slope: the slope for negative inputs (a number >= 0, default 0.3, Keras's). Keras 2's name
        `alpha` is accepted too, with Keras's deprecation warning.

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.LeakyReLU(0.5)(jnp.array([-2.0, 3.0])).tolist()
      [-1.0, 3.0]
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(
            negative_slope, "The negative_slope value of a Leaky ReLU layer cannot be None or negative value",
            "negative_slope")

    def call(self, x):
        return jax.nn.leaky_relu(_floats(x, self.compute_dtype), negative_slope=self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """The exponential linear unit: `x` for `x >= 0`, `alpha * (exp(x) - 1)` below 0.

    Args:
      alpha: the scale of the negative part (default 1.0).

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.ELU()(jnp.array([0.0, 2.0])).tolist()
      [0.0, 2.0]
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = checks.number(alpha, "alpha", "ELU")

    def call(self, x):
        return jax.nn.elu(_floats(x, self.compute_dtype), alpha=self.alpha)

    def get_config(self) -> dict[str, Any]:
        # Keras's ELU leaves `alpha` out of its config, so a reloaded ELU silently gets alpha=1; kept here.
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """A leaky ReLU whose negative slope `alpha` is learned, one per input value.

    `f(x) = relu(x) - alpha * relu(-x)`. `alpha` has the shape of one sample, except on `shared_axes`,
    where it has size 1 and is shared (e.g. `shared_axes=[1, 2]` for one slope per channel of an image).

    Args:
      alpha_initializer: initializer of `alpha` (default "Zeros": a plain ReLU at first).
      alpha_regularizer: a penalty on `alpha` added to the training loss.
      alpha_constraint: a projection of `alpha` after each optimizer update.
      shared_axes: an axis or list of axes (>= 1, batch axis excluded) along which `alpha` is shared.

    Input shape: any, with known sizes past the batch axis. Output shape: the input shape.
    Weights: `alpha` of shape `input_shape[1:]`, with 1 on `shared_axes`.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> layer = ks.layers.PReLU(alpha_initializer="ones", shared_axes=[1])
      >>> layer(jnp.array([[[-2.0, 1.0], [3.0, -4.0]]])).tolist(), layer.alpha.shape
      ([[[-2.0, 1.0], [3.0, -4.0]]], (1, 2))
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None, alpha_constraint: Any = None,
                 shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = _initializers.get(alpha_initializer)
        self.alpha_regularizer = _regularizers.get(alpha_regularizer)
        self.alpha_constraint = _constraints.get(alpha_constraint)
        axes = [shared_axes] if checks.is_int(shared_axes) else shared_axes
        if axes is not None and (not isinstance(axes, (list, tuple)) or not all(
                checks.is_int(a) and a >= 1 for a in axes)):
            raise ValueError(f"Argument `shared_axes` of PReLU must be None, an int >= 1 or a list of such ints "
                             f"(axis 0, the batch, is never shared), received {shared_axes!r}.")
        self.shared_axes = None if axes is None else [int(a) for a in axes]

    def build(self, input_shape: Shape) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis >= len(input_shape):
                raise ValueError(f"Layer '{self.name}': shared axis {axis} is out of range for inputs of shape "
                                 f"{format_shape(input_shape)}.")
            shape[axis - 1] = 1
        if None in shape:
            raise ValueError(f"Layer '{self.name}' (PReLU) needs known sizes on every axis but the batch and the "
                             f"shared ones, received input_shape {format_shape(input_shape)}; share the unknown "
                             f"axes with `shared_axes`.")
        self.add_weight(tuple(shape), self.alpha_initializer, name="alpha", regularizer=self.alpha_regularizer,
                        constraint=self.alpha_constraint)

    def check_input_shape(self, shape: Shape) -> None:
        expected = self.alpha.shape
        if len(shape) != len(expected) + 1 or any(a != 1 and d is not None and d != a
                                                  for a, d in zip(expected, shape[1:])):
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: its alpha has shape "
                             f"{format_shape(expected)}, which does not fit inputs of shape {format_shape(shape)}.")

    def call(self, x):
        x = _floats(x, self.compute_dtype)
        return jax.nn.relu(x) - self.alpha[...] * jax.nn.relu(-x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha_initializer": _initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": _regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": _constraints.serialize(self.alpha_constraint), "shared_axes": self.shared_axes}


class Softmax(_Elementwise):
    """The softmax over `axis` (one axis, or several normalized together), with an optional mask.

    Args:
      axis: an int or a list of ints (default -1).

    Call arguments:
      mask: booleans (or 0/1 numbers) broadcastable to the input, True where a value counts: masked
        values get probability 0, and the rest sum to 1 (Keras's rule; its large negative number is
        added before the softmax). Sequential and functional models pass the previous layer's mask.

    Input shape: any. Output shape: the input shape.

    Example:
      >>> import jax.numpy as jnp
      >>> import kerasish as ks
      >>> ks.layers.Softmax()(jnp.array([[0.0, 0.0, 5.0]]), mask=jnp.array([[True, True, False]])).tolist()
      [[0.5, 0.5, 0.0]]
    """

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not checks.is_int(axis) and not (isinstance(axis, (list, tuple)) and axis
                                            and all(checks.is_int(a) for a in axis)):
            raise ValueError(f"Argument `axis` of Softmax must be an int or a non-empty list of ints, received "
                             f"{axis!r}.")
        self.axis = int(axis) if checks.is_int(axis) else type(axis)(int(a) for a in axis)

    def call(self, x, mask=None):
        x = _floats(x, self.compute_dtype)
        if mask is not None:
            mask = jnp.asarray(mask)
            if mask.ndim > x.ndim:
                raise ValueError(f"The `mask` of layer '{self.name}' (Softmax) must be broadcastable to `inputs` and "
                                 f"must not have more dimensions. Received: inputs.shape={format_shape(x.shape)}, "
                                 f"mask.shape={format_shape(mask.shape)}")
            if any(m != 1 and m != d for m, d in zip(mask.shape[::-1], x.shape[::-1])):
                raise ValueError(f"The `mask` of layer '{self.name}' (Softmax) must be broadcastable to `inputs`. "
                                 f"Each mask dimension must be 1 or match the corresponding input dimension. Received: "
                                 f"inputs.shape={format_shape(x.shape)}, mask.shape={format_shape(mask.shape)}")
            if mask.dtype != jnp.bool_:
                mask = mask > 0.5
            x = jnp.where(mask, x, -3e4 if x.dtype == jnp.float16 else -1e9)
        axis = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis
        if isinstance(axis, tuple) and len(axis) > 1:
            y = jnp.exp(x - jax.nn.logsumexp(x, axis=axis, keepdims=True))
        else:
            y = jax.nn.softmax(x, axis=axis[0] if isinstance(axis, tuple) else axis)
        if mask is not None:
            y = jnp.where(mask, y, 0.0)
        return y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}

