"""Counting true / false positives / negatives over decision thresholds, as Keras's `metrics_utils` counts them:
the shared engine of `TruePositives` ... `Precision`, `Recall`, `AUC` and the `...AtSensitivity` family, plus
the class confusion matrix of the IoU metrics.

A prediction is positive at threshold `t` when `y_pred > t`; a label is positive when non-zero. Counts are
weighted by `sample_weight` (and, for AUC, `label_weights`). When the thresholds are evenly spaced over [0, 1]
(AUC's default), predictions are bucketed instead of compared with every threshold (`segment_sum` and a
cumulative sum), as Keras does: the same counts in O(n + T) instead of O(n T).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import backend
from kerasish.losses.loss import squeeze_or_expand_to_same_rank
from kerasish.variables import Variable

NEG_INF = -1e10
TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES = "tp", "fp", "tn", "fn"


class ConfusionMatrix(enum.Enum):
    """The four counts (Keras's `metrics_utils.ConfusionMatrix`)."""

    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


class AUCCurve(enum.Enum):
    """The curves `AUC` integrates: ROC, precision-recall, precision-recall gain."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key: str) -> AUCCurve:
        """The curve named `key` (`"ROC"`/`"roc"`, `"PR"`/`"pr"`, `"PRGAIN"`/`"prgain"`).

        Raises:
          ValueError: for any other name.
        """
        for curve in AUCCurve:
            if key in (curve.value, curve.value.lower()):
                return curve
        raise ValueError(f'Invalid AUC curve value: "{key}". Expected values are ["PR", "ROC", "PRGAIN"]')


class AUCSummationMethod(enum.Enum):
    """How `AUC` sums the area under its curve: trapezoids, or rectangles from above / below."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key: str) -> AUCSummationMethod:
        """The method named `key` (lower case or capitalized).

        Raises:
          ValueError: for any other name.
        """
        for method in AUCSummationMethod:
            if key in (method.value, method.value.capitalize()):
                return method
        raise ValueError(f'Invalid AUC summation method value: "{key}". Expected values are ["interpolation", '
                         f'"majoring", "minoring"]')


def parse_init_thresholds(thresholds: Any, default_threshold: float = 0.5) -> list[float]:
    """The thresholds as a list (`default_threshold` when None), each checked to lie in [0, 1].

    Raises:
      ValueError: for a threshold outside [0, 1] (or None).

    Example:
      >>> parse_init_thresholds(None), parse_init_thresholds(0.3), parse_init_thresholds((0.2, 0.8))
      ([0.5], [0.3], [0.2, 0.8])
    """
    if thresholds is None:
        return [default_threshold]
    listed = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    invalid = [t for t in listed if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return listed


def is_evenly_distributed_thresholds(thresholds: Sequence[float]) -> bool:
    """Whether the thresholds are `i / (n - 1)` for `i = 0 .. n - 1` (within epsilon), with at least 3 of them."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def filter_top_k(x: jax.Array, k: int) -> jax.Array:
    """`x` with every entry but the `k` largest of its last axis set to -1e10 (never above a threshold)."""
    _, top_index = jax.lax.top_k(x, k)
    top_mask = jnp.sum(jax.nn.one_hot(top_index, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * top_mask + NEG_INF * (1 - top_mask)


def _update_bucketed(variables: dict[str, Variable], y_true: jax.Array, y_pred: jax.Array,
                     thresholds: jax.Array, multi_label: bool, sample_weight: Any, label_weights: Any,
                     thresholds_with_epsilon: bool) -> None:
    """Counts for evenly spaced thresholds: each prediction lands in the bucket of the highest threshold it
    exceeds; counts at a threshold are the sums of the buckets at or above it."""
    num_thresholds = thresholds.shape[0]
    weights: Any = 1.0
    if sample_weight is not None:
        weights = jnp.broadcast_to(sample_weight.astype(y_pred.dtype), y_pred.shape)
        if not multi_label:
            weights = weights.reshape(-1)
    if label_weights is not None:
        lw = jnp.broadcast_to(jnp.expand_dims(jnp.asarray(label_weights), 0), y_pred.shape)
        weights = weights * (lw if multi_label else lw.reshape(-1))
    weights = jnp.asarray(weights, y_true.dtype)
    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = y_true.astype(bool).astype(y_true.dtype)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = jnp.ceil(y_pred * (num_thresholds - 1)) - 1
    if thresholds_with_epsilon:
        buckets = jax.nn.relu(buckets)
    buckets = buckets.astype(jnp.int32)

    def at_or_above(labels: jax.Array, index: jax.Array) -> jax.Array:
        per_bucket = jax.ops.segment_sum(labels, index, num_segments=num_thresholds)
        return jnp.flip(jnp.cumsum(jnp.flip(per_bucket, -1), axis=-1), -1)

    if multi_label:
        tp = jax.vmap(at_or_above)(true_labels.T, buckets.T).T
        fp = jax.vmap(at_or_above)(false_labels.T, buckets.T).T
        total_true, total_false = jnp.sum(true_labels, axis=0), jnp.sum(false_labels, axis=0)
    else:
        tp, fp = at_or_above(true_labels, buckets), at_or_above(false_labels, buckets)
        total_true, total_false = jnp.sum(true_labels), jnp.sum(false_labels)
    counts = {TRUE_POSITIVES: tp, FALSE_POSITIVES: fp, TRUE_NEGATIVES: total_false - fp,
              FALSE_NEGATIVES: total_true - tp}
    for key, variable in variables.items():
        variable.assign(variable.value + counts[key])


def update_confusion_matrix_variables(variables: dict[Any, Variable], y_true: Any, y_pred: Any,
                                      thresholds: Any, top_k: int | None = None, class_id: int | None = None,
                                      sample_weight: Any = None, multi_label: bool = False, label_weights: Any = None,
                                      thresholds_distributed_evenly: bool = False) -> None:
    """Adds one batch's weighted counts to the given variables (Keras's `update_confusion_matrix_variables`).

    Args:
      variables: `{"tp" | "fp" | "tn" | "fn" (or a ConfusionMatrix member): variable}`, each of shape
        `(num_thresholds,)` (`(num_thresholds, num_labels)` with `multi_label`).
      y_true: labels (non-zero: positive), of `y_pred`'s shape or without its trailing axis of 1.
      y_pred: scores, compared with each threshold (`y_pred > t`).
      thresholds: the thresholds, a list or 1-D array.
      top_k: only each row's `k` highest scores can be positive.
      class_id: only this column of `(N, C)` labels and scores counts.
      sample_weight: None or weights broadcastable to the scores (after rank reconciliation).
      multi_label: count each label column separately (scores `(N, L)`).
      label_weights: None or per-label weights `(L,)` (not with `multi_label`).
      thresholds_distributed_evenly: use the bucketed counting (thresholds `i / (n - 1)`, AUC's default).

    Raises:
      ValueError: for unknown variable keys, `label_weights` with `multi_label`, labels and scores of different
        shapes, or `class_id` with 1-D scores.
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    if variables is None:
        return
    keys = {(k.value if isinstance(k, ConfusionMatrix) else k): v for k, v in variables.items()}
    invalid = [k for k in keys if k not in (TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES)]
    if invalid or not keys:
        raise ValueError(f'Invalid keys: "{invalid}". Valid variable key options are: "{list(ConfusionMatrix)}"')
    dtype = next(iter(keys.values())).value.dtype
    y_true, y_pred = jnp.asarray(y_true).astype(dtype), jnp.asarray(y_pred).astype(dtype)
    thresholds_with_epsilon = False
    if thresholds_distributed_evenly:
        thresholds_with_epsilon = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    thresholds = jnp.asarray(np.asarray(thresholds, np.float64), dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:  # Keras fails later with a broadcasting error of its backend
        raise ValueError(f"Arguments `y_true` and `y_pred` of a confusion-matrix metric (Precision, Recall, AUC, ...) "
                         f"must have the same shape (a trailing axis of 1 may be left out of one), received "
                         f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}. For integer class ids against "
                         f"class scores, pass one-hot labels (and `class_id` for one class).")
    if sample_weight is not None:
        sample_weight = jnp.expand_dims(jnp.asarray(sample_weight).astype(dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             f"num_classes), found shape: {y_pred.shape}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if thresholds_distributed_evenly:
        _update_bucketed(keys, y_true, y_pred, thresholds, multi_label, sample_weight, label_weights,
                         thresholds_with_epsilon)
        return

    labels = y_true.astype(bool)
    if multi_label:  # (T, N, L...): per label; else (T, every prediction)
        scores, labels = y_pred[None], labels[None]
        t = thresholds.reshape((-1,) + (1,) * y_pred.ndim)
    else:
        scores, labels = y_pred.reshape(1, -1), labels.reshape(1, -1)
        t = thresholds.reshape(-1, 1)
    pred_is_pos = scores > t
    weights = None
    if sample_weight is not None:
        weights = jnp.broadcast_to(sample_weight.astype(y_pred.dtype), y_pred.shape)
        weights = weights[None] if multi_label else weights.reshape(1, -1)
    if label_weights is not None and not multi_label:
        lw = jnp.broadcast_to(jnp.expand_dims(jnp.asarray(label_weights, y_pred.dtype), 0), y_pred.shape)
        lw = lw.reshape(1, -1)
        weights = lw if weights is None else weights * lw

    def add(variable: Variable, label: jax.Array, pred: jax.Array) -> None:
        both = label & pred
        own = variable.value.dtype
        counted = both.astype(own) if weights is None else jnp.where(both, weights.astype(own), 0)
        variable.assign(variable.value + jnp.sum(counted, axis=1))

    label_is_neg, pred_is_neg = ~labels, ~pred_is_pos
    conditions = {TRUE_POSITIVES: (labels, pred_is_pos), FALSE_NEGATIVES: (labels, pred_is_neg),
                  FALSE_POSITIVES: (label_is_neg, pred_is_pos), TRUE_NEGATIVES: (label_is_neg, pred_is_neg)}
    for key, variable in keys.items():
        add(variable, *conditions[key])


def confusion_matrix(labels: Any, predictions: Any, num_classes: int, weights: Any = None,
                     dtype: Any = "int32") -> jax.Array:
    """The `(num_classes, num_classes)` matrix of (weighted) counts of (label, prediction) pairs: rows are
    labels, columns predictions.

    Example:
      >>> confusion_matrix(jnp.array([0, 1, 1]), jnp.array([0, 0, 1]), 2).tolist()
      [[1, 0], [1, 1]]
    """
    labels, predictions = jnp.asarray(labels, dtype), jnp.asarray(predictions, dtype)
    labels, predictions = squeeze_or_expand_to_same_rank(labels, predictions)
    values = jnp.ones_like(predictions, dtype) if weights is None else jnp.asarray(weights, dtype)
    matrix = jnp.zeros((int(num_classes), int(num_classes)), dtype)
    return matrix.at[labels.astype(jnp.int32), predictions.astype(jnp.int32)].add(values)

