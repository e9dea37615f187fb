"""kerasish.metrics' regression metrics against keras.metrics (JAX backend), with and without sample weights,
both faces; R2Score's aggregations and adjusted form."""

import warnings

import keras
import numpy as np
import pytest

from kerasish import metrics
from tests.metrics.oracle import C, N, assert_metric_matches_keras, batches, normal, uniform

WIDE = lambda: batches(lambda: normal(N, C), lambda: normal(N, C))  # noqa: E731
CASES = {
    "mse-rank1-targets": ("MeanSquaredError", {}, lambda: batches(lambda: normal(N), lambda: normal(N, 1))),
    "mse": ("MeanSquaredError", {}, WIDE),
    "mae": ("MeanAbsoluteError", {}, WIDE),
    "mape": ("MeanAbsolutePercentageError", {}, WIDE),
    "msle": ("MeanSquaredLogarithmicError", {}, lambda: batches(lambda: uniform(N, C) * 3, lambda: uniform(N, C))),
    "rmse": ("RootMeanSquaredError", {}, WIDE),
    "rmse-rank1-targets": ("RootMeanSquaredError", {}, lambda: batches(lambda: normal(N), lambda: normal(N, 1))),
    "cosine": ("CosineSimilarity", {}, WIDE),
    "cosine-axis0": ("CosineSimilarity", {"axis": 0}, lambda: batches(lambda: normal(N, C), lambda: normal(N, C),
                                                                      weights=lambda: uniform(C))),
    "logcosh": ("LogCoshError", {}, WIDE),
    "r2": ("R2Score", {}, WIDE),
    "r2-column": ("R2Score", {}, lambda: batches(lambda: normal(N), lambda: normal(N, 1))),
    "r2-variance-weighted": ("R2Score", {"class_aggregation": "variance_weighted_average"}, WIDE),
    "r2-per-output": ("R2Score", {"class_aggregation": None}, WIDE),
    "r2-adjusted": ("R2Score", {"num_regressors": 2}, lambda: batches(lambda: normal(N, 1), lambda: normal(N, 1))),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    name, kwargs, data = CASES[case]
    assert_metric_matches_keras(name, kwargs, data(), weighted)


def test_adjusted_r2_falls_back_and_warns_as_keras():
    y_true, y_pred = normal(3, 1), normal(3, 1)
    for regressors, message in [(5, "More independent predictors than datapoints"), (2, "Division by zero")]:
        ours, theirs = metrics.R2Score(num_regressors=regressors), keras.metrics.R2Score(num_regressors=regressors)
        ours.update_state(y_true, y_pred)
        theirs.update_state(y_true, y_pred)
        with pytest.warns(UserWarning, match=message):
            got = ours.result()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_allclose(got, theirs.result(), rtol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match=r"Invalid value for argument `class_aggregation`. Expected one of \[None, "
                                         r"'uniform_average', 'variance_weighted_average'\]. Received: "
                                         r"class_aggregation='mean'"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="`num_regressors`. Expected a value >= 0. Received: num_regressors=-1"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match=r"R2Score expects 2D inputs with shape \(batch_size, output_dim\)"):
        metrics.R2Score().update_state(normal(2, 2, 2), normal(2, 2, 2))
