"""RMSprop, Adagrad, Adadelta, Adafactor and Ftrl against Keras 3: steps, variables and config; their checks."""

import pytest

from kerasish import optimizers
from tests.optimizers.helpers import assert_config_matches_keras, assert_matches_keras

CASES = {
    "rmsprop_centered": lambda m: m.RMSprop(0.01, rho=0.8, momentum=0.5, centered=True, name="o"),
    "adagrad": lambda m: m.Adagrad(0.1, initial_accumulator_value=0.5, epsilon=1e-3, name="o"),
    "adadelta": lambda m: m.Adadelta(1.0, rho=0.8, epsilon=1e-4, name="o"),
    "adafactor": lambda m: m.Adafactor(0.5, beta_2_decay=-0.5, epsilon_2=1e-2, clip_threshold=0.5, name="o"),
    "adafactor_absolute": lambda m: m.Adafactor(0.5, relative_step=False, name="o"),
    "ftrl": lambda m: m.Ftrl(0.1, learning_rate_power=-0.7, l1_regularization_strength=0.01,
                             l2_regularization_strength=0.02, l2_shrinkage_regularization_strength=0.03, beta=0.1,
                             name="o"),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES)
def test_matches_keras(make):
    assert_matches_keras(make, ways=("apply",))
    assert_config_matches_keras(make)


def test_adafactor_with_a_schedule_takes_no_relative_step():
    make = lambda m: m.Adafactor(m.schedules.ExponentialDecay(0.5, 1, 0.9))
    assert_matches_keras(make, ways=("apply",))


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.RMSprop(rho=1.5), r"`rho` of RMSprop must be a finite number in \[0, 1\], received rho=1.5"),
    (lambda: optimizers.RMSprop(momentum=-0.1), r"`momentum` of RMSprop .* received momentum=-0.1"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1), r"received initial_accumulator_value=-1"),
    (lambda: optimizers.Adadelta(epsilon=float("inf")), r"`epsilon` of Adadelta must be a finite number >= 0"),
    (lambda: optimizers.Adafactor(clip_threshold=0), r"`clip_threshold` of Adafactor must be a finite number > 0"),
    (lambda: optimizers.Ftrl(learning_rate_power=0.5), r"^`learning_rate_power` needs to be negative or zero. "
                                                       r"Received: learning_rate_power=0.5.$"),
    (lambda: optimizers.Ftrl(learning_rate_power=-float("inf")), r"`learning_rate_power` of Ftrl must be a finite "
                                                                 r"number <= 0"),
    (lambda: optimizers.Ftrl(l1_regularization_strength=-1.0),
     r"^`l1_regularization_strength` needs to be positive or zero. Received: l1_regularization_strength=-1.0.$"),
    (lambda: optimizers.Ftrl(l2_regularization_strength=float("nan")), r"`l2_regularization_strength` of Ftrl must "
                                                                        r"be a finite number >= 0"),
    (lambda: optimizers.Ftrl(beta=-1.0), r"`beta` of Ftrl must be a finite number >= 0"),
])
def test_arguments_out_of_range_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
