"""kerasish.metrics' probabilistic and hinge metrics against keras.metrics (JAX backend), with and without
sample weights, both faces; ignore_class as Keras applies it to the metric."""

import pytest

from kerasish import metrics
from tests.metrics.oracle import C, N, assert_metric_matches_keras, batches, binary, labels, normal, one_hot, probs

CASES = {
    "kl": ("KLDivergence", {}, lambda: batches(probs, probs)),
    "poisson": ("Poisson", {}, lambda: batches(lambda: probs() * 3, probs)),
    "bce": ("BinaryCrossentropy", {}, lambda: batches(lambda: binary(N, C), probs)),
    "bce-logits-smoothing": ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2},
                             lambda: batches(lambda: binary(N, 1), lambda: normal(N, 1))),
    "cce": ("CategoricalCrossentropy", {}, lambda: batches(one_hot, probs)),
    "cce-logits": ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
                   lambda: batches(one_hot, lambda: normal(N, C))),
    "scce": ("SparseCategoricalCrossentropy", {}, lambda: batches(labels, probs)),
    "scce-ignore-class": ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1},
                          lambda: batches(labels, lambda: normal(N, C))),
    "hinge": ("Hinge", {}, lambda: batches(lambda: binary(N, C), lambda: normal(N, C))),
    "squared-hinge": ("SquaredHinge", {}, lambda: batches(lambda: binary(N, C), lambda: normal(N, C))),
    "categorical-hinge": ("CategoricalHinge", {}, lambda: batches(one_hot, lambda: normal(N, C))),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    name, kwargs, data = CASES[case]
    assert_metric_matches_keras(name, kwargs, data(), weighted)


def test_binary_crossentropy_metric_needs_equal_shapes_as_in_keras():
    with pytest.raises(ValueError, match=r"binary_crossentropy must have the same shape .* y_true.shape=\(8,\), "
                                         r"y_pred.shape=\(8, 1\)"):
        metrics.BinaryCrossentropy().update_state(binary(N), probs(N, 1))
