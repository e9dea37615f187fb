"""kerasish.metrics.AUC against keras.metrics.AUC (JAX backend): every curve and summation method, explicit and
evenly spaced thresholds, multi-label with and without label weights, logits; both faces."""

import numpy as np
import pytest

from kerasish import metrics
from kerasish import variables as ks_variables
from tests.metrics.oracle import C, N, assert_metric_matches_keras, batches, binary, normal, uniform

FLAT = lambda: batches(lambda: binary(N), lambda: uniform(N))  # noqa: E731
MULTI = lambda: batches(lambda: binary(N, C), lambda: uniform(N, C))  # noqa: E731
CASES = {
    "roc": ({}, FLAT),
    "roc-few": ({"num_thresholds": 5}, FLAT),
    "pr": ({"curve": "PR"}, FLAT),
    "pr-majoring": ({"curve": "PR", "summation_method": "majoring"}, FLAT),
    "roc-minoring": ({"summation_method": "minoring"}, FLAT),
    "prgain": ({"curve": "PRGAIN"}, FLAT),
    "explicit-thresholds": ({"thresholds": [0.1, 0.35, 0.5, 0.9]}, FLAT),
    "even-explicit-thresholds": ({"thresholds": [0.25, 0.5, 0.75]}, FLAT),
    "multi-entries": ({}, MULTI),
    "multi-label": ({"multi_label": True}, MULTI),
    "multi-label-num-labels": ({"multi_label": True, "num_labels": C, "curve": "PR"}, MULTI),
    "multi-label-weights": ({"multi_label": True, "label_weights": [0.1, 0.5, 1.0, 2.0]}, MULTI),
    "label-weights": ({"label_weights": [0.1, 0.5, 1.0, 2.0], "curve": "PR"}, MULTI),
    "logits": ({"from_logits": True}, lambda: batches(lambda: binary(N), lambda: normal(N) * 3)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(case, weighted):
    kwargs, data = CASES[case]
    assert_metric_matches_keras("AUC", kwargs, data(), weighted)


def test_perfect_and_chance_rankings():
    m = metrics.AUC()
    m.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert float(m.result()) == pytest.approx(1.0)
    m.reset_state()
    m.update_state([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    assert float(m.result()) == pytest.approx(0.5)


def test_errors():
    with pytest.raises(ValueError, match=r'Invalid AUC curve value: "ROCK". Expected values are \["PR", "ROC", '):
        metrics.AUC(curve="ROCK")
    with pytest.raises(ValueError, match=r'Invalid AUC summation method value: "trapezoid"'):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match=r"`num_thresholds` must be an integer > 1. Received: num_thresholds=1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="`num_labels` is needed only when `multi_label` is True"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match=r"`y_pred` must have rank 2 when `multi_label=True`. Found rank 1"):
        metrics.AUC(multi_label=True).update_state(binary(N), uniform(N))
    with pytest.raises(ValueError, match="`label_weights` for multilabel data should be handled outside"):
        from kerasish.metrics import confusion_counts

        variables = {"tp": ks_variables.Variable(np.zeros(3, np.float32), name="tp")}
        confusion_counts.update_confusion_matrix_variables(variables, binary(N, 2), uniform(N, 2), [0.0, 0.5, 1.0],
                                                           multi_label=True, label_weights=[1.0, 1.0])
    with pytest.raises(ValueError, match=r'Invalid keys: "\[\'tq\'\]"'):
        confusion_counts.update_confusion_matrix_variables({"tq": variables["tp"]}, binary(N), uniform(N), [0.5])
