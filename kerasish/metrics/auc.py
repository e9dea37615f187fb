"""The area under the ROC or precision-recall curve (`AUC`), approximated over thresholds with Keras 3's
Riemann sums (and, for the PR curve, Davis & Goadrich's interpolation)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import kerasish.metrics.confusion_counts as counts
from kerasish import backend, registry
from kerasish.losses.loss import divide_no_nan
from kerasish.metrics.confusion_counts import AUCCurve, AUCSummationMethod
from kerasish.metrics.metric import Metric


class AUC(Metric):
    """The area under the ROC curve (or the precision-recall curve), from the weighted confusion counts at
    `num_thresholds` thresholds.

    Args:
      num_thresholds: how many thresholds (> 1), evenly spaced over [0, 1]; more is a finer approximation.
      curve: `"ROC"` (default), `"PR"` (precision-recall) or `"PRGAIN"` (precision-recall gain).
      summation_method: `"interpolation"` (trapezoids; for PR, Davis & Goadrich's interpolation),
        `"minoring"` or `"majoring"` (rectangles from below or above).
      name: the metric's name.
      dtype: the dtype of the computation and the result.
      thresholds: explicit thresholds in [0, 1] instead of `num_thresholds` (0 - eps and 1 + eps are added).
      multi_label: one curve per label column of `(N, L)` inputs, averaged (else every entry is one sample).
      num_labels: the number of labels with `multi_label` (else known at the first update).
      label_weights: per-label weights: of the entries (without `multi_label`) or of each label's AUC in the
        average (with it).
      from_logits: `y_pred` are logits (a sigmoid is applied first).

    Raises:
      ValueError: for an unknown curve or summation method, `num_thresholds` <= 1, or `num_labels` without
        `multi_label`.

    Example:
      >>> m = AUC(num_thresholds=3)
      >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
      >>> float(m.result())
      0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str | AUCCurve = "ROC",
                 summation_method: str | AUCSummationMethod = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False, num_labels: int | None = None,
                 label_weights: Any = None, from_logits: bool = False) -> None:
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = counts.is_evenly_distributed_thresholds(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - backend.epsilon()] + thresholds + [1.0 + backend.epsilon()])
        self.curve = curve if isinstance(curve, AUCCurve) else AUCCurve.from_str(curve)
        self.summation_method = (summation_method if isinstance(summation_method, AUCSummationMethod)
                                 else AUCSummationMethod.from_str(summation_method))
        super().__init__(name=name, dtype=dtype)
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else jnp.asarray(label_weights, self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, including the two outer ones (0 - eps and 1 + eps)."""
        return list(self._thresholds)

    @property
    def needs_build(self) -> bool:
        return not self._built

    def _build(self, shape: tuple | None) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. Full "
                                 f"shape received for `y_pred`: {shape}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        for name in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, name, self.add_variable(shape=variable_shape, initializer="zeros", name=name))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = jnp.asarray(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = jax.nn.sigmoid(y_pred)
        counts.update_confusion_matrix_variables(
            {counts.TRUE_POSITIVES: self.true_positives, counts.TRUE_NEGATIVES: self.true_negatives,
             counts.FALSE_POSITIVES: self.false_positives, counts.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, self._thresholds, thresholds_distributed_evenly=self._evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _by_label(self, terms: jax.Array) -> jax.Array:
        if not self.multi_label:
            return jnp.sum(terms)
        by_label = jnp.sum(terms, axis=0)
        if self.label_weights is None:
            return jnp.mean(by_label)
        return divide_no_nan(jnp.sum(by_label * self.label_weights), jnp.sum(self.label_weights))

    def interpolate_pr_auc(self) -> jax.Array:
        """The PR AUC with Davis & Goadrich's interpolation of precision between thresholds (exact for the
        piecewise-linear interpolation of the counts)."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        slope = divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        safe_ratio = jnp.where((p[: n - 1] > 0) & (p[1:] > 0), divide_no_nan(p[: n - 1], jnp.maximum(p[1:], 0)),
                               jnp.ones_like(p[1:]))
        increments = divide_no_nan(slope * (dtp + intercept * jnp.log(safe_ratio)), jnp.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(increments)

    def result(self) -> jax.Array:
        if self.curve == AUCCurve.PR and self.summation_method == AUCSummationMethod.INTERPOLATION:
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == AUCCurve.ROC:
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == AUCCurve.PR:
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling = divide_no_nan(tp + fn, tn + fp)
            recall_gain = jnp.where(tp == 0.0, 0.0, 1.0 - scaling * divide_no_nan(fn, tp))
            precision_gain = jnp.where(tp == 0.0, 1.0, 1.0 - scaling * divide_no_nan(fp, tp))
            x, y = jnp.maximum(recall_gain, 0.0), precision_gain
        n = self.num_thresholds
        if self.summation_method == AUCSummationMethod.INTERPOLATION:
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == AUCSummationMethod.MINORING:
            heights = jnp.minimum(y[: n - 1], y[1:])
        else:
            heights = jnp.maximum(y[: n - 1], y[1:])
        return self._by_label((x[: n - 1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            shape = (self.num_thresholds, self._num_labels) if self.multi_label else (self.num_thresholds,)
            for v in (self.true_positives, self.false_positives, self.true_negatives, self.false_negatives):
                v.assign(jnp.zeros(shape))

    def get_config(self) -> dict[str, Any]:
        label_weights = self.label_weights
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve.value,
                  "summation_method": self.summation_method.value, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if label_weights is None else np.asarray(label_weights).tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


registry.register_builtin("metrics", AUC)
