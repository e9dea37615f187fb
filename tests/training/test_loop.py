"""The epoch loop against Keras 3: the weights callbacks read and set at an epoch's end."""

import keras
import numpy as np

import kerasish as ks


def _twins(regression):
    """The same small regressor in Keras 3 and in kerasish (same initial weights), plain SGD."""
    keras.utils.set_random_seed(0)
    models = []
    for framework in (keras, ks):
        model = framework.Sequential([framework.Input((3,)), framework.layers.Dense(4, activation="tanh"),
                                      framework.layers.Dense(1)])
        model.compile(optimizer=framework.optimizers.SGD(0.1), loss="mse")
        models.append(model)
    theirs, ours = models
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _assert_all_close(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_model_captured_by_a_closure_holds_each_epochs_weights_at_its_end(regression):
    """A LambdaCallback reading the model it closes over (not `self.model`) sees the epoch's weights, as Keras 3
    syncs the state into the model before every `on_epoch_end`."""
    x, y = regression
    ours, theirs = _twins(regression)
    seen = {"ours": [], "theirs": []}
    for name, model, framework in (("ours", ours, ks), ("theirs", theirs, keras)):
        read = framework.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs, model=model, name=name: seen[name].append(model.get_weights()))
        model.fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0, callbacks=[read])
    assert len(seen["ours"]) == len(seen["theirs"]) == 3
    for got, expected in zip(seen["ours"], seen["theirs"]):
        _assert_all_close(got, expected)
    assert not np.allclose(seen["ours"][0][0], seen["ours"][1][0])  # the epochs did train


def test_weights_a_callback_sets_at_an_epoch_end_are_where_the_next_epoch_starts(regression):
    """A callback putting the initial weights back after epoch 0: epoch 1 trains from them (its loss is epoch 0's),
    in Keras 3 and here."""
    x, y = regression
    ours, theirs = _twins(regression)
    initial = theirs.get_weights()

    def reset(framework):
        class Reset(framework.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch == 0:
                    self.model.set_weights(initial)
        return Reset()

    kwargs = dict(batch_size=10, epochs=2, shuffle=False, verbose=0)
    expected = theirs.fit(x, y, callbacks=[reset(keras)], **kwargs).history["loss"]
    got = ours.fit(x, y, callbacks=[reset(ks)], **kwargs).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(got[1], got[0], rtol=1e-6)
    _assert_all_close(ours.get_weights(), theirs.get_weights())
