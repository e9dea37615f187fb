"""Losses between distributions and counts: Kullback-Leibler divergence and Poisson, with Keras 3's maths."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, registry
from kerasish.losses.loss import Loss, LossFunctionWrapper


def kl_divergence(y_true: Any, y_pred: Any) -> jax.Array:
    """`sum(y_true * log(y_true / y_pred))` over the last axis, both clipped to `[epsilon, 1]`.

    Args:
      y_true: a distribution, of shape `(..., d)`.
      y_pred: a distribution, of shape `(..., d)`.

    Returns:
      Per-sample losses of shape `(...,)`.

    Example:
      >>> round(kl_divergence(jnp.array([[0.5, 0.5]]), jnp.array([[0.25, 0.75]])).item(), 4)
      0.1438
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.clip(jnp.asarray(y_true, y_pred.dtype), backend.epsilon(), 1)
    y_pred = jnp.clip(y_pred, backend.epsilon(), 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean over the last axis of `y_pred - y_true * log(y_pred + epsilon)` (the Poisson negative
    log-likelihood of counts `y_true` up to a constant).

    Example:
      >>> round(poisson(jnp.array([[1.0, 2.0]]), jnp.array([[1.0, 1.0]])).item(), 4)
      1.0
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + jnp.asarray(backend.epsilon(), y_pred.dtype)), axis=-1)


class KLDivergence(LossFunctionWrapper):
    """`kl_divergence` as a `Loss`.

    Args:
      reduction, name, dtype: see `kerasish.losses.Loss`.

    Example:
      >>> round(float(KLDivergence()(jnp.array([[0.5, 0.5]]), jnp.array([[0.25, 0.75]]))), 4)
      0.1438
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "kl_divergence",
                 dtype: Any = None) -> None:
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class Poisson(LossFunctionWrapper):
    """`poisson` as a `Loss` (arguments as `KLDivergence`).

    Example:
      >>> round(float(Poisson()(jnp.array([[1.0, 2.0]]), jnp.array([[1.0, 1.0]]))), 4)
      1.0
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


for _obj in (KLDivergence, Poisson, kl_divergence, poisson):
    registry.register_builtin("losses", _obj)
