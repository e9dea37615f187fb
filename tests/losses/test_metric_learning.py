"""kerasish.losses' circle loss against keras.losses (JAX backend): the mean over the samples of positive loss,
reference embeddings, weights."""

import keras
import numpy as np
import pytest

from kerasish import losses
from tests.losses.oracle import RNG, assert_matches_keras

EMBEDDINGS = RNG.normal(size=(8, 5)).astype(np.float32)
EMBEDDINGS /= np.linalg.norm(EMBEDDINGS, axis=1, keepdims=True)
LABELS = np.array([0, 1, 0, 2, 1, 2, 3, 0], np.int32)  # label 3 has no positive pair: its loss is masked out


@pytest.mark.parametrize("kwargs", [{}, {"gamma": 10.0, "margin": 0.2}, {"remove_diagonal": False}])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(kwargs, weighted):
    assert_matches_keras("Circle", kwargs, LABELS, EMBEDDINGS,
                         RNG.uniform(0, 2, 8).astype(np.float32) if weighted else None, rtol=1e-5)


def test_function_with_references_matches_keras():
    refs, ref_labels = EMBEDDINGS[::-1], LABELS[::-1]
    np.testing.assert_allclose(
        losses.circle(LABELS, EMBEDDINGS, ref_labels=ref_labels, ref_embeddings=refs, remove_diagonal=False),
        keras.losses.circle(LABELS, EMBEDDINGS, ref_labels=ref_labels, ref_embeddings=refs, remove_diagonal=False),
        rtol=1e-5)
