"""Muon against Keras 3: the Muon step on 2-D weights, the AdamW step on the others, the exclusions by path."""

import jax.numpy as jnp
import numpy as np
import pytest

from kerasish import optimizers
from tests.optimizers.helpers import assert_config_matches_keras, assert_matches_keras

CASES = {
    "muon": lambda m: m.Muon(0.05, momentum=0.8, ns_steps=3, adam_lr_ratio=0.5, name="o"),
    "muon_plain": lambda m: m.Muon(0.05, nesterov=False, rms_rate=None, weight_decay=None, name="o"),
    "muon_excluding_a": lambda m: m.Muon(0.05, exclude_layers=["^a$"], name="o"),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES)
def test_matches_keras(make):
    assert_matches_keras(make, ways=("apply",))
    assert_config_matches_keras(make)


def test_the_newton_schulz_iteration_approximately_orthogonalizes():
    x = jnp.asarray(np.random.default_rng(0).normal(size=(4, 6)), jnp.float32)
    y = optimizers.Muon(ns_steps=10).zeropower_via_newtonschulz5(x, 10)
    singular = np.linalg.svd(np.asarray(y), compute_uv=False)
    assert np.all(np.abs(singular - 1) < 0.35), singular  # the quintic iteration lands near 1, not on it
    with pytest.raises(ValueError, match=r"Expected gradient or momentum to have at least 2 dimensions. Received: "
                                         r"shape=\(3,\)"):
        optimizers.Muon().zeropower_via_newtonschulz5(jnp.ones(3), 5)


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.Muon(exclude_layers="dense"), r"`exclude_layers` of Muon must be a list of strings"),
    (lambda: optimizers.Muon(ns_steps=2.5), r"`ns_steps` of Muon must be an integer >= 0, received ns_steps=2.5"),
    (lambda: optimizers.Muon(momentum=1.5), r"`momentum` of Muon must be a finite number in \[0, 1\]"),
    (lambda: optimizers.Muon(rms_rate=-0.2), r"`rms_rate` of Muon must be a finite number >= 0"),
    (lambda: optimizers.Muon(muon_a=float("nan")), r"`muon_a` of Muon must be a finite number, received muon_a=nan"),
])
def test_arguments_out_of_range_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
