"""Optimizers inside `fit` (the engine's optax face, compiled): the same loss history as Keras 3's fit, with a
schedule, with weight decay and Nesterov momentum, and with gradient accumulation."""

import keras
import numpy as np
import pytest

import kerasish as ks

CASES = {
    "schedule": lambda m: m.Adam(learning_rate=m.schedules.ExponentialDecay(0.05, 1, 0.9)),
    "nesterov_weight_decay": lambda m: m.SGD(0.001, momentum=0.9, nesterov=True, weight_decay=0.01),
    "accumulation": lambda m: m.Adam(0.05, gradient_accumulation_steps=2),
}


def _fit(k, make):
    model = k.Sequential([k.layers.Dense(2, kernel_initializer="ones", bias_initializer="ones")])
    model.compile(optimizer=make(k.optimizers), loss="mse")
    x = np.arange(32, dtype=np.float32).reshape((16, 2))
    return model.fit(x, x, epochs=3, batch_size=4, shuffle=False, verbose=0).history["loss"]


@pytest.mark.parametrize("make", CASES.values(), ids=CASES)
def test_fit_gives_kerass_loss_history(make):
    np.testing.assert_allclose(_fit(ks, make), _fit(keras, make), rtol=5e-5)
