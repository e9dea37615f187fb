"""TerminateOnNaN: training stops at the first non-finite loss and the model keeps finite weights."""

import math

import numpy as np
import pytest

import kerasish as ks
from kerasish.callbacks import CallbackList, LambdaCallback, TerminateOnNaN
from tests.callbacks.fakes import FakeModel


@pytest.fixture(scope="module")
def setup(blobs):
    """One model (plain SGD: no optimizer state), its initial weights, and data whose batch 2 (of 6) makes the
    loss overflow to inf (fit rejects NaN in the data itself)."""
    x, _ = blobs
    y = x @ np.array([[1.0], [-1.0], [0.5], [2.0]], np.float32)
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(1)])
    model.compile(optimizer=ks.optimizers.SGD(0.01), loss="mse")
    bad = x.copy()
    bad[40, 1] = 1e30  # sample 40 is in batch 2 with batch_size=16: its squared error is inf in float32
    return model, model.get_weights(), x, bad, y


def _weights_after_two_clean_steps(model, initial, x, y):
    class StopAfterBatch1(ks.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    model.set_weights(initial)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[StopAfterBatch1()])
    return model.get_weights()


def _every_batch():
    """A batch callback that must see each batch: fit then runs one step per dispatch."""
    return LambdaCallback(on_train_batch_begin=lambda batch, logs: None)


def test_stops_at_the_first_non_finite_loss_and_keeps_the_last_finite_weights(setup, capsys):
    model, initial, x, bad, y = setup
    expected = _weights_after_two_clean_steps(model, initial, x, y)
    ended = []
    model.set_weights(initial)
    history = model.fit(bad, y, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[
        TerminateOnNaN(), _every_batch(), LambdaCallback(on_train_end=lambda logs: ended.append(True))])
    assert history.epoch == [0] and history.history["loss"][0] == math.inf and ended == [True]
    assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"  # Keras's message
    for got, want in zip(model.get_weights(), expected):  # the bad step was skipped, no later step ran
        np.testing.assert_array_equal(got, want)


def test_with_grouped_steps_it_stops_at_the_end_of_the_group(setup, capsys):
    model, initial, x, bad, y = setup
    model.set_weights(initial)
    history = model.fit(bad, y, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[TerminateOnNaN()])
    assert history.epoch == [0]  # one dispatch of all 6 steps ("auto"), checked after it
    assert capsys.readouterr().out == "Batch 5: Invalid loss, terminating training\n"
    grouped = model.get_weights()
    # every step of the group ran but the bad one: the same as training without batch 2
    model.set_weights(initial)
    keep = np.r_[0:32, 48:96]
    model.fit(x[keep], y[keep], batch_size=16, epochs=1, shuffle=False, verbose=0)
    for got, want in zip(grouped, model.get_weights()):
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_raise_error_names_the_epoch_and_batch(setup):
    model, initial, x, bad, y = setup
    expected = _weights_after_two_clean_steps(model, initial, x, y)
    model.set_weights(initial)
    with pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch 2. Loss value: inf. Terminating "
                                           r"training immediately. \(Epoch 1;"):
        model.fit(bad, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                  callbacks=[TerminateOnNaN(raise_error=True), _every_batch()])
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(got, want)


def test_it_does_not_force_one_step_per_dispatch():
    assert CallbackList([TerminateOnNaN()]).needs_every_batch is False
    assert TerminateOnNaN().reads_weights_during_training is False


@pytest.mark.parametrize("loss,stops", [(1.0, False), (math.inf, True), (-math.inf, True), (math.nan, True)])
def test_any_non_finite_loss_stops(loss, stops, capsys):
    callback = TerminateOnNaN()
    callback.set_model(FakeModel())
    callback.on_epoch_begin(4)
    callback.on_train_batch_end(7, {"loss": loss})
    assert callback.model.stop_training is stops
    assert ("Batch 7: Invalid loss" in capsys.readouterr().out) is stops


def test_raise_error_must_be_a_bool():
    with pytest.raises(TypeError, match="`raise_error` of TerminateOnNaN must be True or False, received 'yes'"):
        TerminateOnNaN("yes")
