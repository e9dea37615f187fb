"""`Layer.add_loss` and `activity_regularizer=`: added to the loss of fit and evaluate, as in Keras 3."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    return x, np.stack([x[:, 0] * x[:, 1], np.sin(x[:, 2])], axis=1).astype(np.float32)


def test_activity_regularizer_fit_and_evaluate_match_keras():
    x, y = _data()
    keras.utils.set_random_seed(0)
    reference = keras.Sequential([keras.Input((5,)),
                                  keras.layers.Dense(2, activity_regularizer=keras.regularizers.L2(0.1))])
    reference.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    ours = ks.Sequential([ks.Input((5,)), ks.layers.Dense(2, activity_regularizer=ks.regularizers.L2(0.1))])
    ours.compile(optimizer=ks.optimizers.SGD(0.05), loss="mse")
    ours.set_weights(reference.get_weights())

    # Eager call: the penalty (divided by the batch size, as Keras 3 does) is in `losses`.
    reference(x[:7])
    ours(x[:7])
    np.testing.assert_allclose([float(v) for v in ours.losses], [float(v) for v in reference.losses], rtol=1e-5)

    # fit differentiates and reports loss + penalty; evaluate reports it too. Equal batches: one compile each.
    expected = reference.fit(x, y, batch_size=20, epochs=3, shuffle=False, verbose=0).history["loss"]
    got = ours.fit(x, y, batch_size=20, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(ours.evaluate(x, y, batch_size=20, verbose=0),
                               reference.evaluate(x, y, batch_size=20, verbose=0), rtol=1e-5)
    assert ours.layers[0].get_config()["activity_regularizer"] == {"class_name": "L2", "config": {"l2": 0.1}}
    assert "activity_regularizer" not in ks.layers.Dense(2).get_config()  # as in Keras: only when set


class Penalized(ks.layers.Layer):
    """Passes x through and asks for `weight * mean(x ** 2)` to be minimised."""

    def __init__(self, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = weight

    def call(self, x):
        self.add_loss(self.weight * jnp.mean(x ** 2))
        return x


class Tiny(ks.Model):
    def __init__(self):
        super().__init__()
        self.dense = ks.layers.Dense(2)
        self.penalty = Penalized(0.5)

    def call(self, x):
        y = self.penalty(self.dense(x))
        self.add_loss(0.1 * jnp.sum(jnp.abs(y)) / y.shape[0])  # Model.add_loss in a subclassed call
        return y


def test_custom_add_loss_is_trained_and_reported(seeded):
    x, y = _data()
    model = Tiny()
    model.compile(optimizer=ks.optimizers.SGD(0.05), loss="mse")
    model(x[:2])
    w = model.get_weights()
    y_pred = x @ w[0] + w[1]
    expected = float(np.mean((y_pred - y) ** 2) + 0.5 * np.mean(y_pred ** 2) + 0.1 * np.abs(y_pred).sum() / len(x))
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=40, verbose=0), expected, rtol=1e-5)
    # The eager call keeps the last call's losses only (layer's, then model's own), as Keras does.
    model(x)
    model(x)
    assert len(model.losses) == 2 and len(model.penalty.losses) == 1
    np.testing.assert_allclose(float(model.penalty.losses[0]), 0.5 * np.mean(y_pred ** 2), rtol=1e-5)
    # fit minimises the penalty as well: the outputs shrink compared to a run without it.
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_stateless_call_returns_losses_and_tracing_keeps_none(seeded):
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, activity_regularizer="l2")])
    _, params, rest = model.split()
    x = jnp.ones((4, 3))
    y, _, losses = model.stateless_call(params, rest, x, return_losses=True)
    np.testing.assert_allclose(float(losses[0]), 0.01 * float(jnp.sum(y ** 2)) / 4, rtol=1e-6)
    model(x)
    before = [float(v) for v in model.losses]
    jax.jit(lambda x: model(x))(2 * x)  # a traced call keeps nothing (its values are tracers)
    assert [float(v) for v in model.losses] == before


def test_add_loss_rejects_non_numbers():
    layer = Penalized()
    with pytest.raises(TypeError, match=r"Argument `value` of add_loss \(layer 'penalized.*received 'oops'"):
        layer.add_loss("oops")
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'"):
        ks.layers.Dense(2, activity_regularizer="l3")
