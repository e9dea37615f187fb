"""Accuracy metrics, with Keras 3's maths: exact match, binary (threshold), categorical (argmax of one-hot
labels), sparse categorical (integer labels) and top-k. Each function gives one 0/1 value per sample; each
class is the weighted mean of its function (`MeanMetricWrapper`)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, registry
from kerasish.losses.loss import squeeze_or_expand_to_same_rank
from kerasish.metrics.reduction import MeanMetricWrapper


def _floatx(matches: jax.Array) -> jax.Array:
    return matches.astype(backend.floatx())


def accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where `y_true == y_pred` exactly, else 0.0.

    Example:
      >>> accuracy(jnp.array([1, 2]), jnp.array([1, 3])).tolist()
      [1.0, 0.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true, y_pred.dtype), y_pred)
    return _floatx(y_true == y_pred)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> jax.Array:
    """1.0 where `(y_pred > threshold) == y_true`, else 0.0.

    Example:
      >>> binary_accuracy(jnp.array([1.0, 0.0]), jnp.array([[0.7], [0.6]])).tolist()
      [[1.0], [0.0]]
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true), jnp.asarray(y_pred))
    return _floatx(y_true == (y_pred > threshold).astype(y_true.dtype))


def _reshaped_matches(y_true: jax.Array, predicted: jax.Array, original_shape: tuple, reshape: bool) -> jax.Array:
    matches = _floatx(y_true == predicted.astype(y_true.dtype))
    return matches.reshape(original_shape) if reshape else matches


def categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where `argmax(y_true, -1) == argmax(y_pred, -1)` (one-hot labels), else 0.0.

    Example:
      >>> categorical_accuracy(jnp.array([[0, 1], [1, 0]]), jnp.array([[0.2, 0.8], [0.3, 0.7]])).tolist()
      [1.0, 0.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.argmax(jnp.asarray(y_true), axis=-1).astype(y_pred.dtype)
    original_shape = y_true.shape
    reshape = y_true.ndim == y_pred.ndim
    if reshape:
        y_true = jnp.squeeze(y_true, -1)
    return _reshaped_matches(y_true, jnp.argmax(y_pred, axis=-1), original_shape, reshape)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where the integer label equals `argmax(y_pred, -1)`, else 0.0; labels `(N,)` or `(N, 1)`.

    Example:
      >>> sparse_categorical_accuracy(jnp.array([[1], [1]]), jnp.array([[0.2, 0.8], [0.3, 0.1]])).tolist()
      [1.0, 0.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    original_shape = y_true.shape
    reshape = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if reshape:
        y_true = jnp.squeeze(y_true, -1)
    matches = _reshaped_matches(y_true, jnp.argmax(y_pred, axis=-1), original_shape, reshape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def in_top_k(targets: Any, predictions: Any, k: int) -> jax.Array:
    """Whether each target's score is among the `k` largest of its row (ties count in the target's favour; a NaN
    score never does), as Keras's `ops.in_top_k`.

    Example:
      >>> in_top_k(jnp.array([0, 1]), jnp.array([[0.1, 0.9, 0.0], [0.1, 0.9, 0.0]]), k=1).tolist()
      [False, True]
    """
    predictions = jnp.asarray(predictions)
    at_label = jnp.take_along_axis(predictions, jnp.asarray(targets)[..., None], axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(predictions > at_label, axis=-1)
    return rank <= k


def _flattened_for_top_k(y_true: jax.Array, y_pred: jax.Array) -> tuple[jax.Array, jax.Array, tuple, bool]:
    original_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    reshape = y_true.ndim > 1
    if reshape:
        y_true = y_true.reshape(-1)
    return y_true, y_pred, original_shape, reshape


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> jax.Array:
    """1.0 where the one-hot label's class is among the `k` highest scores, else 0.0.

    Example:
      >>> top_k_categorical_accuracy(jnp.array([[0, 0, 1], [0, 1, 0]]), jnp.array([[0.1, 0.2, 0.7], [0.5, 0.2, 0.3]]),
      ...                            k=2).tolist()
      [1.0, 0.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.argmax(jnp.asarray(y_true, y_pred.dtype), axis=-1)
    y_true, y_pred, original_shape, reshape = _flattened_for_top_k(y_true, y_pred)
    matches = _floatx(in_top_k(y_true.astype(jnp.int32), y_pred, k))
    return matches.reshape(original_shape) if reshape else matches


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
                                      ) -> jax.Array:
    """1.0 where the integer label is among the `k` highest scores, else 0.0. With `from_sorted_ids`, `y_pred`
    holds class ids sorted by decreasing score (e.g. a retrieval's results) and the first `k` are looked at.

    Example:
      >>> sparse_top_k_categorical_accuracy(jnp.array([2, 1]), jnp.array([[0.1, 0.2, 0.7], [0.5, 0.2, 0.3]]),
      ...                                   k=2).tolist()
      [1.0, 0.0]
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype if from_sorted_ids else jnp.int32)
    y_true, y_pred, original_shape, reshape = _flattened_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        matches = jnp.any(y_true[:, None] == y_pred[:, :k], axis=1)
    else:
        matches = in_top_k(y_true, y_pred, k)
    matches = _floatx(matches)
    return matches.reshape(original_shape) if reshape else matches


class Accuracy(MeanMetricWrapper):
    """How often predictions exactly equal the labels.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = Accuracy()
      >>> m.update_state([1, 2], [1, 3])
      >>> float(m.result())
      0.5
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(fn=accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often `(y_pred > threshold) == y_true`.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      threshold: the decision threshold on `y_pred`.

    Example:
      >>> m = BinaryAccuracy()
      >>> m.update_state([1.0, 0.0], [[0.7], [0.6]])
      >>> float(m.result())
      0.5
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the predictions matches that of the one-hot labels.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = CategoricalAccuracy()
      >>> m.update_state([[0, 1]], [[0.2, 0.8]])
      >>> float(m.result())
      1.0
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the predictions equals the integer label.

    Args:
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = SparseCategoricalAccuracy()
      >>> m.update_state([0, 1], [[0.2, 0.8], [0.1, 0.9]])
      >>> float(m.result())
      0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the `k` highest predictions.

    Args:
      k: how many of the highest predictions count.
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = TopKCategoricalAccuracy(k=1)
      >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
      >>> float(m.result())
      0.5
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the `k` highest predictions.

    Args:
      k: how many of the highest predictions count.
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      from_sorted_ids: `y_pred` holds class ids sorted by decreasing score, not scores.

    Example:
      >>> m = SparseTopKCategoricalAccuracy(k=1)
      >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
      >>> float(m.result())
      0.5
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None,
                 from_sorted_ids: bool = False) -> None:
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k, self.from_sorted_ids = k, from_sorted_ids

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


for _obj in (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
             SparseTopKCategoricalAccuracy, accuracy, binary_accuracy, categorical_accuracy,
             sparse_categorical_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy):
    registry.register_builtin("metrics", _obj)
