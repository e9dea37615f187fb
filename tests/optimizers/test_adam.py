"""Adam, AdamW, Adamax, Nadam and Lamb against Keras 3: steps, variables and config; their arguments' checks."""

import pytest

from kerasish import optimizers
from tests.optimizers.helpers import assert_config_matches_keras, assert_matches_keras

CASES = {
    "adam_epsilon": lambda m: m.Adam(0.05, epsilon=1e-2, name="o"),
    "adam_amsgrad": lambda m: m.Adam(0.05, beta_1=0.5, beta_2=0.9, amsgrad=True, name="o"),
    "adamw": lambda m: m.AdamW(0.05, weight_decay=0.3, name="o"),
    "adamax": lambda m: m.Adamax(0.05, beta_1=0.8, beta_2=0.9, epsilon=1e-3, name="o"),
    "nadam": lambda m: m.Nadam(0.05, beta_1=0.8, beta_2=0.95, name="o"),
    "lamb": lambda m: m.Lamb(0.05, beta_1=0.8, epsilon=1e-3, name="o"),
    "schedule_free": lambda m: m.ScheduleFreeAdamW(0.05, beta_1=0.8, warmup_steps=2, name="o"),
}


def test_schedule_free_starts_its_momentum_at_the_weights_in_every_way():
    assert_matches_keras(lambda m: m.ScheduleFreeAdamW(0.1, weight_decay=0.1), ways=("stateless_apply", "optax"))


@pytest.mark.parametrize("make", CASES.values(), ids=CASES)
def test_matches_keras(make):
    assert_matches_keras(make, ways=("apply",))
    assert_config_matches_keras(make)


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.Adam(beta_1=1.0), r"`beta_1` of Adam must be a finite number in \[0, 1\), received "
                                          r"beta_1=1.0"),
    (lambda: optimizers.Adam(beta_2=-0.5), r"`beta_2` of Adam must be .* received beta_2=-0.5"),
    (lambda: optimizers.Adam(epsilon=-1e-7), r"`epsilon` of Adam must be a finite number >= 0"),
    (lambda: optimizers.Adam(amsgrad=1), r"`amsgrad` of Adam must be True or False"),
    (lambda: optimizers.AdamW(weight_decay=None), r"Argument `weight_decay` must be a float. Received: "
                                                  r"weight_decay=None"),
    (lambda: optimizers.AdamW(weight_decay=float("inf")), r"`weight_decay` of AdamW must be a finite number >= 0, "
                                                          r"received weight_decay=inf"),
    (lambda: optimizers.Adamax(beta_2=2), r"`beta_2` of Adamax must be a finite number in \[0, 1\]"),
    (lambda: optimizers.Nadam(beta_1=float("nan")), r"`beta_1` of Nadam .* received beta_1=nan"),
    (lambda: optimizers.Lamb(epsilon="small"), r"`epsilon` of Lamb .* received epsilon='small'"),
    (lambda: optimizers.ScheduleFreeAdamW(beta_1=0.0), r"`beta_1` of ScheduleFreeAdamW must be a finite number in "
                                                       r"\(0, 1\]"),
    (lambda: optimizers.ScheduleFreeAdamW(warmup_steps=-1), r"`warmup_steps` of ScheduleFreeAdamW must be an "
                                                            r"integer >= 0"),
])
def test_arguments_out_of_range_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
