"""kerasish.metrics' correlation metrics against keras.metrics (JAX backend), both faces."""

import keras
import numpy as np
import pytest

from kerasish import metrics
from tests.metrics.oracle import C, N, assert_metric_matches_keras, batches, normal

CASES = {
    "pearson": ("PearsonCorrelation", {}),
    "pearson-axis0": ("PearsonCorrelation", {"axis": 0}),
    "concordance": ("ConcordanceCorrelation", {}),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    name, kwargs = CASES[case]
    weights = (lambda: np.abs(normal(C))) if kwargs.get("axis") == 0 else None
    data = batches(lambda: normal(N, C), lambda: normal(N, C), weights=weights)
    assert_metric_matches_keras(name, kwargs, data, weighted)


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation"])
def test_functions_match_keras(name):
    y_true, y_pred = normal(N, C), normal(N, C)
    np.testing.assert_allclose(getattr(metrics, name)(y_true, y_pred), getattr(keras.metrics, name)(y_true, y_pred),
                               rtol=1e-5)
