"""SGD and Lion against Keras 3: steps, variables and config; their arguments' checks."""

import pytest

from kerasish import optimizers
from tests.optimizers.helpers import assert_config_matches_keras, assert_matches_keras

CASES = {
    "sgd": lambda m: m.SGD(0.1, name="o"),
    "sgd_momentum": lambda m: m.SGD(0.1, momentum=0.9, name="o"),
    "sgd_nesterov": lambda m: m.SGD(0.05, momentum=0.5, nesterov=True, name="o"),
    "lion": lambda m: m.Lion(0.1, name="o"),
    "lion_betas": lambda m: m.Lion(0.05, beta_1=0.5, beta_2=0.8, name="o"),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES)
def test_matches_keras(make):
    assert_matches_keras(make, ways=("apply",))
    assert_config_matches_keras(make)


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.SGD(momentum=2.0), r"`momentum` must be a float between \[0, 1\]. Received: momentum=2.0"),
    (lambda: optimizers.SGD(momentum=float("inf")), r"`momentum` must be a float between \[0, 1\]. Received: "
                                                    r"momentum=inf"),
    (lambda: optimizers.SGD(momentum=float("nan")), r"Argument `momentum` of SGD must be a finite number in \[0, 1\], "
                                                    r"received momentum=nan"),
    (lambda: optimizers.SGD(nesterov="yes"), r"Argument `nesterov` of SGD must be True or False, received "
                                             r"nesterov='yes'"),
    (lambda: optimizers.Lion(beta_1=0.0), r"Argument `beta_1` must be in the \[0, 1\] range. Otherwise, the "
                                          r"optimizer degenerates to SignSGD. Received: beta_1=0.0."),
    (lambda: optimizers.Lion(beta_1=float("nan")), r"`beta_1` of Lion must be a finite number in \(0, 1\], received "
                                                   r"beta_1=nan"),
    (lambda: optimizers.Lion(beta_2=1.5), r"`beta_2` of Lion must be a finite number in \[0, 1\]"),
])
def test_arguments_out_of_range_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
