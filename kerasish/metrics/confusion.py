"""Confusion-matrix metrics, with Keras 3's maths: the weighted counts (`TruePositives`, `FalsePositives`,
`TrueNegatives`, `FalseNegatives`), `Precision`, `Recall`, and the best value of one rate under a constraint on
another (`SensitivityAtSpecificity`, `SpecificityAtSensitivity`, `PrecisionAtRecall`, `RecallAtPrecision`).

Labels are 0/1 (non-zero is positive) and predictions are scores compared with thresholds (`y_pred > t`);
with several thresholds the result has one value per threshold.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import kerasish.metrics.confusion_counts as counts
from kerasish import registry
from kerasish.losses.loss import divide_no_nan
from kerasish.metrics.metric import Metric


class _ConditionCount(Metric):
    """The weighted count of one cell of the confusion matrix at each threshold."""

    _condition = ""

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = counts.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._evenly = counts.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros", name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts.update_confusion_matrix_variables({self._condition: self.accumulator}, y_true, y_pred,
                                                 thresholds=self.thresholds, sample_weight=sample_weight,
                                                 thresholds_distributed_evenly=self._evenly)

    def result(self) -> jax.Array:
        return self.accumulator[0] if len(self.thresholds) == 1 else self.accumulator.value

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """The weighted number of true positives (label non-zero, `y_pred > threshold`).

    Args:
      thresholds: a float or list of floats in [0, 1] (default 0.5): one count per threshold.
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = TruePositives()
      >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
      >>> float(m.result())
      2.0
    """

    _condition = counts.TRUE_POSITIVES


class FalsePositives(_ConditionCount):
    """The weighted number of false positives (label 0, `y_pred > threshold`); arguments as `TruePositives`.

    Example:
      >>> m = FalsePositives()
      >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
      >>> float(m.result())
      2.0
    """

    _condition = counts.FALSE_POSITIVES


class TrueNegatives(_ConditionCount):
    """The weighted number of true negatives (label 0, `y_pred <= threshold`); arguments as `TruePositives`.

    Example:
      >>> m = TrueNegatives()
      >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
      >>> float(m.result())
      2.0
    """

    _condition = counts.TRUE_NEGATIVES


class FalseNegatives(_ConditionCount):
    """The weighted number of false negatives (label non-zero, `y_pred <= threshold`); arguments as
    `TruePositives`.

    Example:
      >>> m = FalseNegatives()
      >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
      >>> float(m.result())
      2.0
    """

    _condition = counts.FALSE_NEGATIVES


class _RatioAtThresholds(Metric):
    """`tp / (tp + other)` at each threshold: `Precision` (other = fp) and `Recall` (other = fn)."""

    _other = ""
    _other_name = ""

    def __init__(self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        default = 0.5 if top_k is None else counts.NEG_INF
        self.thresholds = counts.parse_init_thresholds(thresholds, default_threshold=default)
        self._evenly = counts.is_evenly_distributed_thresholds(self.thresholds)
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape=shape, initializer="zeros", name="true_positives")
        setattr(self, self._other_name, self.add_variable(shape=shape, initializer="zeros", name=self._other_name))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts.update_confusion_matrix_variables(
            {counts.TRUE_POSITIVES: self.true_positives, self._other: getattr(self, self._other_name)},
            y_true, y_pred, thresholds=self.thresholds, thresholds_distributed_evenly=self._evenly,
            top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight)

    def result(self) -> jax.Array:
        tp = self.true_positives.value
        ratio = divide_no_nan(tp, tp + getattr(self, self._other_name).value)
        return ratio[0] if len(self.thresholds) == 1 else ratio

    def reset_state(self) -> None:
        zeros = jnp.zeros((len(self.thresholds),))
        self.true_positives.assign(zeros)
        getattr(self, self._other_name).assign(zeros)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_RatioAtThresholds):
    """The precision `tp / (tp + fp)` of the predictions, weighted.

    Args:
      thresholds: a float or list of floats in [0, 1] (default 0.5; with `top_k`, any score counts): one
        precision per threshold.
      top_k: only each row's `k` highest scores count as positive.
      class_id: only this class (column of `(N, C)` inputs) counts.
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Example:
      >>> m = Precision()
      >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
      >>> round(float(m.result()), 4)
      0.6667
    """

    _other, _other_name = counts.FALSE_POSITIVES, "false_positives"


class Recall(_RatioAtThresholds):
    """The recall `tp / (tp + fn)` of the predictions, weighted; arguments as `Precision`.

    Example:
      >>> m = Recall()
      >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
      >>> round(float(m.result()), 4)
      0.6667
    """

    _other, _other_name = counts.FALSE_NEGATIVES, "false_negatives"


class SensitivitySpecificityBase(Metric):
    """The four counts over `num_thresholds` thresholds spread over [0, 1]; subclasses report the best value of
    one rate among the thresholds where another rate reaches `value`.

    Args:
      value: the constraint's target.
      num_thresholds: how many thresholds (evenly spaced over [0, 1]; 1 means 0.5).
      class_id: only this class (column) counts.
      name: the metric's name.
      dtype: the dtype of the computation and the result.

    Raises:
      ValueError: for `num_thresholds` < 1.
    """

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value, self.class_id = value, class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape=shape, initializer="zeros", name="true_positives")
        self.false_positives = self.add_variable(shape=shape, initializer="zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, initializer="zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, initializer="zeros", name="false_negatives")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts.update_confusion_matrix_variables(
            {counts.TRUE_POSITIVES: self.true_positives, counts.TRUE_NEGATIVES: self.true_negatives,
             counts.FALSE_POSITIVES: self.false_positives, counts.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, thresholds=self.thresholds, thresholds_distributed_evenly=self._evenly,
            class_id=self.class_id, sample_weight=sample_weight)

    def reset_state(self) -> None:
        zeros = jnp.zeros((len(self.thresholds),))
        for v in (self.true_positives, self.false_positives, self.true_negatives, self.false_negatives):
            v.assign(zeros)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id}

    def _rates(self) -> dict[str, jax.Array]:
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {"sensitivity": divide_no_nan(tp, tp + fn), "specificity": divide_no_nan(tn, tn + fp),
                "precision": divide_no_nan(tp, tp + fp)}

    def _max_under_constraint(self, constrained: jax.Array, dependent: jax.Array) -> jax.Array:
        feasible = constrained >= self.value
        return jnp.max(jnp.where(feasible, dependent, 0), initial=0)


def _check_rate(value: float, argument: str) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{argument}` must be in the range [0, 1]. Received: {argument}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) among the thresholds whose specificity `tn / (tn + fp)` is at least
    `specificity`.

    Args:
      specificity: in [0, 1].
      num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.

    Raises:
      ValueError: for `specificity` outside [0, 1].

    Example:
      >>> m = SensitivityAtSpecificity(0.5)
      >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
      >>> float(m.result())
      0.5
    """

    def __init__(self, specificity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        _check_rate(specificity, "specificity")
        self.specificity, self.num_thresholds = specificity, num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> jax.Array:
        rates = self._rates()
        return self._max_under_constraint(rates["specificity"], rates["sensitivity"])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity among the thresholds whose sensitivity (recall) is at least `sensitivity`.

    Args:
      sensitivity: in [0, 1].
      num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.

    Raises:
      ValueError: for `sensitivity` outside [0, 1].

    Example:
      >>> m = SpecificityAtSensitivity(0.5)
      >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
      >>> round(float(m.result()), 4)
      0.6667
    """

    def __init__(self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        _check_rate(sensitivity, "sensitivity")
        self.sensitivity, self.num_thresholds = sensitivity, num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> jax.Array:
        rates = self._rates()
        return self._max_under_constraint(rates["sensitivity"], rates["specificity"])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision among the thresholds whose recall is at least `recall`.

    Args:
      recall: in [0, 1].
      num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.

    Raises:
      ValueError: for `recall` outside [0, 1].

    Example:
      >>> m = PrecisionAtRecall(0.5)
      >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
      >>> float(m.result())
      0.5
    """

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        _check_rate(recall, "recall")
        self.recall, self.num_thresholds = recall, num_thresholds
        super().__init__(value=recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> jax.Array:
        rates = self._rates()
        return self._max_under_constraint(rates["sensitivity"], rates["precision"])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall among the thresholds whose precision is at least `precision`.

    Args:
      precision: in [0, 1].
      num_thresholds, class_id, name, dtype: see `SensitivitySpecificityBase`.

    Raises:
      ValueError: for `precision` outside [0, 1].

    Example:
      >>> m = RecallAtPrecision(0.8)
      >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
      >>> float(m.result())
      0.5
    """

    def __init__(self, precision: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None) -> None:
        _check_rate(precision, "precision")
        self.precision, self.num_thresholds = precision, num_thresholds
        super().__init__(value=precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> jax.Array:
        rates = self._rates()
        return self._max_under_constraint(rates["precision"], rates["sensitivity"])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "precision": self.precision}


for _obj in (TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
             SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision):
    registry.register_builtin("metrics", _obj)
