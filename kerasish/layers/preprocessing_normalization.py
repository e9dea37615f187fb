"""Preprocessing inside the model: Normalization, with statistics from `adapt(data)` or given.

The math is Keras 3's: `(x - mean) / maximum(sqrt(variance), epsilon)` with Keras's
`epsilon = 1e-7` (`invert=True`: `mean + x * maximum(sqrt(variance), epsilon)`). `adapt` runs on the
host with NumPy, as Keras does for NumPy data, and writes the statistics into non-trainable weights.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
from kerasish.layers.base import Layer
from kerasish.shapes import Shape, format_shape

EPSILON = 1e-7  # keras.config.epsilon()


def _axes(axis: Any) -> tuple[int, ...]:
    if axis is None:
        return ()
    if checks.is_int(axis):
        return (int(axis),)
    if isinstance(axis, (tuple, list)) and all(checks.is_int(a) for a in axis):
        return tuple(int(a) for a in axis)
    raise ValueError(f"Argument `axis` of Normalization must be an int, a list of ints or None, received {axis!r}.")


def _as_config(value: Any) -> Any:
    return None if value is None else np.asarray(value).tolist()


class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 per feature: `(x - mean) / sqrt(variance)`.

    The statistics either come from `adapt(data)`, which computes them over every axis but `axis`
    on NumPy data (host side) and stores them in the non-trainable weights `mean` and `variance`,
    or are given as `mean` and `variance` (then the layer has no weights). As in Keras, the
    divisor is `maximum(sqrt(variance), 1e-7)`, so a constant feature does not divide by zero.

    Args:
      axis: the axis (or axes) that keep their own statistics; default -1, the features. `None`
        computes one mean and one variance over everything. The batch axis cannot be kept.
      mean: the mean to subtract, a number or an array broadcast over the kept axes; give
        `variance` with it.
      variance: the variance to divide by (through its square root), same shape as `mean`.
      invert: apply the inverse transformation, `mean + x * sqrt(variance)` (default False).

    Input shape: any, with known sizes on `axis`. Output shape: the input shape (float).
    Weights (Keras's order, after `build` when `mean` is not given): `mean` and `variance` of the
    kept axes' shape, and `count` (an int32 scalar, kept at 0 as in Keras) -- all non-trainable.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> layer = ks.layers.Normalization()
      >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]], np.float32))
      >>> np.asarray(layer(np.array([[1.0, 20.0]], np.float32))).tolist()
      [[0.0, 0.0]]
    """

    supports_masking = True  # hands the mask on unchanged, as in Keras

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None, invert: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axes(axis)
        self.invert = checks.boolean(invert, "invert", "Normalization")
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization needs both `mean` and `variance` when setting values directly, "
                             f"received mean={mean!r} and variance={variance!r}.")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Arguments `mean` and `variance` of Normalization must have the same shape, "
                                 f"received {np.shape(mean)} and {np.shape(variance)}.")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"The rank of `mean` of Normalization must be at most the number of axes "
                                 f"({len(self.axis)}), received mean of shape {np.shape(mean)} for axis {self.axis}.")
        self.input_mean = _as_config(mean)
        self.input_variance = _as_config(variance)

    # -- shapes -------------------------------------------------------------------------------

    def _keep_axes(self, input_shape: Shape) -> tuple[int, ...]:
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"Layer '{self.name}': every `axis` value must be in [-ndim, ndim), received inputs of "
                             f"shape {format_shape(input_shape)} (ndim={ndim}) and axis={self.axis}.")
        keep = tuple(sorted(a % ndim for a in self.axis))
        if 0 in keep:
            raise ValueError(f"Layer '{self.name}' cannot keep statistics per batch index (axis 0); received "
                             f"axis={self.axis} for inputs of shape {format_shape(input_shape)}.")
        if any(input_shape[a] is None for a in keep):
            raise ValueError(f"Layer '{self.name}' needs known sizes on the axes {keep}, received input_shape "
                             f"{format_shape(input_shape)}.")
        return keep

    def build(self, input_shape: Shape) -> None:
        keep = self._keep_axes(input_shape)
        self._keep = keep
        self._ndim = len(input_shape)
        self._stat_shape = tuple(input_shape[a] for a in keep)
        if self.input_mean is None:
            self.add_weight(self._stat_shape, "zeros", trainable=False, name="mean")
            self.add_weight(self._stat_shape, "ones", trainable=False, name="variance")
            self.add_weight((), "zeros", trainable=False, name="count", dtype=jnp.int32)

    def check_input_shape(self, shape: Shape) -> None:
        if len(shape) != self._ndim:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                             f"ndim={self._ndim}, found ndim={len(shape)}. Full shape received: "
                             f"{format_shape(shape)}.")
        for a, size in zip(self._keep, self._stat_shape):
            checks.check_axis_size(shape, a, size, self.name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    # -- statistics ---------------------------------------------------------------------------

    def _broadcast_shape(self) -> tuple[int, ...]:
        return tuple(self._stat_shape[self._keep.index(d)] if d in self._keep else 1 for d in range(self._ndim))

    def _statistics(self):
        shape = self._broadcast_shape()
        if self.input_mean is None:
            return jnp.reshape(self.mean[...], shape), jnp.reshape(self.variance[...], shape)
        mean = np.asarray(self.input_mean, np.float64)
        variance = np.asarray(self.input_variance, np.float64)
        if mean.ndim:  # the given statistics' axes line up with the last kept axes
            expanded = [1] * self._ndim
            for i in range(1, mean.ndim + 1):
                expanded[self._keep[-i]] = mean.shape[-i]
            mean, variance = mean.reshape(expanded), variance.reshape(expanded)
        mean = np.broadcast_to(mean, shape)
        variance = np.broadcast_to(variance, shape)
        return jnp.asarray(mean, self.dtype), jnp.asarray(variance, self.dtype)

    def adapt(self, data: Any) -> None:
        """Sets `mean` and `variance` from `data`, over every axis but `axis`, with NumPy on the host.

        Args:
          data: a NumPy (or JAX) array of samples, batch axis first, or an iterable of such batches
            (combined exactly, as Keras does).

        Raises:
          ValueError: if the layer was given `mean`/`variance`, or `data`'s kept axes do not match
            the shape the layer was built for.
        """
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was given `mean` and `variance`; it cannot also adapt to data.")
        if isinstance(data, (np.ndarray, jax.Array)):
            batches = [np.asarray(data)]
        elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict)):
            batches = [np.asarray(batch) for batch in data]
            if not batches:
                raise ValueError("Normalization.adapt received an empty iterable: give it at least one batch.")
        else:
            raise TypeError(f"Normalization.adapt expects a NumPy array or an iterable of arrays, received "
                            f"{type(data).__name__}.")
        if not self.built:
            self.build_for((None,) + tuple(batches[0].shape[1:]))
        reduce = tuple(d for d in range(self._ndim) if d not in self._keep)
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            self.check_input_shape(tuple(batch.shape))
            batch_mean, batch_var = np.mean(batch, axis=reduce), np.var(batch, axis=reduce)
            if total_mean is None:
                total_mean, total_var = batch_mean, batch_var
                total_count = int(np.prod([batch.shape[d] for d in reduce]))
                continue
            count = int(np.prod([batch.shape[d] for d in reduce]))
            total_count += count
            batch_weight = count / total_count
            existing_weight = 1.0 - batch_weight
            new_mean = total_mean * existing_weight + batch_mean * batch_weight
            total_var = ((total_var + (total_mean - new_mean) ** 2) * existing_weight
                         + (batch_var + (batch_mean - new_mean) ** 2) * batch_weight)
            total_mean = new_mean
        self.mean[...] = jnp.asarray(np.reshape(total_mean, self._stat_shape), self.mean.dtype)
        self.variance[...] = jnp.asarray(np.reshape(total_var, self._stat_shape), self.variance.dtype)

    # -- computation --------------------------------------------------------------------------

    def call(self, x):
        x = jnp.asarray(x).astype(self.dtype)
        mean, variance = self._statistics()
        scale = jnp.maximum(jnp.sqrt(variance), EPSILON)
        if self.invert:
            return mean + x * scale
        return (x - mean) / scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert, "mean": self.input_mean,
                "variance": self.input_variance}
