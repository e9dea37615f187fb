"""kerasish.metrics' names: every Keras 3 metric name exists; `get` / `serialize` / `deserialize` as Keras's;
`resolve` gives the metric Keras's `compile` makes of a name (type and log name), "accuracy" by the shapes."""

import keras
import numpy as np
import pytest
from keras.src.trainers.compile_utils import get_metric

from kerasish import losses, metrics, registry

KERAS_PUBLIC = sorted(name for name in dir(keras.metrics) if not name.startswith("_"))
COMPILE_NAMES = ["auc", "precision", "recall", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
                 "f1_score", "f_beta_score", "mse", "MSE", "mae", "mape", "msle", "bce", "r2_score",
                 "root_mean_squared_error", "binary_crossentropy", "categorical_crossentropy", "kl_divergence",
                 "true_positives", "false_negatives", "categorical_hinge", "cosine_similarity", "log_cosh_error",
                 "pearson_correlation", "AUC", "Precision", "mean_squared_error", "binary_accuracy"]


def test_every_keras_metric_name_exists():
    assert len(KERAS_PUBLIC) == 72
    assert [name for name in KERAS_PUBLIC if not hasattr(metrics, name)] == []


@pytest.mark.parametrize("name", COMPILE_NAMES)
def test_compile_names_resolve_as_keras(name):
    theirs = get_metric(name, np.zeros((4, 3)), np.zeros((4, 3)))
    ours = metrics.resolve(name, y_true_shape=(None, 3), y_pred_shape=(None, 3))
    assert type(ours).__name__ == type(theirs).__name__ and ours.name == theirs.name == name


def test_every_name_keras_get_resolves():
    from keras.src.metrics import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        if name in ("Metric", "metric", "MeanMetricWrapper", "mean_metric_wrapper", "IoU", "io_u", "OneHotIoU",
                    "one_hot_io_u", "MeanIoU", "mean_io_u", "OneHotMeanIoU", "one_hot_mean_io_u",
                    "SensitivityAtSpecificity", "sensitivity_at_specificity", "SpecificityAtSensitivity",
                    "specificity_at_sensitivity", "PrecisionAtRecall", "precision_at_recall", "RecallAtPrecision",
                    "recall_at_precision"):  # no defaults for their required arguments, in Keras either
            assert metrics.ALL_OBJECTS_DICT[name].__name__ == cls.__name__
            continue
        ours, theirs = metrics.get(name), keras.metrics.get(name)
        assert type(ours).__name__ == type(theirs).__name__, name


@pytest.mark.parametrize("y_true_shape, y_pred_shape, loss, expected", [
    ((None, 1), (None, 1), None, metrics.BinaryAccuracy),
    ((None,), (None, 1), None, metrics.BinaryAccuracy),
    ((None,), (None, 10), None, metrics.SparseCategoricalAccuracy),
    ((None, 1), (None, 10), None, metrics.SparseCategoricalAccuracy),
    ((None, 10), (None, 10), None, metrics.CategoricalAccuracy),
    ((None, 10), (None, 10), "binary_crossentropy", metrics.BinaryAccuracy),  # multi-label
    (None, None, losses.SparseCategoricalCrossentropy(), metrics.SparseCategoricalAccuracy),
    (None, None, "categorical_crossentropy", metrics.CategoricalAccuracy),
])
@pytest.mark.parametrize("name", ["accuracy", "acc", "ACC"])
def test_accuracy_resolution(y_true_shape, y_pred_shape, loss, expected, name):
    m = metrics.resolve(name, y_true_shape=y_true_shape, y_pred_shape=y_pred_shape, loss=loss)
    assert type(m) is expected and m.name == name


def test_accuracy_resolution_matches_keras_compile_utils():
    for t_shape, p_shape in [((4, 1), (4, 1)), ((4,), (4, 3)), ((4, 1), (4, 3)), ((4, 3), (4, 3))]:
        theirs = get_metric("acc", np.zeros(t_shape), np.zeros(p_shape))
        ours = metrics.resolve("acc", y_true_shape=t_shape, y_pred_shape=p_shape)
        assert type(ours).__name__ == type(theirs).__name__ and ours.name == theirs.name == "acc"


def test_resolve_objects_and_functions():
    m = metrics.BinaryAccuracy(threshold=0.7)
    assert metrics.resolve(m) is m
    assert isinstance(metrics.resolve(metrics.AUC), metrics.AUC)

    def hinge_like(y_true, y_pred):
        return np.maximum(0.0, 1.0 - y_true * y_pred)

    wrapped = metrics.resolve(hinge_like)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "hinge_like"
    assert wrapped.name == get_metric(hinge_like, np.zeros(2), np.zeros(2)).name
    wrapped.update_state(np.array([1.0, -1.0]), np.array([0.5, 0.5]))
    assert float(wrapped.result()) == 1.0


def test_get_is_keras_get():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)  # Keras's get: exact-match accuracy
    assert metrics.get(None) is None
    m = metrics.Precision()
    assert metrics.get(m) is m and metrics.get(metrics.hinge) is metrics.hinge
    assert isinstance(metrics.get({"class_name": "AUC", "config": {"curve": "PR"}}), metrics.AUC)


def test_serialize_round_trips_and_reads_keras_configs():
    for obj in [metrics.AUC(curve="PR", num_thresholds=50), metrics.F1Score(average="macro"),
                metrics.SparseTopKCategoricalAccuracy(k=3, from_sorted_ids=True)]:
        revived = metrics.deserialize(metrics.serialize(obj))
        assert type(revived) is type(obj) and revived.get_config() == obj.get_config()
    revived = metrics.deserialize(keras.metrics.serialize(keras.metrics.Precision(thresholds=[0.2, 0.6], top_k=2)))
    assert isinstance(revived, metrics.Precision) and revived.thresholds == [0.2, 0.6] and revived.top_k == 2
    assert metrics.deserialize("mse") is metrics.MeanSquaredError

    @registry.register_serializable(package="test_resolution")
    class Doubled(metrics.Mean):
        pass

    revived = metrics.deserialize(metrics.serialize(Doubled(name="d")))
    assert type(revived) is Doubled and revived.name == "d"


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'\. Expected one of \[.*'acc', 'accuracy'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="Could not interpret metric identifier: 2"):
        metrics.get(2)
    with pytest.raises(TypeError, match="Argument `identifier` must be a metric name.*received 2 of type int"):
        metrics.resolve(2)
    with pytest.raises(ValueError, match=r"pass `y_true_shape` and `y_pred_shape`.*received y_true_shape=None"):
        metrics.resolve("accuracy")
