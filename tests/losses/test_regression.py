"""kerasish.losses' regression losses against keras.losses (JAX backend): targets of rank 1 and 2, sample
weights, every reduction; the function forms; Huber's stricter `delta`."""

import keras
import numpy as np
import pytest

from kerasish import losses
from tests.losses.oracle import (
    LOGITS,
    POSITIVE_PRED,
    POSITIVE_TRUE,
    PROBS,
    REG_PRED,
    REG_TRUE,
    REG_WIDE_TRUE,
    WEIGHTS,
    assert_matches_keras,
)

CASES = [
    ("MeanSquaredError", {}, REG_TRUE, REG_PRED),  # (N,) against (N, 1): expanded
    ("MeanSquaredError", {}, REG_TRUE[:, None], REG_PRED),
    ("MeanSquaredError", {}, REG_TRUE[:, None], REG_PRED[:, 0]),  # (N, 1) against (N,): the prediction expanded
    ("MeanSquaredError", {}, LOGITS, PROBS),
    ("MeanAbsoluteError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsoluteError", {}, LOGITS, PROBS),
    ("MeanAbsolutePercentageError", {}, REG_WIDE_TRUE, LOGITS),
    ("MeanAbsolutePercentageError", {}, np.zeros_like(LOGITS), LOGITS),  # |y_true| below epsilon
    ("MeanSquaredLogarithmicError", {}, POSITIVE_TRUE, POSITIVE_PRED),
    ("MeanSquaredLogarithmicError", {}, REG_WIDE_TRUE, LOGITS),  # negative values: clipped at epsilon
    ("CosineSimilarity", {}, REG_WIDE_TRUE, LOGITS),
    ("CosineSimilarity", {"axis": 0}, REG_WIDE_TRUE, LOGITS),
    ("CosineSimilarity", {}, np.zeros_like(LOGITS), LOGITS),  # a zero vector: the norm is capped
    ("Huber", {}, REG_TRUE, REG_PRED),
    ("Huber", {"delta": 0.5}, LOGITS, PROBS * 4),
    ("LogCosh", {}, REG_TRUE, REG_PRED),
    ("LogCosh", {}, REG_WIDE_TRUE, LOGITS * 30),  # large errors: the softplus form stays finite
]
IDS = [f"{name}-{kwargs}-{np.shape(t)}-{np.shape(p)}-{i}" for i, (name, kwargs, t, p) in enumerate(CASES)]


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", CASES, ids=IDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(name, kwargs, y_true, y_pred, weighted):
    weights = None
    if weighted:
        weights = WEIGHTS[: y_pred.shape[1]] if kwargs.get("axis") == 0 else WEIGHTS
    assert_matches_keras(name, kwargs, y_true, y_pred, weights, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                                  "mean_squared_logarithmic_error", "cosine_similarity", "huber", "log_cosh"])
def test_functions_match_keras(name):
    np.testing.assert_allclose(getattr(losses, name)(POSITIVE_TRUE, POSITIVE_PRED),
                               getattr(keras.losses, name)(POSITIVE_TRUE, POSITIVE_PRED), rtol=1e-5, atol=1e-6)


def test_sum_over_batch_size_divides_by_element_count_not_weights():
    loss = losses.MeanAbsoluteError()
    assert float(loss(np.zeros(4), np.ones((4, 1)), sample_weight=np.array([1.0, 1.0, 0.0, 0.0]))) == 0.5
    weighted = losses.MeanAbsoluteError(reduction="mean_with_sample_weight")
    assert float(weighted(np.zeros(4), np.ones((4, 1)), sample_weight=np.array([1.0, 1.0, 0.0, 0.0]))) == 1.0


def test_huber_delta_must_be_positive():
    """Keras accepts any delta and computes a loss that decreases with the error for delta <= 0."""
    with pytest.raises(ValueError, match="Argument `delta` of Huber must be a positive number, received delta=0"):
        losses.Huber(delta=0)
    with pytest.raises(ValueError, match="received delta='1'"):
        losses.Huber(delta="1")
