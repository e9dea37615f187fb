"""kerasish.metrics' IoU family against keras.metrics (JAX backend): target classes, ignored and out-of-range
labels, one-hot inputs, integer sample weights, both faces."""

import numpy as np
import pytest

from kerasish import metrics
from tests.metrics.oracle import RNG, N, assert_metric_matches_keras, batches, labels, one_hot, probs, uniform

INT_WEIGHTS = lambda: RNG.integers(0, 3, N).astype(np.int32)  # noqa: E731  (float weights warn, as in Keras)
SEGMENTS = lambda: batches(lambda: labels(N, 3), lambda: labels(N, 3), weights=INT_WEIGHTS)  # noqa: E731
CASES = {
    "iou": ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, SEGMENTS),
    "iou-ignore-class": ("IoU", {"num_classes": 3, "target_class_ids": [1], "ignore_class": 0}, SEGMENTS),
    "iou-out-of-range": ("IoU", {"num_classes": 2, "target_class_ids": [0, 1]}, SEGMENTS),  # label 2: left out
    "iou-scores": ("IoU", {"num_classes": 4, "target_class_ids": [1, 3], "sparse_y_pred": False},
                   lambda: batches(labels, probs, weights=INT_WEIGHTS)),
    "binary": ("BinaryIoU", {"threshold": 0.4}, lambda: batches(lambda: labels(N, 2), lambda: uniform(N),
                                                                 weights=INT_WEIGHTS)),
    "binary-one-class": ("BinaryIoU", {"target_class_ids": [1]}, lambda: batches(
        lambda: labels(N, 2)[:, None], lambda: uniform(N, 1), weights=INT_WEIGHTS)),
    "mean": ("MeanIoU", {"num_classes": 3}, SEGMENTS),
    "mean-images": ("MeanIoU", {"num_classes": 3, "ignore_class": 2}, lambda: batches(
        lambda: labels(12, 3).reshape(2, 6), lambda: labels(12, 3).reshape(2, 6),
        weights=lambda: RNG.integers(0, 3, (2, 6)).astype(np.int32))),
    "one-hot": ("OneHotIoU", {"num_classes": 4, "target_class_ids": [0, 3]},
                lambda: batches(one_hot, probs, weights=INT_WEIGHTS)),
    "one-hot-mean": ("OneHotMeanIoU", {"num_classes": 4}, lambda: batches(one_hot, probs, weights=INT_WEIGHTS)),
    "one-hot-mean-sparse-pred": ("OneHotMeanIoU", {"num_classes": 4, "sparse_y_pred": True},
                                 lambda: batches(one_hot, labels, weights=INT_WEIGHTS)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    name, kwargs, data = CASES[case]
    assert_metric_matches_keras(name, kwargs, data(), weighted)


def test_float_weights_warn_as_keras_does():
    m = metrics.MeanIoU(num_classes=2)
    with pytest.warns(UserWarning, match="You are passing weight as `float`, but dtype is `int`"):
        m.update_state([0, 1], [0, 1], sample_weight=np.array([0.5, 1.0], np.float32))


def test_errors():
    with pytest.raises(ValueError, match=r"Target class id 3 is out of range, which is \[0, 3\)"):
        metrics.IoU(num_classes=3, target_class_ids=[0, 3])
