"""`Callback`'s hook aliases, against Keras 3: `on_batch_begin` / `on_batch_end` are Keras's older names of the
training batch hooks, called by the default `on_train_batch_begin` / `on_train_batch_end`."""

import keras
import numpy as np
import pytest

import kerasish as ks


def _recorder(base):
    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_batch_begin(self, batch, logs=None):
            self.seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            self.seen.append(("end", batch, sorted(logs)))

    return Recorder()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(10, 3)).astype("float32"), rng.normal(size=(10, 1)).astype("float32")


def _fit(lib, x, y, callback):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, callbacks=[callback], verbose=0)


def test_on_batch_hooks_are_the_training_batch_hooks_as_in_keras(data):
    ours, theirs = _recorder(ks.callbacks.Callback), _recorder(keras.callbacks.Callback)
    _fit(ks, *data, ours)
    _fit(keras, *data, theirs)
    assert ours.seen == theirs.seen
    assert ours.overrides("on_train_batch_end") and not ks.callbacks.Callback().overrides("on_train_batch_end")


def test_an_overridden_training_batch_hook_replaces_the_alias(data):
    class Both(ks.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_train_batch_end(self, batch, logs=None):
            self.calls.append("train")

        def on_batch_end(self, batch, logs=None):
            self.calls.append("alias")

    callback = Both()
    _fit(ks, *data, callback)
    assert callback.calls == ["train"] * 6
