"""kerasish.metrics against keras.metrics (JAX backend): three batches accumulated under jit, with and
without sample weights; `get`'s resolution of "accuracy" and of the names."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import losses, metrics

N, C = 8, 3
RNG = np.random.default_rng(0)


def batches(make_true, make_pred):
    return [(make_true(), make_pred(), RNG.uniform(0, 2, N).astype(np.float32)) for _ in range(3)]


def labels():
    return RNG.integers(0, C, N).astype(np.int32)


def probs():
    return np.asarray(jax.nn.softmax(RNG.normal(size=(N, C)).astype(np.float32)))


CASES = {
    "accuracy": ("Accuracy", {}, batches(labels, labels)),
    "binary-rank1-labels": (
        "BinaryAccuracy",
        {},
        batches(lambda: labels() % 2, lambda: RNG.uniform(size=(N, 1))),
    ),
    "binary-column-labels": (
        "BinaryAccuracy",
        {"threshold": 0.3},
        batches(lambda: (labels() % 2)[:, None].astype(np.float32), lambda: RNG.uniform(size=(N, 1))),
    ),
    "categorical": ("CategoricalAccuracy", {}, batches(lambda: np.eye(C, dtype=np.float32)[labels()], probs)),
    "sparse": ("SparseCategoricalAccuracy", {}, batches(labels, probs)),
    "sparse-column-labels": ("SparseCategoricalAccuracy", {}, batches(lambda: labels()[:, None], probs)),
    "mse-rank1-targets": (
        "MeanSquaredError",
        {},
        batches(lambda: RNG.normal(size=N).astype(np.float32), lambda: RNG.normal(size=(N, 1)).astype(np.float32)),
    ),
    "mse": ("MeanSquaredError", {}, batches(probs, probs)),
    "mae": ("MeanAbsoluteError", {}, batches(probs, probs)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_accumulates_like_keras(case, weighted):
    name, kwargs, data = CASES[case]
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    update = jax.jit(ours.update)
    state = ours.init()
    for y_true, y_pred, weight in data:
        state = update(state, y_true, y_pred, weight if weighted else None)
        theirs.update_state(y_true, y_pred, sample_weight=weight if weighted else None)
    assert ours.name == theirs.name
    np.testing.assert_allclose(jax.jit(ours.result)(state), theirs.result(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape", [(N,), (N, 3)])
@pytest.mark.parametrize("weighted", [False, True])
def test_mean_like_keras(shape, weighted):
    ours, theirs = metrics.Mean(), keras.metrics.Mean()
    state = ours.init()
    for _ in range(3):
        values = RNG.normal(size=shape).astype(np.float32)
        weight = RNG.uniform(0, 2, N).astype(np.float32) if weighted else None
        state = jax.jit(ours.update)(state, values, weight)
        theirs.update_state(values, sample_weight=weight)
    np.testing.assert_allclose(ours.result(state), theirs.result(), rtol=1e-6)


def test_mean_result_before_any_update_is_zero():
    m = metrics.Mean()
    assert float(m.result(m.init())) == 0.0
    assert jax.tree.leaves(m.init())[0].dtype == jnp.float32


def test_mean_metric_wrapper_of_a_plain_function():
    def hinge(y_true, y_pred):
        return jnp.maximum(0.0, 1.0 - y_true * y_pred)

    m = metrics.get(hinge)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "hinge"
    state = m.update(m.init(), jnp.array([1.0, -1.0]), jnp.array([0.5, 0.5]))
    assert float(m.result(state)) == 1.0


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, loss, expected",
    [
        ((None, 1), (None, 1), None, metrics.BinaryAccuracy),
        ((None,), (None, 1), None, metrics.BinaryAccuracy),
        ((None,), (None, 10), None, metrics.SparseCategoricalAccuracy),
        ((None, 1), (None, 10), None, metrics.SparseCategoricalAccuracy),
        ((None, 10), (None, 10), None, metrics.CategoricalAccuracy),
        ((None, 10), (None, 10), "binary_crossentropy", metrics.BinaryAccuracy),  # multi-label
        (None, None, losses.SparseCategoricalCrossentropy(), metrics.SparseCategoricalAccuracy),
        (None, None, "categorical_crossentropy", metrics.CategoricalAccuracy),
    ],
)
@pytest.mark.parametrize("name", ["accuracy", "acc"])
def test_accuracy_resolution(y_true_shape, y_pred_shape, loss, expected, name):
    m = metrics.get(name, y_true_shape=y_true_shape, y_pred_shape=y_pred_shape, loss=loss)
    assert type(m) is expected and m.name == name


def test_accuracy_resolution_matches_keras_compile_utils():
    from keras.src.trainers.compile_utils import get_metric

    for t_shape, p_shape in [((4, 1), (4, 1)), ((4,), (4, 3)), ((4, 1), (4, 3)), ((4, 3), (4, 3))]:
        theirs = get_metric("acc", np.zeros(t_shape), np.zeros(p_shape))
        ours = metrics.get("acc", y_true_shape=t_shape, y_pred_shape=p_shape)
        assert type(ours).__name__ == type(theirs).__name__ and ours.name == theirs.name == "acc"


@pytest.mark.parametrize(
    "name, cls",
    [
        ("mse", metrics.MeanSquaredError),
        ("mae", metrics.MeanAbsoluteError),
        ("mean_squared_error", metrics.MeanSquaredError),
        ("mean_absolute_error", metrics.MeanAbsoluteError),
        ("binary_accuracy", metrics.BinaryAccuracy),
        ("categorical_accuracy", metrics.CategoricalAccuracy),
        ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ],
)
def test_get_keeps_the_users_name(name, cls):
    m = metrics.get(name)
    assert type(m) is cls and m.name == name


def test_get_passes_metrics_through_and_class_names():
    m = metrics.BinaryAccuracy(threshold=0.7)
    assert metrics.get(m) is m
    assert metrics.get("CategoricalAccuracy").name == "categorical_accuracy"
    assert m.get_config() == {"name": "binary_accuracy", "threshold": 0.7}
    assert type(m)(**m.get_config()).get_config() == m.get_config()


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'\. Expected one of \[.*'acc', 'accuracy'"):
        metrics.get("acuracy")
    with pytest.raises(TypeError, match="Argument `identifier` must be a metric name.*received 2 of type int"):
        metrics.get(2)
    with pytest.raises(ValueError, match=r"pass `y_true_shape` and `y_pred_shape`.*received y_true_shape=None"):
        metrics.get("accuracy")
    with pytest.raises(ValueError, match="Argument `name` must be a non-empty string, received name=''"):
        metrics.Mean("")
