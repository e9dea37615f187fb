"""kerasish.losses' KL divergence and Poisson against keras.losses (JAX backend)."""

import keras
import numpy as np
import pytest

from kerasish import losses
from tests.losses.oracle import ONE_HOT, POSITIVE_PRED, POSITIVE_TRUE, PROBS, assert_matches_keras, batch_weights

CASES = [("KLDivergence", ONE_HOT, PROBS), ("KLDivergence", PROBS, PROBS[::-1]),
         ("Poisson", POSITIVE_TRUE, POSITIVE_PRED), ("Poisson", ONE_HOT, PROBS)]


@pytest.mark.parametrize("name, y_true, y_pred", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(name, y_true, y_pred, weighted):
    assert_matches_keras(name, {}, y_true, y_pred, batch_weights(y_pred) if weighted else None, rtol=1e-5)


@pytest.mark.parametrize("name", ["kl_divergence", "poisson"])
def test_functions_match_keras(name):
    np.testing.assert_allclose(getattr(losses, name)(PROBS, PROBS[::-1]),
                               getattr(keras.losses, name)(PROBS, PROBS[::-1]), rtol=1e-5)
