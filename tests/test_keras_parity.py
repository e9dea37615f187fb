"""Keras 3 (JAX backend) as the oracle: same model, same initial weights, same data, same optimizer,
no shuffling -> the same per-epoch losses, evaluation and predictions."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import kerasish as ks  # noqa: E402

CASES = [
    # (loss, output units, output activation, optimizer name, optimizer kwargs)
    ("mse", 2, None, "SGD", {"learning_rate": 0.05}),
    ("mse", 2, None, "Adam", {"learning_rate": 0.01}),
    ("sparse_categorical_crossentropy", 3, "softmax", "SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("sparse_categorical_crossentropy", 3, "softmax", "Adam", {"learning_rate": 0.01}),
]


def _data(loss, units):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)).astype(np.float32)
    if loss == "mse":
        y = np.stack([np.sin(x[:, 0]) + x[:, 1], x[:, 2] * x[:, 3]], axis=1).astype(np.float32)
    else:
        y = (np.digitize(x[:, 0] + 0.5 * x[:, 1], [-0.5, 0.5])).astype(np.int32)
    return x, y


@pytest.mark.parametrize("loss,units,activation,optimizer,kwargs", CASES)
def test_fit_matches_keras(loss, units, activation, optimizer, kwargs):
    x, y = _data(loss, units)
    keras.utils.set_random_seed(0)
    reference = keras.Sequential([keras.Input((5,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(units, activation=activation)])
    reference.compile(optimizer=getattr(keras.optimizers, optimizer)(**kwargs), loss=loss)
    ours = ks.Sequential([ks.Input((5,)), ks.layers.Dense(16, activation="relu"),
                          ks.layers.Dense(units, activation=activation)])
    ours.compile(optimizer=getattr(ks.optimizers, optimizer)(**kwargs), loss=loss)
    ours.set_weights(reference.get_weights())

    expected = reference.fit(x, y, batch_size=32, epochs=5, shuffle=False, verbose=0).history["loss"]
    got = ours.fit(x, y, batch_size=32, epochs=5, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    for a, b in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), reference.evaluate(x, y, verbose=0), rtol=1e-4)
    np.testing.assert_allclose(ours.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-4, atol=1e-6)


def test_accuracy_and_validation_split_match_keras():
    x, y = _data("sparse_categorical_crossentropy", 3)
    keras.utils.set_random_seed(1)
    reference = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(3, activation="softmax")])
    reference.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    ours = ks.Sequential([ks.Input((5,)), ks.layers.Dense(8, activation="tanh"),
                          ks.layers.Dense(3, activation="softmax")])
    ours.compile(optimizer=ks.optimizers.RMSprop(0.01), loss="sparse_categorical_crossentropy",
                 metrics=["accuracy"])
    ours.set_weights(reference.get_weights())
    kwargs = dict(batch_size=16, epochs=4, shuffle=False, validation_split=0.3, verbose=0)
    expected = reference.fit(x, y, **kwargs).history
    got = ours.fit(x, y, **kwargs).history
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-4, err_msg=key)
