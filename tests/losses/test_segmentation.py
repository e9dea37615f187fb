"""kerasish.losses' Dice and Tversky against keras.losses (JAX backend), per batch and per image (`axis`).
Tversky with unequal `alpha` / `beta` follows Keras 3.16's corrected definition (checked against the formula)."""

import keras
import numpy as np
import pytest

from kerasish import losses
from tests.losses.oracle import RNG, assert_matches_keras

MASKS = RNG.integers(0, 2, (3, 4, 4, 1)).astype(np.float32)
SCORES = RNG.uniform(size=(3, 4, 4, 1)).astype(np.float32)
IMAGE_WEIGHTS = RNG.uniform(0, 2, 3).astype(np.float32)


@pytest.mark.parametrize("name, kwargs", [("Dice", {}), ("Dice", {"axis": (1, 2, 3)}), ("Tversky", {}),
                                          ("Tversky", {"axis": (1, 2, 3)}),
                                          ("Tversky", {"alpha": 0.3, "beta": 0.3, "axis": (1, 2)})])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(name, kwargs, weighted):
    assert_matches_keras(name, kwargs, MASKS, SCORES, IMAGE_WEIGHTS if weighted and "axis" in kwargs else None,
                         rtol=1e-5)


def test_tversky_alpha_weighs_false_positives():
    """Keras 3.15 weighs the false negatives by `alpha`, against its own docstring; Keras 3.16 fixed it."""
    loss = losses.tversky(MASKS, SCORES, alpha=0.2, beta=0.8, axis=(1, 2, 3))
    tp = (MASKS * SCORES).sum(axis=(1, 2, 3))
    fp = ((1 - MASKS) * SCORES).sum(axis=(1, 2, 3))
    fn = (MASKS * (1 - SCORES)).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(loss, 1 - tp / (tp + 0.2 * fp + 0.8 * fn + 1e-7), rtol=1e-5)
    swapped = keras.losses.tversky(MASKS, SCORES, alpha=0.8, beta=0.2, axis=(1, 2, 3))  # Keras 3.15's swap
    np.testing.assert_allclose(loss, swapped, rtol=1e-5)
