"""Hinge losses for maximum-margin classifiers, with Keras 3's maths: `hinge`, `squared_hinge` (labels -1/1, or
0/1 converted to -1/1) and `categorical_hinge` (one-hot labels)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import registry
from kerasish.losses.loss import Loss, LossFunctionWrapper


def _signed_labels(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    """`y_true` cast to `y_pred`'s dtype, mapped from 0/1 to -1/1 when every label is 0 or 1 (as Keras does)."""
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true), y_pred


def hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `max(1 - y_true * y_pred, 0)`.

    Args:
      y_true: labels -1/1 (or 0/1), of shape `(..., d)`.
      y_pred: scores of shape `(..., d)`.

    Returns:
      Per-sample losses of shape `(...,)`.

    Example:
      >>> hinge(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]])).tolist()
      [1.0]
    """
    y_true, y_pred = _signed_labels(y_true, y_pred)
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `max(1 - y_true * y_pred, 0)**2`.

    Example:
      >>> squared_hinge(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]])).tolist()
      [1.25]
    """
    y_true, y_pred = _signed_labels(y_true, y_pred)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """`max(neg - pos + 1, 0)` with `pos = sum(y_true * y_pred)` and `neg = max((1 - y_true) * y_pred)` over
    the last axis (one-hot labels).

    Example:
      >>> [round(v, 4) for v in categorical_hinge(jnp.array([[0.0, 1.0]]), jnp.array([[0.3, 0.6]])).tolist()]
      [0.7]
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    pos = jnp.sum(y_true * y_pred, axis=-1)
    neg = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(neg - pos + 1.0, jnp.zeros((), y_pred.dtype))


class _Plain(LossFunctionWrapper):
    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class Hinge(_Plain):
    """`hinge` as a `Loss`.

    Args:
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> float(Hinge()(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]])))
      1.0
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(_Plain):
    """`squared_hinge` as a `Loss` (arguments as `Hinge`).

    Example:
      >>> float(SquaredHinge()(jnp.array([[0.0, 1.0]]), jnp.array([[0.5, 0.5]])))
      1.25
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "squared_hinge",
                 dtype: Any = None) -> None:
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(_Plain):
    """`categorical_hinge` as a `Loss` (arguments as `Hinge`).

    Example:
      >>> round(float(CategoricalHinge()(jnp.array([[0.0, 1.0]]), jnp.array([[0.3, 0.6]]))), 4)
      0.7
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "categorical_hinge",
                 dtype: Any = None) -> None:
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


for _obj in (Hinge, SquaredHinge, CategoricalHinge, hinge, squared_hinge, categorical_hinge):
    registry.register_builtin("losses", _obj)
