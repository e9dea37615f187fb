"""kerasish.losses' hinge losses against keras.losses (JAX backend): -1/1 and 0/1 labels, sample weights,
every reduction, the function forms."""

import keras
import numpy as np
import pytest

from kerasish import losses
from tests.losses.oracle import LOGITS, MULTI_TRUE, ONE_HOT, SIGNED_TRUE, assert_matches_keras, batch_weights

CASES = [
    ("Hinge", SIGNED_TRUE, LOGITS),
    ("Hinge", MULTI_TRUE, LOGITS),  # 0/1 labels become -1/1
    ("SquaredHinge", SIGNED_TRUE, LOGITS),
    ("SquaredHinge", MULTI_TRUE, LOGITS),
    ("CategoricalHinge", ONE_HOT, LOGITS),
]


@pytest.mark.parametrize("name, y_true, y_pred", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(name, y_true, y_pred, weighted):
    assert_matches_keras(name, {}, y_true, y_pred, batch_weights(y_pred) if weighted else None)


@pytest.mark.parametrize("name", ["hinge", "squared_hinge", "categorical_hinge"])
def test_functions_match_keras(name):
    np.testing.assert_allclose(getattr(losses, name)(ONE_HOT, LOGITS), getattr(keras.losses, name)(ONE_HOT, LOGITS),
                               rtol=1e-6)
    mixed = np.where(MULTI_TRUE > 0, 1.0, 0.5).astype(np.float32)  # not all 0/1: kept as they are
    np.testing.assert_allclose(getattr(losses, name)(mixed, LOGITS), getattr(keras.losses, name)(mixed, LOGITS),
                               rtol=1e-6)
