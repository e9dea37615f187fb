"""kerasish.metrics' confusion-matrix metrics against keras.metrics (JAX backend): counts, Precision, Recall
(thresholds, top_k, class_id) and the ...At... family, with and without sample weights, both faces."""

import pytest

from kerasish import metrics
from tests.metrics.oracle import N, assert_metric_matches_keras, batches, binary, uniform

SCORES = lambda: uniform(N)  # noqa: E731
MULTI = lambda: batches(lambda: binary(N, 3), lambda: uniform(N, 3))  # noqa: E731
CASES = {}
for count in ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]:
    CASES[count] = (count, {}, lambda: batches(lambda: binary(N), SCORES))
    CASES[f"{count}-thresholds"] = (count, {"thresholds": [0.2, 0.5, 0.8]}, MULTI)
    CASES[f"{count}-even-thresholds"] = (count, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, MULTI)
for ratio in ["Precision", "Recall"]:
    CASES[ratio] = (ratio, {}, lambda: batches(lambda: binary(N), SCORES))
    CASES[f"{ratio}-column"] = (ratio, {"thresholds": 0.3}, lambda: batches(lambda: binary(N, 1),
                                                                            lambda: uniform(N, 1)))
    CASES[f"{ratio}-thresholds"] = (ratio, {"thresholds": [0.2, 0.5, 0.8]}, MULTI)
    CASES[f"{ratio}-class-id"] = (ratio, {"class_id": 1}, MULTI)
    CASES[f"{ratio}-top-k"] = (ratio, {"top_k": 2}, MULTI)
    CASES[f"{ratio}-top-k-class-id"] = (ratio, {"top_k": 1, "class_id": 2, "thresholds": 0.4}, MULTI)
for name, value in [("SensitivityAtSpecificity", 0.6), ("SpecificityAtSensitivity", 0.6),
                    ("PrecisionAtRecall", 0.7), ("RecallAtPrecision", 0.4)]:
    CASES[name] = (name, {name.split("At")[1].lower(): value}, lambda: batches(lambda: binary(N), SCORES))
    CASES[f"{name}-few-thresholds"] = (name, {name.split("At")[1].lower(): value, "num_thresholds": 7,
                                              "class_id": 0}, MULTI)
    CASES[f"{name}-one-threshold"] = (name, {name.split("At")[1].lower(): value, "num_thresholds": 1}, MULTI)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    name, kwargs, data = CASES[case]
    # Counts of tens of weighted samples: a true-negative count of 0 comes out as +-3e-6 in both libraries.
    assert_metric_matches_keras(name, kwargs, data(), weighted, atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]. Received: \[1.5\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"Argument `specificity` must be in the range \[0, 1\]. Received: "
                                         r"specificity=2"):
        metrics.SensitivityAtSpecificity(2)
    with pytest.raises(ValueError, match=r"`sensitivity` must be in the range \[0, 1\]. Received: sensitivity=-1"):
        metrics.SpecificityAtSensitivity(-1)
    with pytest.raises(ValueError, match=r"`recall` must be in the range \[0, 1\]"):
        metrics.PrecisionAtRecall(1.1)
    with pytest.raises(ValueError, match=r"`precision` must be in the range \[0, 1\]"):
        metrics.RecallAtPrecision(1.1)
    with pytest.raises(ValueError, match=r"`num_thresholds` must be an integer > 0. Received: num_thresholds=0"):
        metrics.PrecisionAtRecall(0.5, num_thresholds=0)
    with pytest.raises(ValueError, match=r"`y_true` and `y_pred` of a confusion-matrix metric .* must have the same "
                                         r"shape .* received y_true.shape=\(8,\), y_pred.shape=\(8, 3\)"):
        metrics.AUC().update_state(binary(N), uniform(N, 3))  # Keras: a broadcasting error from deep inside
    with pytest.raises(ValueError, match=r"When class_id is provided, y_pred must be a 2D array .* shape: \(8,\)"):
        metrics.Recall(class_id=1).update_state(binary(N), uniform(N))
