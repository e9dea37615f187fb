"""Keras 3's metrics: every `keras.metrics` class and function, with Keras's arguments, defaults, configs,
results and names; each metric is one object with two faces (see `metric.py`): Keras's stateful API
(`update_state`, `result`, `reset_state`, `variables`) and its pure form (`stateless_update_state`,
`stateless_result`, `stateless_reset_state`) that `fit` compiles into its step.

- `metric.py`: `Metric` (its variables are `kerasish.variables.Variable`s);
- `reduction.py`: `Sum`, `Mean`, `MeanMetricWrapper`;
- `accuracy_metrics.py`, `regression.py`, `probabilistic.py` (cross-entropies, KL, Poisson, hinges),
  `correlation.py`, `f_score.py`, `iou.py`;
- `confusion_counts.py` (the threshold counting), `confusion.py` (counts, Precision, Recall, ...At...),
  `auc.py`.

`get`, `serialize` and `deserialize` behave as Keras's. `resolve` is what `compile(metrics=[...])` uses: it
always returns a `Metric` named as the user wrote it (`"acc"`, `"mse"`, `"auc"`), with `"accuracy"` / `"acc"`
resolved from the data's shapes to binary, categorical or sparse categorical accuracy, as Keras resolves it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from kerasish import losses as _losses
from kerasish import registry
from kerasish.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    serialization,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from kerasish.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from kerasish.metrics.auc import AUC
from kerasish.metrics.confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from kerasish.metrics.correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from kerasish.metrics.f_score import F1Score, FBetaScore
from kerasish.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from kerasish.metrics.metric import Metric
from kerasish.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from kerasish.metrics.reduction import Mean, MeanMetricWrapper, Sum
from kerasish.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)

registry.register_builtin("metrics", Metric)

#: The metric classes Keras resolves by name (`keras.metrics.ALL_OBJECTS`).
CLASSES: tuple[type[Metric], ...] = (
    Metric, Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score, AUC,
    FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, TrueNegatives, TruePositives, ConcordanceCorrelation, PearsonCorrelation, Hinge,
    SquaredHinge, CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, F1Score, FBetaScore, IoU, BinaryIoU, MeanIoU, OneHotIoU,
    OneHotMeanIoU,
)
#: Every name Keras's `metrics.get` knows: class names, their snake_case (`"auc"`, `"f1_score"`,
#: `"top_k_categorical_accuracy"`) and the short names of regression / cross-entropy metrics.
ALL_OBJECTS_DICT: dict[str, type[Metric]] = {
    **{cls.__name__: cls for cls in CLASSES},
    **{_losses.to_snake_case(cls.__name__): cls for cls in CLASSES},
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
}
_ACCURACY_NAMES = ("accuracy", "acc")


def serialize(metric: Metric | Callable | None) -> Any:
    """A metric (or metric function) as Keras's serialized dict, which `deserialize` turns back into it.

    Example:
      >>> serialize(AUC())["class_name"]
      'AUC'
    """
    return serialization.serialize(metric, "kerasish.metrics")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The metric (or function) a name or `serialize` dict describes (Keras's `deserialize`).

    Raises:
      ValueError: for a name that is not a metric.

    Example:
      >>> deserialize({"class_name": "AUC", "config": {"num_thresholds": 50}}).num_thresholds
      50
    """
    return serialization.deserialize(config, "metrics", custom_objects, ALL_OBJECTS_DICT)


def get(identifier: Any) -> Any:
    """Keras's `metrics.get`: None -> None, a name -> a new instance of its class (`"mse"`, `"auc"`,
    `"Precision"`), a dict -> `deserialize`, a class -> an instance, a metric or function -> itself.

    Raises:
      ValueError: for a name or object that is not a metric (the message lists the names).

    Example:
      >>> type(get("auc")).__name__, get("mse").name
      ('AUC', 'mean_squared_error')
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier) or registry.get_registered_object(identifier)
        if obj is None:
            raise ValueError(f"Unknown metric {identifier!r}. Expected one of "
                             f"{sorted(set(ALL_OBJECTS_DICT) | set(_ACCURACY_NAMES))}, a kerasish.metrics.Metric or "
                             f"a function (y_true, y_pred) -> per-sample values.")
    else:
        obj = identifier
    if not callable(obj):
        raise ValueError(f"Could not interpret metric identifier: {identifier!r} (expected a metric name, a config "
                         f"dict, a kerasish.metrics.Metric or a function).")
    return obj() if inspect.isclass(obj) else obj


def _accuracy_class(y_true_shape: tuple | None, y_pred_shape: tuple | None, loss: Any) -> type[Metric]:
    """Keras 3's choice (`compile_utils.is_binary_or_sparse_categorical`), plus a look at the loss when the
    shapes are unknown."""
    loss_name = loss if isinstance(loss, str) else type(loss).__name__
    by_loss = {
        "binary_crossentropy": BinaryAccuracy, "BinaryCrossentropy": BinaryAccuracy,
        "categorical_crossentropy": CategoricalAccuracy, "CategoricalCrossentropy": CategoricalAccuracy,
        "sparse_categorical_crossentropy": SparseCategoricalAccuracy,
        "SparseCategoricalCrossentropy": SparseCategoricalAccuracy,
    }.get(loss_name)
    if y_true_shape is None or y_pred_shape is None or len(y_pred_shape) == 0:
        if by_loss is None:
            raise ValueError("Metric 'accuracy' is binary, categorical or sparse categorical depending on the data: "
                             "pass `y_true_shape` and `y_pred_shape` (or a cross-entropy `loss`), received "
                             f"y_true_shape={y_true_shape}, y_pred_shape={y_pred_shape}, loss={loss!r}.")
        return by_loss
    if y_pred_shape[-1] == 1 or by_loss is BinaryAccuracy:
        return BinaryAccuracy
    y_true_last = y_true_shape[-1] if len(y_true_shape) else None
    if len(y_true_shape) < len(y_pred_shape) or (y_true_last == 1 and y_pred_shape[-1] != 1):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


def resolve(identifier: Any, *, y_true_shape: tuple | None = None, y_pred_shape: tuple | None = None,
            loss: Any = None) -> Metric:
    """The `Metric` that `compile(metrics=[identifier])` uses, as Keras's compile resolves it.

    A name gives a new metric named as written, its key in the logs: `"acc"`, `"mse"`, `"auc"`,
    `"f1_score"`. `"accuracy"` / `"acc"` become binary accuracy when `y_pred`'s last axis is 1 (or `loss` is a
    binary cross-entropy), sparse categorical accuracy when `y_true` has fewer axes than `y_pred` or ends in an
    axis of 1 while `y_pred` does not, categorical accuracy otherwise. A function becomes a
    `MeanMetricWrapper` named after it; a `Metric` is returned as is.

    Args:
      identifier: a name, a config dict, a `Metric` class or instance, or a per-sample function
        `fn(y_true, y_pred)`.
      y_true_shape: the shape of the labels, e.g. `(None, 1)`; needed for `"accuracy"`.
      y_pred_shape: the shape of the predictions, e.g. `(None, 10)`; needed for `"accuracy"`.
      loss: the compiled loss (a name or `kerasish.losses.Loss`), a hint for `"accuracy"` without shapes.

    Returns:
      A `Metric`.

    Raises:
      ValueError: for an unknown name (the message lists the accepted ones), or `"accuracy"` with neither
        shapes nor a cross-entropy loss.
      TypeError: for anything else.

    Example:
      >>> resolve("acc", y_true_shape=(None,), y_pred_shape=(None, 10))
      <SparseCategoricalAccuracy name=acc>
      >>> resolve("mse").name, type(resolve("mse")).__name__
      ('mse', 'MeanSquaredError')
    """
    if isinstance(identifier, Metric):
        return identifier
    if not (isinstance(identifier, (str, dict)) or callable(identifier)):
        raise TypeError("Argument `identifier` must be a metric name, a kerasish.metrics.Metric or a function "
                        f"(y_true, y_pred) -> values, received {identifier!r} of type {type(identifier).__name__}.")
    if isinstance(identifier, str) and identifier.lower() in _ACCURACY_NAMES:
        return _accuracy_class(y_true_shape, y_pred_shape, loss)(name=identifier)
    obj = get(identifier)
    if isinstance(identifier, str):
        name = identifier
    elif isinstance(obj, Metric):
        return obj
    else:
        name = _losses.to_snake_case(getattr(obj, "__name__", "mean_metric_wrapper"))
    if not isinstance(obj, Metric):
        obj = MeanMetricWrapper(obj)
    obj.name = name
    return obj


__all__ = [
    "AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "BinaryIoU", "CategoricalAccuracy",
    "CategoricalCrossentropy", "CategoricalHinge", "ConcordanceCorrelation", "CosineSimilarity", "F1Score",
    "FBetaScore", "FalseNegatives", "FalsePositives", "Hinge", "IoU", "KLDivergence", "LogCoshError", "Mean",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanIoU", "MeanMetricWrapper", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "Metric", "OneHotIoU", "OneHotMeanIoU", "PearsonCorrelation",
    "Poisson", "Precision", "PrecisionAtRecall", "R2Score", "Recall", "RecallAtPrecision", "RootMeanSquaredError",
    "SensitivityAtSpecificity", "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy", "SpecificityAtSensitivity", "SquaredHinge", "Sum", "TopKCategoricalAccuracy",
    "TrueNegatives", "TruePositives", "accuracy", "binary_accuracy", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_accuracy", "categorical_crossentropy", "categorical_focal_crossentropy",
    "categorical_hinge", "concordance_correlation", "deserialize", "get", "hinge", "huber", "kl_divergence",
    "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "pearson_correlation", "poisson", "resolve", "serialize",
    "sparse_categorical_accuracy", "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
    "squared_hinge", "top_k_categorical_accuracy",
]
