"""Overlap losses for segmentation: Dice and Tversky, with Keras's maths (Tversky as Keras 3.16 corrected it:
`alpha` weighs the false positives and `beta` the false negatives, as both versions document)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, registry
from kerasish.losses.loss import Loss, LossFunctionWrapper

Axis = int | tuple[int, ...] | None


def dice(y_true: Any, y_pred: Any, axis: Axis = None) -> jax.Array:
    """`1 - 2 |y_true * y_pred| / (|y_true| + |y_pred| + epsilon)`, the sums over `axis` (all axes by default:
    one value for the whole batch).

    Args:
      y_true: 0/1 (or soft) masks.
      y_pred: predicted masks of `y_true`'s shape.
      axis: the axes summed over, e.g. `(1, 2, 3)` for one loss per image of `(N, H, W, C)`.

    Returns:
      The losses: `y_pred`'s shape without `axis`.

    Example:
      >>> round(float(dice(jnp.array([[1.0, 0.0]]), jnp.array([[1.0, 1.0]]))), 4)
      0.3333
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    overlap = 2.0 * intersection / (jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis) + backend.epsilon())
    return 1 - overlap


def tversky(y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Axis = None) -> jax.Array:
    """`1 - TP / (TP + alpha FP + beta FN + epsilon)` with soft counts `TP = sum(y_true y_pred)`,
    `FP = sum((1 - y_true) y_pred)`, `FN = sum(y_true (1 - y_pred))` over `axis` (Salehi et al., 2017).
    `alpha = beta = 0.5` is the Dice loss.

    Example:
      >>> round(float(tversky(jnp.array([[1.0, 0.0]]), jnp.array([[1.0, 1.0]]), alpha=0.2, beta=0.8)), 4)
      0.1667
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    true_positives = jnp.sum(y_pred * y_true, axis=axis)
    false_positives = jnp.sum((1 - y_true) * y_pred, axis=axis)
    false_negatives = jnp.sum(y_true * (1 - y_pred), axis=axis)
    index = true_positives / (true_positives + false_positives * alpha + false_negatives * beta + backend.epsilon())
    return 1 - index


class Dice(LossFunctionWrapper):
    """`dice` as a `Loss`.

    Args:
      reduction, name, dtype: see `kerasish.losses.Loss`.
      axis: the axes summed over (None: all).

    Example:
      >>> round(float(Dice()(jnp.array([[1.0, 0.0]]), jnp.array([[1.0, 1.0]]))), 4)
      0.3333
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "dice", axis: Axis = None,
                 dtype: Any = None) -> None:
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(LossFunctionWrapper):
    """`tversky` as a `Loss`.

    Args:
      alpha: the weight of the false positives.
      beta: the weight of the false negatives.
      reduction, name, dtype: see `kerasish.losses.Loss`.
      axis: the axes summed over (None: all).

    Example:
      >>> round(float(Tversky(alpha=0.2, beta=0.8)(jnp.array([[1.0, 0.0]]), jnp.array([[1.0, 1.0]]))), 4)
      0.1667
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, reduction: str | None = "sum_over_batch_size",
                 name: str = "tversky", axis: Axis = None, dtype: Any = None) -> None:
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}


for _obj in (Dice, Tversky, dice, tversky):
    registry.register_builtin("losses", _obj)
