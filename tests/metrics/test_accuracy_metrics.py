"""kerasish.metrics' accuracy metrics against keras.metrics (JAX backend), three batches with and without
sample weights, through both faces of the metric."""

import keras
import numpy as np
import pytest
from keras.src.metrics import accuracy_metrics

from kerasish import metrics
from tests.metrics.oracle import C, N, assert_metric_matches_keras, batches, binary, labels, one_hot, probs, uniform

CASES = {
    "accuracy": ("Accuracy", {}, lambda: batches(labels, labels)),
    "binary-rank1-labels": ("BinaryAccuracy", {}, lambda: batches(lambda: labels() % 2, lambda: uniform(N, 1))),
    "binary-column-labels": ("BinaryAccuracy", {"threshold": 0.3},
                             lambda: batches(lambda: binary(N, 1), lambda: uniform(N, 1))),
    "binary-multi-label": ("BinaryAccuracy", {}, lambda: batches(lambda: binary(N, C), lambda: uniform(N, C))),
    "categorical": ("CategoricalAccuracy", {}, lambda: batches(one_hot, probs)),
    "sparse": ("SparseCategoricalAccuracy", {}, lambda: batches(labels, probs)),
    "sparse-column-labels": ("SparseCategoricalAccuracy", {}, lambda: batches(lambda: labels()[:, None], probs)),
    "top-k": ("TopKCategoricalAccuracy", {"k": 2}, lambda: batches(one_hot, probs)),
    "top-k-default": ("TopKCategoricalAccuracy", {}, lambda: batches(lambda: one_hot(N, 7), lambda: probs(N, 7))),
    "sparse-top-k": ("SparseTopKCategoricalAccuracy", {"k": 2}, lambda: batches(labels, probs)),
    "sparse-top-k-sorted-ids": ("SparseTopKCategoricalAccuracy", {"k": 2, "from_sorted_ids": True},
                                lambda: batches(labels, lambda: np.argsort(-probs(), axis=-1).astype(np.int32))),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    name, kwargs, data = CASES[case]
    assert_metric_matches_keras(name, kwargs, data(), weighted)


@pytest.mark.parametrize("name", ["accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                                  "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"])
def test_functions_match_keras(name):
    y_true = {"accuracy": labels(), "binary_accuracy": binary(N, C), "categorical_accuracy": one_hot(),
              "top_k_categorical_accuracy": one_hot()}.get(name, labels())
    y_pred = labels() if name == "accuracy" else probs()
    theirs = getattr(accuracy_metrics, name)  # keras.metrics exports all but `accuracy`
    np.testing.assert_array_equal(getattr(metrics, name)(y_true, y_pred), theirs(y_true, y_pred))


def test_sequence_labels_keep_their_shape():
    """(N, T) labels against (N, T, C) scores: one value per step, as Keras."""
    y_true, y_pred = labels(6).reshape(2, 3), probs(6).reshape(2, 3, C)
    for name in ["sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy"]:
        ours, theirs = getattr(metrics, name)(y_true, y_pred), getattr(keras.metrics, name)(y_true, y_pred)
        assert ours.shape == theirs.shape == (2, 3)
        np.testing.assert_array_equal(ours, theirs)
