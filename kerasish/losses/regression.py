"""Regression losses: squared, absolute, percentage and logarithmic errors, Huber, log-cosh, cosine.

Each function takes `(y_true, y_pred)` of shape `(..., d)` (or `y_true` without a trailing axis of 1) and
returns per-sample losses of shape `(...,)` (the mean, or for the cosine the sum, over the last axis), with
Keras 3's maths; each class is the function as a `Loss`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, registry
from kerasish.losses.loss import Loss, LossFunctionWrapper, squeeze_or_expand_to_same_rank


def _prepared(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    y_pred = jnp.asarray(y_pred)
    return squeeze_or_expand_to_same_rank(jnp.asarray(y_true, y_pred.dtype), y_pred)


def l2_normalize(x: Any, axis: int | None = -1) -> jax.Array:
    """`x` divided by its L2 norm along `axis` (Keras's `ops.normalize`: `x * min(rsqrt(sum(x**2)), 1/eps)`).

    Example:
      >>> l2_normalize(jnp.array([[3.0, 4.0]])).tolist()
      [[0.6000000238418579, 0.800000011920929]]
    """
    x = jnp.asarray(x)
    if x.ndim == 0:
        x = x[None]
    inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv_norm, 1.0 / backend.epsilon())


def mean_squared_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `(y_true - y_pred)**2`.

    Args:
      y_true: targets of shape `(..., d)` (or `(...,)` against predictions `(..., 1)`).
      y_pred: predictions of shape `(..., d)`.

    Returns:
      Per-sample losses of shape `(...,)`.

    Example:
      >>> mean_squared_error(jnp.array([[0.0, 2.0]]), jnp.array([[1.0, 0.0]])).tolist()
      [2.5]
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `|y_true - y_pred|`.

    Example:
      >>> mean_absolute_error(jnp.array([[0.0, 2.0]]), jnp.array([[1.0, 0.0]])).tolist()
      [1.5]
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> jax.Array:
    """`100 *` the mean over the last axis of `|y_true - y_pred| / max(|y_true|, epsilon)`.

    Example:
      >>> mean_absolute_percentage_error(jnp.array([[1.0, 4.0]]), jnp.array([[2.0, 3.0]])).tolist()
      [62.5]
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    epsilon = jnp.asarray(backend.epsilon(), y_pred.dtype)
    return 100.0 * jnp.mean(jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), epsilon)), axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))**2`.

    Example:
      >>> round(mean_squared_logarithmic_error(jnp.array([[0.0]]), jnp.array([[1.0]])).item(), 4)
      0.4805
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    epsilon = backend.epsilon()
    first = jnp.log(jnp.maximum(y_pred, epsilon) + 1.0)
    second = jnp.log(jnp.maximum(y_true, epsilon) + 1.0)
    return jnp.mean(jnp.square(first - second), axis=-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Minus the cosine similarity of `y_true` and `y_pred` along `axis`: -1 for vectors pointing the same
    way, 0 for orthogonal ones, 1 for opposite ones (as a loss, lower is more similar).

    Example:
      >>> cosine_similarity(jnp.array([[0.0, 1.0]]), jnp.array([[0.0, 2.0]])).tolist()
      [-1.0]
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    return -jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> jax.Array:
    """Mean over the last axis of the Huber loss of `e = y_pred - y_true`: `0.5 e**2` where `|e| <= delta`,
    else `delta |e| - 0.5 delta**2`.

    Example:
      >>> huber(jnp.array([[0.0, 0.0]]), jnp.array([[0.5, 3.0]])).tolist()
      [1.3125]
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    delta = jnp.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    half = jnp.asarray(0.5, abs_error.dtype)
    return jnp.mean(jnp.where(abs_error <= delta, half * jnp.square(error),
                              delta * abs_error - half * jnp.square(delta)), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `log(cosh(y_pred - y_true))` (computed as `x + softplus(-2x) - log 2`).

    Example:
      >>> round(log_cosh(jnp.array([[0.0]]), jnp.array([[1.0]])).item(), 4)
      0.4338
    """
    y_true, y_pred = _prepared(y_true, y_pred)
    x = y_pred - y_true
    return jnp.mean(x + jax.nn.softplus(-2.0 * x) - jnp.asarray(jnp.log(2.0), y_pred.dtype), axis=-1)


class _Plain(LossFunctionWrapper):
    """A wrapper whose config is Keras's `{"name", "reduction"}` only."""

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class MeanSquaredError(_Plain):
    """`mean_squared_error` as a `Loss`.

    Args:
      reduction: see `kerasish.losses.Loss`.
      name: the loss's name.
      dtype: the dtype of the computation.

    Example:
      >>> float(MeanSquaredError()(jnp.array([0.0, 1.0]), jnp.array([[1.0], [1.0]])))
      0.5
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "mean_squared_error",
                 dtype: Any = None) -> None:
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(_Plain):
    """`mean_absolute_error` as a `Loss` (arguments as `MeanSquaredError`).

    Example:
      >>> float(MeanAbsoluteError()(jnp.array([0.0, 1.0]), jnp.array([[1.0], [1.0]])))
      0.5
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "mean_absolute_error",
                 dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(_Plain):
    """`mean_absolute_percentage_error` as a `Loss` (arguments as `MeanSquaredError`).

    Example:
      >>> float(MeanAbsolutePercentageError()(jnp.array([[1.0, 4.0]]), jnp.array([[2.0, 3.0]])))
      62.5
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)


class MeanSquaredLogarithmicError(_Plain):
    """`mean_squared_logarithmic_error` as a `Loss` (arguments as `MeanSquaredError`).

    Example:
      >>> round(float(MeanSquaredLogarithmicError()(jnp.array([[0.0]]), jnp.array([[1.0]]))), 4)
      0.4805
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)


class CosineSimilarity(_Plain):
    """`cosine_similarity` as a `Loss`: minus the cosine similarity along `axis`.

    Args:
      axis: the axis of the vectors (Keras 3.15 does not record it in `get_config`).
      reduction, name, dtype: see `MeanSquaredError`.

    Example:
      >>> float(CosineSimilarity()(jnp.array([[0.0, 1.0]]), jnp.array([[0.0, 2.0]])))
      -1.0
    """

    def __init__(self, axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "cosine_similarity", dtype: Any = None) -> None:
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)


class Huber(_Plain):
    """`huber` as a `Loss`.

    Args:
      delta: where the loss turns from quadratic to linear; must be positive (Keras 3.15 does not record it
        in `get_config`).
      reduction, name, dtype: see `MeanSquaredError`.

    Raises:
      ValueError: for a `delta` that is not a positive number.

    Example:
      >>> float(Huber()(jnp.array([0.0]), jnp.array([3.0])))
      2.5
    """

    def __init__(self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size", name: str = "huber_loss",
                 dtype: Any = None) -> None:
        if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not delta > 0:
            raise ValueError(f"Argument `delta` of Huber must be a positive number, received delta={delta!r}.")
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(_Plain):
    """`log_cosh` as a `Loss` (arguments as `MeanSquaredError`).

    Example:
      >>> round(float(LogCosh()(jnp.array([[0.0]]), jnp.array([[1.0]]))), 4)
      0.4338
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "log_cosh",
                 dtype: Any = None) -> None:
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


for _cls in (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
             CosineSimilarity, Huber, LogCosh, mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
             mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh):
    registry.register_builtin("losses", _cls)
