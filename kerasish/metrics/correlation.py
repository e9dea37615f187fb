"""Correlation metrics, with Keras 3's maths: Pearson's and the concordance correlation coefficient of each
sample's label and prediction vectors (along `axis`), averaged over the samples."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, registry
from kerasish.losses.loss import squeeze_or_expand_to_same_rank
from kerasish.metrics.reduction import MeanMetricWrapper


def _prepared(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    y_pred = jnp.asarray(y_pred)
    return squeeze_or_expand_to_same_rank(jnp.asarray(y_true, y_pred.dtype), y_pred)


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Pearson's correlation coefficient of `y_true` and `y_pred` along `axis`.

    Example:
      >>> round(pearson_correlation(jnp.array([[1.0, 2.0, 3.0]]), jnp.array([[2.0, 4.0, 7.0]])).item(), 4)
      0.9934
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    true_centered = y_true - jnp.mean(y_true, axis=axis, keepdims=True)
    pred_centered = y_pred - jnp.mean(y_pred, axis=axis, keepdims=True)
    true_centered = true_centered / jnp.std(true_centered, axis=axis, keepdims=True)
    pred_centered = pred_centered / jnp.std(pred_centered, axis=axis, keepdims=True)
    return jnp.mean(true_centered * pred_centered, axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """The concordance correlation coefficient of `y_true` and `y_pred` along `axis` (agreement, not only
    correlation: it also penalizes a shift or a scale between them), with Keras's formula.

    Example:
      >>> round(concordance_correlation(jnp.array([[1.0, 2.0, 3.0]]), jnp.array([[1.0, 2.0, 3.0]])).item(), 4)
      1.0
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    true_mean = jnp.mean(y_true, axis=axis, keepdims=True)
    pred_mean = jnp.mean(y_pred, axis=axis, keepdims=True)
    true_var = jnp.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = jnp.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + jnp.square(true_mean - pred_mean)
    return jnp.mean(2 * covariance / (norm + backend.epsilon()), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean over the samples of `pearson_correlation` along `axis`.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      axis: the axis of each sample's values.

    Example:
      >>> m = PearsonCorrelation()
      >>> m.update_state([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]])
      >>> round(float(m.result()), 4)
      0.9934
    """

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean over the samples of `concordance_correlation` along `axis` (arguments as `PearsonCorrelation`).

    Example:
      >>> m = ConcordanceCorrelation()
      >>> m.update_state([[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0]])
      >>> round(float(m.result()), 4)
      1.0
    """

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


for _obj in (PearsonCorrelation, ConcordanceCorrelation, pearson_correlation, concordance_correlation):
    registry.register_builtin("metrics", _obj)
