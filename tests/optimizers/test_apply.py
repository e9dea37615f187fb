"""The base options, against Keras 3: several steps, the same weights and optimizer variables (rtol 1e-5).

Every optimizer runs without options, with weight decay (which changes the weights Lamb, Adafactor and Ftrl read)
and with the moving average of the weights. Gradient accumulation (which changes the step count that bias
corrections and Nadam's momentum schedule read; Keras's eager reference compiles a `lax.cond` at every step, so
it is the slowest to check) runs on the optimizers whose maths reads the step count, and on SGD. The options that
only transform gradients or weights around the step (clipping, loss scaling, overwriting with the average) run
on three optimizers of different slot structures. The stateless and optax ways, under `jax.jit`, are checked on a
sample.
"""

import pytest

from tests.optimizers.helpers import assert_matches_keras

OPTIMIZERS = {
    "SGD": {"learning_rate": 0.1, "momentum": 0.5},
    "Adam": {"learning_rate": 0.1},
    "AdamW": {"learning_rate": 0.1},
    "RMSprop": {"learning_rate": 0.1, "momentum": 0.3},
    "Adagrad": {"learning_rate": 0.1},
    "Adamax": {"learning_rate": 0.1},
    "Nadam": {"learning_rate": 0.1},
    "Adadelta": {"learning_rate": 0.5},
    "Adafactor": {"learning_rate": 0.1},
    "Ftrl": {"learning_rate": 0.1},
    "Lion": {"learning_rate": 0.1},
    "Lamb": {"learning_rate": 0.1},
    "Muon": {"learning_rate": 0.1},
    "ScheduleFreeAdamW": {"learning_rate": 0.1},
}
OPTIONS = {
    "none": {},
    "weight_decay": {"weight_decay": 0.05},
    "clipnorm": {"clipnorm": 0.5},
    "clipvalue": {"clipvalue": 0.3},
    "global_clipnorm": {"global_clipnorm": 0.5},
    "use_ema": {"use_ema": True, "ema_momentum": 0.8},
    "ema_overwrite_frequency": {"use_ema": True, "ema_momentum": 0.8, "ema_overwrite_frequency": 2},
    "loss_scale_factor": {"loss_scale_factor": 8.0},
    "gradient_accumulation_steps": {"gradient_accumulation_steps": 2},
}


def _make(name, options):
    return lambda module: getattr(module, name)(**OPTIMIZERS[name], **options)


INTERACTING = ("none", "weight_decay", "use_ema")
AROUND = ("clipnorm", "clipvalue", "global_clipnorm", "loss_scale_factor", "ema_overwrite_frequency")


@pytest.mark.parametrize("option", INTERACTING)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_with_the_options_its_maths_reads_matches_keras(name, option):
    assert_matches_keras(_make(name, OPTIONS[option]), ways=("apply",))


@pytest.mark.parametrize("name", ["SGD", "Adam", "Nadam", "Adafactor", "Lamb"])
def test_gradient_accumulation_matches_keras(name):
    assert_matches_keras(_make(name, OPTIONS["gradient_accumulation_steps"]), ways=("apply",))


@pytest.mark.parametrize("option", AROUND)
@pytest.mark.parametrize("name", ["SGD", "Adam", "Adafactor"])
def test_the_options_around_the_step_match_keras(name, option):
    assert_matches_keras(_make(name, OPTIONS[option]), ways=("apply",))


@pytest.mark.parametrize("name, option", [("SGD", "gradient_accumulation_steps"), ("Nadam", "ema_overwrite_frequency"),
                                          ("Muon", "weight_decay")])
def test_the_stateless_and_optax_ways_match_keras_under_jit(name, option):
    assert_matches_keras(_make(name, OPTIONS[option]), ways=("stateless_apply", "optax"))
