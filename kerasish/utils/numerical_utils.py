"""Keras's numerical helpers: `to_categorical` (one-hot labels) and `normalize` (unit-norm rows)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["normalize", "to_categorical"]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encodes integer class labels, for `categorical_crossentropy`.

    Args:
      x: class labels, integers in [0, num_classes) (an array of any shape; a last axis of size 1 is
        dropped, as Keras does for `(n, 1)` label columns).
      num_classes: the number of classes; `max(x) + 1` by default.

    Returns:
      An array of shape `x.shape + (num_classes,)`: a float32 JAX array for a JAX array `x` (as Keras
      returns a tensor for a tensor), else a float32 NumPy array (Keras returns float64 for NumPy input;
      `fit` trains in float32 either way).

    Raises:
      ValueError: for labels that are not whole numbers, negative, or not below `num_classes`.

    Example:
      >>> to_categorical([0, 2, 1], num_classes=3).tolist()
      [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    as_tensor = isinstance(x, jax.Array)
    labels = np.asarray(x)
    if labels.dtype == object or not (np.issubdtype(labels.dtype, np.number) or labels.dtype == bool):
        raise ValueError(f"Argument `x` of to_categorical must hold integer class labels, received an array of "
                         f"dtype {labels.dtype}.")
    if labels.size and not np.all(np.mod(labels, 1) == 0):
        raise ValueError(f"Argument `x` of to_categorical must hold whole-number class labels, received values "
                         f"such as {labels[np.mod(labels, 1) != 0].flat[0].item()!r}.")
    labels = labels.astype(np.int64)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"Argument `num_classes` of to_categorical must be a positive int or None, received "
                         f"{num_classes!r}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(f"Argument `x` of to_categorical holds label {int(bad)}, outside [0, {num_classes}) "
                         f"(num_classes={num_classes}).")
    one_hot = np.eye(int(num_classes), dtype=np.float32)[labels]
    return jnp.asarray(one_hot) if as_tensor else one_hot


def normalize(x: Any, axis: int = -1, order: int | float = 2):
    """Divides `x` by its `order`-norm along `axis` (zero vectors stay zero), as `keras.utils.normalize`.

    Args:
      x: an array; a NumPy array (or list) gives NumPy back, a JAX array gives a JAX array.
      axis: the axis the norm runs over.
      order: the norm's order (2: Euclidean, 1: sum of absolute values, `np.inf`: largest absolute value).

    Returns:
      The normalized copy of `x`, same shape.

    Example:
      >>> normalize([[3.0, 4.0], [0.0, 0.0]]).tolist()
      [[0.6, 0.8], [0.0, 0.0]]
    """
    xp = jnp if isinstance(x, jax.Array) else np
    x = xp.asarray(x)
    if not xp.issubdtype(x.dtype, xp.floating):
        x = x.astype(xp.float32)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"Argument `axis` of normalize must be an axis of `x` (rank {x.ndim}), received {axis!r}.")
    norm = xp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / xp.where(norm == 0, xp.ones_like(norm), norm)
