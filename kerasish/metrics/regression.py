"""Regression metrics, with Keras 3's maths: mean squared / absolute / percentage / squared-logarithmic error,
root mean squared error, cosine similarity, log-cosh error, and the coefficient of determination (R2)."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from kerasish import losses, registry
from kerasish.losses.loss import squeeze_or_expand_to_same_rank
from kerasish.losses.regression import l2_normalize
from kerasish.metrics.metric import Metric
from kerasish.metrics.reduction import Mean, MeanMetricWrapper


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """The cosine similarity of `y_true` and `y_pred` along `axis` (1: same direction).

    Example:
      >>> cosine_similarity(jnp.array([[0.0, 1.0]]), jnp.array([[0.0, 2.0]])).tolist()
      [1.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true, y_pred.dtype), y_pred)
    return jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


class _NameAndDtype(MeanMetricWrapper):
    """A wrapper whose config is `{"name", "dtype"}` only, as Keras's."""

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_NameAndDtype):
    """The mean of `kerasish.losses.mean_squared_error` over the samples.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = MeanSquaredError()
      >>> m.update_state([0.0, 0.0], [[1.0], [3.0]])
      >>> float(m.result())
      5.0
    """

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(fn=losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_NameAndDtype):
    """The mean of `kerasish.losses.mean_absolute_error` over the samples (arguments as `MeanSquaredError`).

    Example:
      >>> m = MeanAbsoluteError()
      >>> m.update_state([0.0, 0.0], [[1.0], [3.0]])
      >>> float(m.result())
      2.0
    """

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_error, name, dtype=dtype)


class MeanAbsolutePercentageError(_NameAndDtype):
    """The mean of `kerasish.losses.mean_absolute_percentage_error` (arguments as `MeanSquaredError`).

    Example:
      >>> m = MeanAbsolutePercentageError()
      >>> m.update_state([[1.0, 4.0]], [[2.0, 3.0]])
      >>> float(m.result())
      62.5
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_percentage_error, name, dtype=dtype)


class MeanSquaredLogarithmicError(_NameAndDtype):
    """The mean of `kerasish.losses.mean_squared_logarithmic_error` (arguments as `MeanSquaredError`).

    Example:
      >>> m = MeanSquaredLogarithmicError()
      >>> m.update_state([[0.0]], [[1.0]])
      >>> round(float(m.result()), 4)
      0.4805
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_squared_logarithmic_error, name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the (weighted) mean of the squared errors over every element.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = RootMeanSquaredError()
      >>> m.update_state([[0.0, 0.0]], [[3.0, 5.0]])
      >>> round(float(m.result()) ** 2, 4)
      17.0
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = jnp.asarray(y_true, self.dtype), jnp.asarray(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(jnp.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> jax.Array:
        return jnp.sqrt(super().result())


class CosineSimilarity(_NameAndDtype):
    """The mean cosine similarity of the samples' label and prediction vectors along `axis`.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      axis: the axis of the vectors (Keras does not record it in `get_config`).

    Example:
      >>> m = CosineSimilarity()
      >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
      >>> round(float(m.result()), 4)
      0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)


class LogCoshError(_NameAndDtype):
    """The mean of `kerasish.losses.log_cosh` over the samples (default name `"logcosh"`, as Keras's).

    Example:
      >>> m = LogCoshError()
      >>> m.update_state([[0.0]], [[1.0]])
      >>> round(float(m.result()), 4)
      0.4338
    """

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(losses.log_cosh, name, dtype=dtype)


class R2Score(Metric):
    """The coefficient of determination `1 - sum((y - y_pred)**2) / sum((y - mean(y))**2)` per output column,
    accumulated over batches (with weights: weighted sums), optionally adjusted for `num_regressors`. The
    adjusted form counts the samples of non-zero weight, as Keras 3.16 corrected it (3.15 counted every
    element, so its adjusted R2 of several outputs used `n` times the number of outputs).

    Inputs are `(batch, outputs)` (a vector of targets against `(batch, 1)` predictions is reconciled).

    Args:
      class_aggregation: how the columns' scores combine: `"uniform_average"` (their mean, default),
        `"variance_weighted_average"` (weighted by each column's variance) or None (one score per column).
      num_regressors: the number of independent variables, for the adjusted R2 (0: the plain R2).
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Raises:
      ValueError: for an unknown `class_aggregation`, a negative `num_regressors`, or inputs that are not 2-D.

    Example:
      >>> m = R2Score()
      >>> m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
      >>> float(m.result())
      0.5
    """

    _AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in self._AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of "
                             f"{list(self._AGGREGATIONS)}. Received: class_aggregation={class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. Received: "
                             f"num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    @property
    def needs_build(self) -> bool:
        return not self._built

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        outputs = y_pred_shape[-1]
        self.squared_sum = self.add_variable(name="squared_sum", shape=(outputs,), initializer="zeros")
        self.sum = self.add_variable(name="sum", shape=(outputs,), initializer="zeros")
        self.total_mse = self.add_variable(name="residual", shape=(outputs,), initializer="zeros")
        self.count = self.add_variable(name="count", shape=(outputs,), initializer="zeros")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = jnp.asarray(y_true, self.dtype), jnp.asarray(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        weight = jnp.asarray(1 if sample_weight is None else sample_weight, self.dtype)
        if weight.ndim == 1:
            weight = weight[:, None]
        weight = jnp.broadcast_to(weight, y_true.shape)
        weighted = y_true * weight
        self.sum.assign_add(jnp.sum(weighted, axis=0))
        self.squared_sum.assign_add(jnp.sum(y_true * weighted, axis=0))
        self.total_mse.assign_add(jnp.sum((y_true - y_pred) ** 2 * weight, axis=0))
        self.count.assign_add(jnp.sum(weight, axis=0))
        self.num_samples.assign_add(jnp.sum(jnp.any(weight != 0, axis=-1).astype(self.dtype)))

    def result(self) -> jax.Array:
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw = 1 - self.total_mse.value / total
        raw = jnp.where(jnp.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = jnp.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = jnp.sum(total * raw) / jnp.sum(total)
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        n = self.num_samples.value.astype(jnp.float32)
        p = jnp.float32(self.num_regressors)
        if not isinstance(n, jax.core.Tracer):  # Keras's warnings, when the value is at hand
            if self.num_regressors > float(n) - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            elif self.num_regressors == float(n) - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                              stacklevel=2)
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return jnp.where(p < n - 1.0, adjusted, score)

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(jnp.zeros(v.shape, v.value.dtype))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


for _obj in (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
             RootMeanSquaredError, CosineSimilarity, LogCoshError, R2Score):
    registry.register_builtin("metrics", _obj)
