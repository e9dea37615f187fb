"""Intersection-over-union metrics for segmentation, with Keras 3's maths: a running class confusion matrix,
from which `IoU` reports `TP / (TP + FP + FN)` averaged over chosen classes; `BinaryIoU` thresholds scores,
`MeanIoU` averages every class, `OneHotIoU` / `OneHotMeanIoU` take one-hot labels."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, registry
from kerasish.metrics.confusion_counts import confusion_matrix
from kerasish.metrics.metric import Metric


class _IoUBase(Metric):
    """The running `(num_classes, num_classes)` confusion matrix (rows: labels, columns: predictions)."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None, ignore_class: int | None = None,
                 sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1) -> None:
        super().__init__(name=name, dtype=dtype or "int")
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable(name="total_confusion_matrix", shape=(num_classes, num_classes),
                                          initializer="zeros", dtype=self.dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> jax.Array:
        if not self.sparse_y_true:
            y_true = jnp.argmax(jnp.asarray(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = jnp.argmax(jnp.asarray(y_pred), axis=self.axis)
        y_true, y_pred = jnp.asarray(y_true).astype(self.dtype), jnp.asarray(y_pred).astype(self.dtype)
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        if sample_weight is None:
            sample_weight = 1
        elif "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may result in an incorrect "
                          "weight due to type casting Consider using integer weights.", stacklevel=2)
        sample_weight = jnp.asarray(sample_weight).astype(self.dtype)
        if sample_weight.ndim > 1:
            sample_weight = sample_weight.reshape(-1)
        sample_weight = jnp.broadcast_to(sample_weight, y_true.shape)
        in_bounds = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            in_bounds = in_bounds & (y_true != self.ignore_class)
        zero = jnp.zeros((), self.dtype)
        y_true, y_pred = jnp.where(in_bounds, y_true, zero), jnp.where(in_bounds, y_pred, zero)
        sample_weight = jnp.where(in_bounds, sample_weight, zero)
        current = confusion_matrix(y_true, y_pred, self.num_classes, weights=sample_weight, dtype=self.dtype)
        self.total_cm.assign(self.total_cm.value + current)
        return self.total_cm.value

    def reset_state(self) -> None:
        self.total_cm.assign(jnp.zeros(self.total_cm.shape, self.total_cm.value.dtype))


class IoU(_IoUBase):
    """`TP / (TP + FP + FN)` of each class in `target_class_ids`, averaged over those that occurred.

    Args:
      num_classes: the number of classes.
      target_class_ids: the classes whose IoU is averaged.
      name: the metric's name.
      dtype: the dtype of the confusion matrix (default int32, as Keras's `"int"`).
      ignore_class: a label left out of the counts (e.g. a void class).
      sparse_y_true: labels are class ids (else one-hot or scores: argmax along `axis`).
      sparse_y_pred: predictions are class ids (else scores: argmax along `axis`).
      axis: the class axis of non-sparse inputs.

    Raises:
      ValueError: for a target class id >= `num_classes`.

    Example:
      >>> m = IoU(num_classes=2, target_class_ids=[0])
      >>> _ = m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
      >>> round(float(m.result()), 4)
      0.3333
    """

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True, sparse_y_pred: bool = True,
                 axis: int = -1) -> None:
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis, dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self) -> jax.Array:
        cm = self.total_cm.value
        sum_over_row = jnp.sum(cm, axis=0).astype(self.dtype)
        sum_over_col = jnp.sum(cm, axis=1).astype(self.dtype)
        true_positives = jnp.diag(cm).astype(self.dtype)
        denominator = sum_over_row + sum_over_col - true_positives
        ids = jnp.asarray(self.target_class_ids, jnp.int32)
        true_positives = true_positives[ids].astype(jnp.float32)
        denominator = denominator[ids].astype(jnp.float32)
        valid = (denominator > 1e-9).astype(jnp.float32)
        iou = jnp.where(valid.astype(bool), true_positives / (denominator + backend.epsilon()), 0.0)
        return jnp.sum(iou, axis=self.axis) / (jnp.sum(valid) + backend.epsilon())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """The IoU of binary segmentation: scores `>= threshold` are class 1.

    Args:
      target_class_ids: `(0, 1)` (both, averaged; default), `(1,)` or `(0,)`.
      threshold: the decision threshold on the scores.
      name: the metric's name.
      dtype: the dtype of the confusion matrix.

    Example:
      >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
      >>> _ = m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
      >>> round(float(m.result()), 4)
      0.3333
    """

    def __init__(self, target_class_ids: Any = (0, 1), threshold: float = 0.5, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> jax.Array:
        y_true = jnp.asarray(y_true).astype(self.dtype)
        y_pred = (jnp.asarray(y_pred, jnp.float32) >= self.threshold).astype(self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """The IoU averaged over every class that occurred (arguments as `IoU`, without `target_class_ids`).

    Example:
      >>> m = MeanIoU(num_classes=2)
      >>> _ = m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
      >>> round(float(m.result()), 4)
      0.3333
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None, ignore_class: int | None = None,
                 sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1) -> None:
        super().__init__(name=name, num_classes=num_classes, target_class_ids=list(range(num_classes)), axis=axis,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """`IoU` of one-hot labels (and, unless `sparse_y_pred`, class scores): argmax along `axis` first.

    Example:
      >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
      >>> _ = m.update_state([[0, 0, 1], [1, 0, 0]], [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7]])
      >>> round(float(m.result()), 4)
      0.25
    """

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` of one-hot labels (and, unless `sparse_y_pred`, class scores).

    Example:
      >>> m = OneHotMeanIoU(num_classes=3)
      >>> _ = m.update_state([[0, 0, 1], [1, 0, 0]], [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7]])
      >>> round(float(m.result()), 4)
      0.25
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None, ignore_class: int | None = None,
                 sparse_y_pred: bool = False, axis: int = -1) -> None:
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


for _obj in (IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU):
    registry.register_builtin("metrics", _obj)
