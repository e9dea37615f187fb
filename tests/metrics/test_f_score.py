"""kerasish.metrics' F1Score / FBetaScore against keras.metrics (JAX backend): every average, thresholds,
sample weights, both faces."""

import pytest

from kerasish import metrics
from tests.metrics.oracle import C, N, assert_metric_matches_keras, batches, binary, normal, probs, uniform

MULTI = lambda: batches(lambda: binary(N, C), lambda: uniform(N, C))  # noqa: E731
CASES = {
    "f1-per-class": ("F1Score", {}, lambda: batches(lambda: binary(N, C), probs)),
    "f1-micro": ("F1Score", {"average": "micro", "threshold": 0.5}, MULTI),
    "f1-macro": ("F1Score", {"average": "macro", "threshold": 0.4}, MULTI),
    "f1-weighted": ("F1Score", {"average": "weighted"}, MULTI),
    "fbeta": ("FBetaScore", {"beta": 2.0, "threshold": 0.5}, MULTI),
    "fbeta-macro-argmax": ("FBetaScore", {"beta": 0.5, "average": "macro"}, lambda: batches(
        lambda: binary(N, C), lambda: normal(N, C))),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    name, kwargs, data = CASES[case]
    assert_metric_matches_keras(name, kwargs, data(), weighted)


def test_errors():
    with pytest.raises(ValueError, match=r"Invalid `average` argument value. Expected one of: \{None, 'micro', "
                                         r"'macro', 'weighted'\}. Received: average=mean"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="It should be a Python float. Received: beta=2 of type"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match=r"`beta` argument value. It should be > 0. Received: beta=-1.0"):
        metrics.FBetaScore(beta=-1.0)
    with pytest.raises(ValueError, match="`threshold` argument value. It should be a Python float. Received: "
                                         "threshold=1 of type"):
        metrics.F1Score(threshold=1)
    with pytest.raises(ValueError, match=r"It should verify 0 < threshold <= 1. Received: threshold=1.5"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match=r"FBetaScore expects 2D inputs with shape \(batch_size, output_dim\). "
                                         r"Received input shapes: y_pred.shape=\(8,\) and y_true.shape=\(8,\)"):
        metrics.F1Score().update_state(binary(N), uniform(N))
