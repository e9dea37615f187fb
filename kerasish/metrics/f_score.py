"""F-scores of multi-class / multi-label predictions, with Keras 3's maths: `FBetaScore` and `F1Score`, per
class or averaged (micro, macro, weighted)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, registry
from kerasish.metrics.metric import Metric


class FBetaScore(Metric):
    """The F-beta score `(1 + beta**2) P R / (beta**2 P + R)` of each class (or averaged), from weighted true
    positives, false positives and false negatives of 2-D `(batch, classes)` inputs.

    Args:
      average: None (one score per class, the default), `"micro"` (counts pooled over classes), `"macro"`
        (the mean of the classes' scores) or `"weighted"` (their mean weighted by each class's support).
      beta: the weight of recall against precision (a float > 0).
      threshold: predictions above it are positive (a float in (0, 1]); None: each row's highest score (if
        not ~0) is its positive.
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Raises:
      ValueError: for an unknown `average`, a `beta` that is not a positive float, a `threshold` that is not a
        float in (0, 1], or inputs that are not 2-D.

    Example:
      >>> m = FBetaScore(beta=2.0, threshold=0.5)
      >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]], [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
      >>> [round(v, 4) for v in m.result().tolist()]
      [0.3846, 0.9091, 0.8333]
    """

    def __init__(self, average: str | None = None, beta: float = 1.0, threshold: float | None = None,
                 name: str = "fbeta_score", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one of: {{None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. Received: beta={beta} of "
                             f"type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"Invalid `threshold` argument value. It should be a Python float. Received: "
                                 f"threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    @property
    def needs_build(self) -> bool:
        return not self._built

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim), with output_dim fully "
                             f"defined (not None). Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, name, self.add_variable(name=name, shape=shape, initializer="zeros", dtype=self.dtype))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = jnp.asarray(y_true, self.dtype), jnp.asarray(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = jnp.max(y_pred, axis=-1, keepdims=True)
            positive = (y_pred >= top) & (jnp.abs(y_pred) > 1e-9)
        else:
            positive = y_pred > self.threshold
        y_pred = positive.astype(self.dtype)
        weight = None if sample_weight is None else jnp.asarray(sample_weight, self.dtype)
        if weight is not None and weight.ndim < y_true.ndim:  # scalar, (N,) or (N, C) weights, as Keras 3.16
            weight = weight.reshape(weight.shape + (1,) * (y_true.ndim - weight.ndim))

        def weighted_sum(values: jax.Array) -> jax.Array:
            if weight is not None:
                values = values * weight
            return jnp.sum(values, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> jax.Array:
        eps = backend.epsilon()
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        precision = (tp / (tp + fp + eps)).astype(self.dtype)
        recall = (tp / (tp + fn + eps)).astype(self.dtype)
        beta2 = self.beta ** 2
        score = precision * recall / (beta2 * precision + recall + eps) * (1 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            return jnp.sum(score * weights / (jnp.sum(weights) + eps))
        if self.average is not None:  # micro, macro
            return jnp.mean(score)
        return score

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(jnp.zeros(v.shape, v.value.dtype))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score `2 P R / (P + R)` of each class (or averaged): `FBetaScore` with `beta=1`.

    Args:
      average, threshold, name, dtype: see `FBetaScore`.

    Example:
      >>> m = F1Score(threshold=0.5)
      >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]], [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
      >>> [round(v, 4) for v in m.result().tolist()]
      [0.5, 0.8, 0.6667]
    """

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score",
                 dtype: Any = None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config


for _obj in (FBetaScore, F1Score):
    registry.register_builtin("metrics", _obj)
