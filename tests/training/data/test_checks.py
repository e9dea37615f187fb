"""Targets against the losses (kerasish/training/data/checks.py): every shape Keras 3's losses accept is accepted,
with Keras's values; what Keras computes as garbage is refused."""

import os

import numpy as np
import pytest

import kerasish as ks
from kerasish.training.data.checks import check_target

keras = pytest.importorskip("keras")


def _fit_losses(module, x, y, batch_size, epochs=3):
    module.utils.set_random_seed(0)
    model = module.Sequential([module.Input((x.shape[1],)), module.layers.Dense(10)])
    model.compile(module.optimizers.SGD(1e-4), loss="mse")
    return model, lambda: model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)


def test_keras_early_stopping_docstring_example_runs_with_keras_values():
    """EarlyStopping's own docstring example: targets (5,) against outputs (5, 10), one sample per batch."""
    x, y = np.arange(100).reshape(5, 20) / 100.0, np.zeros(5)
    reference, run_reference = _fit_losses(keras, x, y, 1)
    ours, run_ours = _fit_losses(ks, x, y, 1)
    ours.set_weights(reference.get_weights())
    np.testing.assert_allclose(run_ours().history["loss"], run_reference().history["loss"], rtol=1e-5)
    callback = ks.callbacks.EarlyStopping(monitor="loss", patience=3)  # the example itself
    model = ks.Sequential([ks.layers.Dense(10)])
    model.compile(ks.optimizers.SGD(), loss="mse")
    history = model.fit(np.arange(100).reshape(5, 20), np.zeros(5), epochs=10, batch_size=1, callbacks=[callback],
                        verbose=0)
    assert len(history.history["loss"]) < 10  # it diverges, so early stopping ends it, as in Keras


def test_column_targets_broadcast_against_outputs_as_keras():
    x, y = np.random.default_rng(0).normal(size=(8, 4)), np.random.default_rng(1).normal(size=(8, 1))
    reference, run_reference = _fit_losses(keras, x, y, 4)
    ours, run_ours = _fit_losses(ks, x, y, 4)
    ours.set_weights(reference.get_weights())
    np.testing.assert_allclose(run_ours().history["loss"], run_reference().history["loss"], rtol=1e-5)


@pytest.mark.parametrize("target, output, batch_size, accepted", [
    ((8, 1), (None, 10), None, True),     # broadcast across the outputs
    ((8,), (None, 1), None, True),        # Keras adds the axis
    ((8, 3, 1), (None, 3), None, True),   # Keras squeezes the axis
    ((8,), (None, 10), 1, True),          # one sample per batch: the target broadcasts over the outputs
    ((8,), (None, 10), 4, False),         # Keras fails (4 vs 10) ...
    ((10,), (None, 10), 10, False),       # ... or pairs sample i's target with output unit i: garbage
    ((8, 2), (None, 3), None, False),     # no broadcast
])
def test_mean_squared_error_targets(target, output, batch_size, accepted):
    y = np.zeros(target, np.float32)
    loss = ks.losses.MeanSquaredError()
    if accepted:
        check_target(y, loss, output, batch_size=batch_size)
    else:
        with pytest.raises(ValueError, match=r"Argument `y` has shape .* but mean_squared_error for an output of "
                                             r"shape .* needs (shapes that broadcast|targets of the output's rank)"):
            check_target(y, loss, output, batch_size=batch_size)


def test_crossentropy_targets_still_need_the_output_shape_and_range():
    with pytest.raises(ValueError, match=r"needs targets of the output's shape"):
        check_target(np.zeros((4, 1)), ks.losses.CategoricalCrossentropy(), (None, 3))
    with pytest.raises(ValueError, match=r"holds the class id 3"):
        check_target(np.array([0, 3]), ks.losses.SparseCategoricalCrossentropy(), (None, 3))
    assert os.environ["KERAS_BACKEND"] == "jax"
