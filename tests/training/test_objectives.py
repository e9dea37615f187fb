"""Metrics and losses inside `fit` / `evaluate` (kerasish.training.objectives) against Keras 3: the same model,
weights and data give the same logs (names and values) for built-in metrics named as strings or objects,
weighted metrics, a Keras-style custom metric, metrics built from the data's shapes and non-scalar results."""

import jax.numpy as jnp
import keras
import numpy as np
import optax
import pytest

import kerasish as ks

RNG = np.random.default_rng(3)
X = RNG.normal(size=(90, 5)).astype(np.float32)
Y_CLASS = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5]).astype(np.int32)
Y_BINARY = (X[:, :1] + 0.3 * X[:, 1:2] > 0).astype(np.float32)
WEIGHTS = RNG.uniform(0, 2, 90).astype(np.float32)


def twins(units, activation):
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"),
                               keras.layers.Dense(units, activation=activation)])
    ours = ks.Sequential([ks.Input((5,)), ks.layers.Dense(8, activation="tanh"),
                          ks.layers.Dense(units, activation=activation)])
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def assert_logs_match(ours, theirs, rtol=1e-5):
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        np.testing.assert_allclose(ours[name], np.asarray(theirs[name]), rtol=rtol, atol=1e-6, err_msg=name)


def evaluate_both(ours, theirs, y, compile_args, batch_size=20, sample_weight=None):
    ours.compile(optimizer="sgd", **compile_args(ks))
    theirs.compile(optimizer="sgd", **compile_args(keras))
    got = ours.evaluate(X, y, batch_size=batch_size, sample_weight=sample_weight, verbose=0, return_dict=True)
    expected = theirs.evaluate(X, y, batch_size=batch_size, sample_weight=sample_weight, verbose=0, return_dict=True)
    return got, expected


def test_classification_metrics_and_weighted_metrics_match_keras():
    """String names as Keras resolves them, duplicates numbered, `weighted_` for a taken weighted name; the
    sample weights reach the weighted metrics only; a short last batch (90 = 4 x 20 + 10) is padded."""
    ours, theirs = twins(3, "softmax")
    got, expected = evaluate_both(ours, theirs, Y_CLASS, lambda lib: {
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy", "acc", "sparse_top_k_categorical_accuracy", "accuracy",
                    lib.metrics.SparseCategoricalCrossentropy()],
        "weighted_metrics": ["accuracy", lib.metrics.SparseTopKCategoricalAccuracy(k=1, name="top1")],
    }, sample_weight=WEIGHTS)
    assert_logs_match(got, expected)
    assert {"accuracy_1", "weighted_accuracy", "top1"} <= set(got)


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype int64")  # Keras's BinaryIoU asks JAX for int64
def test_binary_metrics_match_keras():
    ours, theirs = twins(1, "sigmoid")
    got, expected = evaluate_both(ours, theirs, Y_BINARY, lambda lib: {
        "loss": "binary_crossentropy",
        "metrics": ["accuracy", "auc", "precision", "recall", "f1_score", lib.metrics.AUC(curve="PR", name="pr"),
                    lib.metrics.TruePositives(thresholds=[0.3, 0.7], name="tp"),
                    lib.metrics.RecallAtPrecision(0.6, name="recall_at_60"),
                    lib.metrics.BinaryIoU(target_class_ids=[1], name="iou")],  # named: auto names count per library
        "weighted_metrics": ["auc", "precision"],
    }, sample_weight=WEIGHTS)
    assert_logs_match(got, expected)
    assert isinstance(got["auc"], float) and got["tp"].shape == (2,)


def test_metrics_built_from_the_data_shapes_match_keras():
    """AUC(multi_label) without num_labels, F1Score and R2Score make their variables from the data's shapes."""
    ours, theirs = twins(3, "sigmoid")
    y = np.eye(3, dtype=np.float32)[Y_CLASS]
    got, expected = evaluate_both(ours, theirs, y, lambda lib: {
        "loss": "binary_crossentropy",
        "metrics": [lib.metrics.AUC(multi_label=True, name="auc_per_label"), lib.metrics.F1Score(average="macro"),
                    "f1_score",
                    lib.metrics.R2Score(class_aggregation="variance_weighted_average")],
    }, batch_size=30)
    assert_logs_match(got, expected)
    assert got["f1_score_1"].shape == (3,)  # the string one: per class, as in Keras (and numbered after the first)


def test_regression_metrics_match_keras_and_fit_logs_what_evaluate_logs():
    ours, theirs = twins(2, None)
    y = np.stack([X[:, 0] + X[:, 1], X[:, 2] * 2], axis=1).astype(np.float32)
    metrics = lambda lib: ["mae", "mape", lib.metrics.RootMeanSquaredError(), lib.metrics.LogCoshError(),  # noqa: E731
                           lib.metrics.CosineSimilarity(), "r2_score"]
    got, expected = evaluate_both(ours, theirs, y, lambda lib: {"loss": "mse", "metrics": metrics(lib)})
    assert_logs_match(got, expected)
    ours.compile(optimizer=optax.set_to_zero(), loss="mse", metrics=metrics(ks))
    history = ours.fit(X, y, batch_size=20, epochs=1, verbose=0).history  # weights unchanged: the same values
    for name, value in got.items():
        np.testing.assert_allclose(history[name][0], value, rtol=1e-5, err_msg=name)


class OursTruePositives(ks.metrics.Metric):
    """A custom metric written as Keras's guide writes one."""

    def __init__(self, name="true_positives_count", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")
        self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

    def update_state(self, y_true, y_pred, sample_weight=None):
        hits = jnp.logical_and(jnp.asarray(y_true) > 0.5, jnp.asarray(y_pred) > 0.5).astype(self.dtype)
        if sample_weight is not None:
            hits = hits * jnp.reshape(jnp.asarray(sample_weight, self.dtype), (-1, 1))
        self.true_positives.assign_add(jnp.sum(hits))
        self.seen.assign_add(jnp.asarray(y_true).shape[0])

    def result(self):
        return self.true_positives / jnp.maximum(self.seen.value, 1.0)


class KerasTruePositives(keras.metrics.Metric):
    def __init__(self, name="true_positives_count", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")
        self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

    def update_state(self, y_true, y_pred, sample_weight=None):
        hits = keras.ops.cast(keras.ops.logical_and(y_true > 0.5, y_pred > 0.5), self.dtype)
        if sample_weight is not None:
            hits = hits * keras.ops.reshape(keras.ops.cast(sample_weight, self.dtype), (-1, 1))
        self.true_positives.assign_add(keras.ops.sum(hits))
        self.seen.assign_add(keras.ops.cast(keras.ops.shape(y_true)[0], self.dtype))

    def result(self):
        return self.true_positives / keras.ops.maximum(self.seen, 1.0)


def test_keras_style_custom_metric_in_fit_and_evaluate():
    ours, theirs = twins(1, "sigmoid")
    metric = lambda lib: OursTruePositives() if lib is ks else KerasTruePositives()  # noqa: E731
    got, expected = evaluate_both(ours, theirs, Y_BINARY, lambda lib: {
        "loss": "binary_crossentropy", "metrics": [metric(lib)], "weighted_metrics": [metric(lib)]},
        batch_size=30, sample_weight=WEIGHTS)
    assert_logs_match(got, expected)
    by_hand = OursTruePositives()
    by_hand.update_state(Y_BINARY, ours.predict(X, verbose=0))
    assert got["true_positives_count"] == pytest.approx(float(by_hand.result()), rel=1e-6)

    ours.compile(optimizer=optax.set_to_zero(), loss="binary_crossentropy",
                 metrics=[OursTruePositives()])
    for steps in (1, 3):  # one step per dispatch, and three fused in one compiled loop
        ours.compile(optimizer=optax.set_to_zero(), loss="binary_crossentropy",
                     metrics=[OursTruePositives()], steps_per_execution=steps)
        history = ours.fit(X, Y_BINARY, batch_size=30, epochs=2, verbose=0).history
        assert history["true_positives_count"] == pytest.approx([float(by_hand.result())] * 2, rel=1e-6)


def test_a_metric_that_makes_its_variables_in_its_first_update_trains():
    class Lazy(ks.metrics.Metric):  # Keras's F-score pattern: the variables' shapes come from the data
        def update_state(self, y_true, y_pred, sample_weight=None):
            if not self.variables:
                self.total = self.add_variable(shape=(jnp.shape(y_pred)[-1],), initializer="zeros", name="total")
            self.total.assign_add(jnp.sum(jnp.asarray(y_pred), axis=0))

        def result(self):
            return self.total.value

    model, _ = twins(3, "softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=[Lazy(name="lazy")])
    logs = model.evaluate(X, Y_CLASS, batch_size=40, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["lazy"], model.predict(X, verbose=0).sum(axis=0), rtol=1e-5)


def test_dict_results_and_early_stopping_on_f1():
    class Both(ks.metrics.Metric):
        def __init__(self, name="both"):
            super().__init__(name=name)
            self.mean = ks.metrics.Mean()
            self.total = ks.metrics.Sum()

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.mean.update_state(y_pred)
            self.total.update_state(y_pred)

        def result(self):
            return {"pred_mean": self.mean.result(), "pred_sum": self.total.result()}

    model, _ = twins(1, "sigmoid")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[Both(), "f1_score"])
    stopper = ks.callbacks.EarlyStopping(monitor="val_f1_score", patience=0, mode="max")
    history = model.fit(X, Y_BINARY, validation_split=0.2, epochs=3, verbose=0, callbacks=[stopper]).history
    assert {"pred_mean", "pred_sum", "f1_score", "val_pred_mean", "val_f1_score"} <= set(history)
    logs = model.evaluate(X, Y_BINARY, verbose=0, return_dict=True)
    predictions = model.predict(X, verbose=0)
    assert logs["pred_mean"] == pytest.approx(float(predictions.mean()), rel=1e-5)
    assert logs["pred_sum"] == pytest.approx(float(predictions.sum()), rel=1e-5)
