"""Reductions over batches: `Sum`, `Mean` (a weighted mean) and `MeanMetricWrapper` (the weighted mean of a
per-sample function, the base of most built-in metrics), with Keras 3's weighting.

With weights `w` (rank-reconciled with the values, then broadcast), `Mean` accumulates `sum(v * w)` and
`sum(w)`; without, `sum(v)` and the number of samples. Values of shape `(N, ...)` are first averaged to one
per sample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerasish import registry
from kerasish.losses import loss as loss_lib
from kerasish.metrics.metric import Metric


def reduce_to_samplewise_values(values: Any, sample_weight: Any, reduce_fn: Callable, dtype: Any,
                                mask: Any = None) -> tuple[jax.Array, jax.Array | None]:
    """Keras's reduction of values and weights to one value (and weight) per sample.

    Args:
      values: an array `(N, ...)` (or a scalar).
      sample_weight: None or weights broadcastable to `values` after rank reconciliation.
      reduce_fn: `jnp.sum` or `jnp.mean`: how the trailing axes are reduced.
      dtype: the dtype of the computation.
      mask: None, or the boolean mask Keras attaches to the values; it multiplies the weights (when there
        are weights: Keras ignores it otherwise).

    Returns:
      `(weighted values of shape (N,), weights of shape (N,) or None)`.
    """
    values = jnp.asarray(values, dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, dtype)
        if mask is not None:
            sample_weight = loss_lib.apply_mask(sample_weight, mask, dtype, "sum")
        values, sample_weight = loss_lib.squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values.ndim)))
        sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen so far.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = Sum()
      >>> m.update_state([1.0, 3.0, 5.0], sample_weight=[1.0, 0.0, 1.0])
      >>> float(m.result())
      6.0
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, jnp.sum, self.dtype)
        self.total.assign_add(jnp.sum(values))

    def reset_state(self) -> None:
        self.total.assign(0)

    def result(self) -> jax.Array:
        return self.total.value.astype(self.dtype)


class Mean(Metric):
    """The (weighted) mean of the values seen so far.

    `update_state(values, sample_weight=None)`: values of shape `(N, ...)` are first averaged to one per sample.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = Mean()
      >>> m.update_state([1.0, 3.0], sample_weight=[1.0, 0.0])
      >>> float(m.result())
      1.0
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        self._accumulate(values, sample_weight)

    def _accumulate(self, values: Any, sample_weight: Any, mask: Any = None) -> None:
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, jnp.mean, self.dtype, mask)
        self.total.assign_add(jnp.sum(values))
        if sample_weight is not None:
            count = jnp.sum(sample_weight)
        else:
            count = values.shape[0] if values.ndim >= 1 else 1
        self.count.assign_add(jnp.asarray(count, self.dtype))

    def reset_state(self) -> None:
        self.total.assign(0)
        self.count.assign(0)

    def result(self) -> jax.Array:
        return loss_lib.divide_no_nan(self.total.value, self.count.value.astype(self.dtype))


class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Args:
      fn: the per-sample function, e.g. `kerasish.losses.mean_squared_error`.
      name: the metric's name (default `"mean_metric_wrapper"`, numbered when taken).
      dtype: the dtype of the computation and the result.
      **kwargs: extra keyword arguments for `fn`.

    Example:
      >>> m = MeanMetricWrapper(lambda t, p: jnp.abs(t - p), name="l1")
      >>> m.update_state(jnp.array([0.0, 0.0]), jnp.array([1.0, 3.0]))
      >>> float(m.result())
      2.0
    """

    def __init__(self, fn: Callable[..., jax.Array], name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"Argument `fn` of MeanMetricWrapper must be a function (y_true, y_pred) -> per-sample "
                            f"values, received {fn!r}.")
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    @property
    def fn(self) -> Callable[..., jax.Array]:
        """The per-sample function."""
        return self._fn

    @property
    def fn_kwargs(self) -> dict[str, Any]:
        """The keyword arguments given to `fn` (a copy)."""
        return dict(self._fn_kwargs)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = loss_lib.values_mask(self._fn, y_true, y_pred, **self._fn_kwargs)
        self._accumulate(values, sample_weight, mask)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fn": registry.get_registered_name(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            name = config["fn"] if isinstance(config["fn"], str) else config["fn"].get("config")
            found = registry.get_registered_object(name, None, {**registry.builtins("metrics"),
                                                                  **registry.builtins("losses")})
            if found is None:
                raise ValueError(f"A metric config names function {name!r}, which is neither kerasish's nor "
                                 f"registered with register_serializable; nothing in it was run.")
            config["fn"] = found
        return cls(**config)


for _cls in (Sum, Mean, MeanMetricWrapper):
    registry.register_builtin("metrics", _cls)
