"""kerasish.losses' CTC against keras.losses (JAX backend): padded labels, weights, reductions."""

import keras
import numpy as np
import pytest

from kerasish import losses
from tests.losses.oracle import RNG, assert_matches_keras

LABELS = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [1, 3, 1, 2]], np.int32)  # 0 pads (and is the blank)
LOGITS = RNG.normal(size=(3, 9, 4)).astype(np.float32)


@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(weighted):
    # Two reductions: each call of Keras's CTC compiles its scan afresh (about a second apiece).
    assert_matches_keras("CTC", {}, LABELS, LOGITS, RNG.uniform(0, 2, 3).astype(np.float32) if weighted else None,
                         reductions=["sum_over_batch_size", None], rtol=1e-5)


def test_function_matches_keras():
    np.testing.assert_allclose(losses.ctc(LABELS, LOGITS), keras.losses.ctc(LABELS, LOGITS), rtol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match=r"`y_true` of ctc must be integer labels of shape \(batch_size, max_length\), "
                                         r"received y_true.shape=\(3,\)"):
        losses.ctc(LABELS[:, 0], LOGITS)
    with pytest.raises(ValueError, match=r"`y_pred` of ctc must be logits of shape .* received y_pred.shape=\(3, 9\)"):
        losses.ctc(LABELS, LOGITS[..., 0])
