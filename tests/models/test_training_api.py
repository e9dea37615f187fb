"""Keras's stateless API of models (models/training_api.py, training/keras_state.py), against plain jax.numpy.

`trainable_variables` / `non_trainable_variables` are Keras-style handles on the model's NNX variables in Keras's
order; `stateless_call` computes on given values and returns the new non-trainable ones; `metrics`,
`compute_loss` and `stateless_compute_loss` are Keras's defaults.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks


def _dense_model():
    return ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, name="hidden"), ks.layers.Dense(2, name="out")])


@pytest.fixture
def mixed_model(seeded):
    """Dense, BatchNormalization (moving statistics) and Dropout (an RNG stream): every kind of state."""
    return ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, name="hidden"),
                          ks.layers.BatchNormalization(name="norm"), ks.layers.Dropout(0.5, name="drop"),
                          ks.layers.Dense(2, name="out")])


def test_trainable_variables_are_the_trainable_weights_in_order(mixed_model):
    handles = mixed_model.trainable_variables
    assert [v.path for v in handles] == ["hidden/kernel", "hidden/bias", "norm/gamma", "norm/beta", "out/kernel",
                                         "out/bias"]
    for handle, weight in zip(handles, mixed_model.trainable_weights, strict=True):
        np.testing.assert_array_equal(handle.numpy(), np.asarray(weight[...]))
        assert handle.trainable and handle.shape == weight.shape


def test_non_trainable_variables_hold_every_other_variable(mixed_model):
    handles = mixed_model.non_trainable_variables
    assert [v.path for v in handles[:2]] == ["norm/moving_mean", "norm/moving_variance"]  # the non-trainable weights
    assert all(v.path.startswith("drop/") for v in handles[2:]) and len(handles) > 2  # then the RNG stream
    _, params, rest = mixed_model.split()
    assert len(handles) == len(jax.tree.leaves(rest)) and len(mixed_model.trainable_variables) == len(
        jax.tree.leaves(params))
    assert not any(v.trainable for v in handles)


def test_a_frozen_layers_weights_are_non_trainable_variables(mixed_model):
    mixed_model.get_layer("hidden").trainable = False
    assert [v.path for v in mixed_model.trainable_variables] == ["norm/gamma", "norm/beta", "out/kernel", "out/bias"]
    assert [v.path for v in mixed_model.non_trainable_variables[:4]] == [
        "hidden/kernel", "hidden/bias", "norm/moving_mean", "norm/moving_variance"]


def test_stateless_call_computes_on_the_given_values_only(seeded):
    model = _dense_model()
    before = [w.copy() for w in model.get_weights()]
    rng = np.random.default_rng(0)
    values = [rng.normal(size=v.shape).astype(np.float32) for v in model.trainable_variables]
    x = rng.normal(size=(5, 3)).astype(np.float32)
    y, state = model.stateless_call(values, model.non_trainable_variables, x)
    reference = (x @ values[0] + values[1]) @ values[2] + values[3]
    np.testing.assert_allclose(np.asarray(y), reference, rtol=1e-5, atol=1e-6)
    assert state == []
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_stateless_call_returns_the_new_batch_statistics_in_training(mixed_model):
    x = np.random.default_rng(1).normal(size=(8, 3)).astype(np.float32)
    trainable = [v.value for v in mixed_model.trainable_variables]
    state = [v.value for v in mixed_model.non_trainable_variables]
    _, new_state = mixed_model.stateless_call(trainable, state, x, training=True)
    hidden = x @ np.asarray(trainable[0]) + np.asarray(trainable[1])
    momentum = mixed_model.get_layer("norm").momentum
    np.testing.assert_allclose(np.asarray(new_state[0]), momentum * np.asarray(state[0])
                               + (1 - momentum) * hidden.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(new_state[1]), momentum * np.asarray(state[1])
                               + (1 - momentum) * hidden.var(axis=0), rtol=1e-4, atol=1e-6)
    _, inference_state = mixed_model.stateless_call(trainable, state, x, training=False)
    np.testing.assert_array_equal(np.asarray(inference_state[0]), np.asarray(state[0]))


def test_stateless_call_advances_the_dropout_stream_through_the_returned_state(seeded):
    model = ks.Sequential([ks.Input((8,)), ks.layers.Dropout(0.5)])
    x = np.ones((4, 8), np.float32)
    state = [v.value for v in model.non_trainable_variables]
    first, state_1 = model.stateless_call([], state, x, training=True)
    again, _ = model.stateless_call([], state, x, training=True)
    second, _ = model.stateless_call([], state_1, x, training=True)
    np.testing.assert_array_equal(np.asarray(first), np.asarray(again))  # same state, same mask
    assert not np.array_equal(np.asarray(first), np.asarray(second))  # the returned state draws anew


def test_stateless_call_returns_the_added_losses(seeded):
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, activity_regularizer=ks.regularizers.L2(0.1))])
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    values = [jnp.ones((3, 2)), jnp.zeros(2)]
    y, _, losses = model.stateless_call(values, [], x, return_losses=True)
    np.testing.assert_allclose([float(v) for v in losses], [0.1 * float(jnp.sum(y ** 2)) / 2], rtol=1e-6)


def test_stateless_call_refuses_lists_of_the_wrong_length(seeded):
    model = _dense_model()
    with pytest.raises(ValueError, match=r"`trainable_variables` must be a list of tensors corresponding 1:1 to "
                                         r"Sequential\(\)\.trainable_variables\. Received list with length 3, but "
                                         r"expected 4 variables"):
        model.stateless_call(model.trainable_variables[:3], [], np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"`non_trainable_variables` .* Received list with length 1, but expected 0"):
        model.stateless_call(model.trainable_variables, [jnp.zeros(1)], np.ones((1, 3)))


def test_stateless_call_over_split_state_is_the_jax_native_form(seeded):
    model = _dense_model()
    _, params, rest = model.split()
    x = np.ones((2, 3), np.float32)
    y_state, new_rest = model.stateless_call(params, rest, x)
    y_lists, _ = model.stateless_call(model.trainable_variables, model.non_trainable_variables, x)
    np.testing.assert_array_equal(np.asarray(y_state), np.asarray(y_lists))
    assert type(new_rest) is type(rest)


def test_assign_writes_the_models_variable(seeded):
    model = _dense_model()
    kernel = model.trainable_variables[0]
    kernel.assign(np.full((3, 4), 2.0))
    np.testing.assert_array_equal(model.get_layer("hidden").get_weights()[0], np.full((3, 4), 2.0, np.float32))
    np.testing.assert_array_equal(kernel.numpy(), np.full((3, 4), 2.0))
    with pytest.raises(ValueError, match=r"variable 'hidden/kernel' must be \(3, 4\), received a value of shape "
                                         r"\(4, 3\)"):
        kernel.assign(np.zeros((4, 3)))


def test_variables_go_into_jit_as_their_values(seeded):
    model = _dense_model()
    doubled = jax.jit(lambda variables: [v * 2 for v in variables])(model.trainable_variables)
    for got, handle in zip(doubled, model.trainable_variables):
        np.testing.assert_array_equal(np.asarray(got), 2 * handle.numpy())


def test_metrics_are_kerass_loss_tracker_compiled_metrics_and_tracked_ones(blobs, seeded):
    x, y = blobs

    class Tracking(ks.Model):
        def __init__(self):
            super().__init__()
            self.dense = ks.layers.Dense(3, activation="softmax")
            self.tracker = ks.metrics.Mean(name="tracker")

        def call(self, x):
            return self.dense(x)

    model = Tracking()
    assert model.metrics == [model.tracker]  # not compiled: no loss tracker
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.metrics_names == ["loss", "tracker"]  # compiled metrics resolve with the data's shapes
    history = model.fit(x, y, epochs=1, verbose=0)
    assert model.metrics_names == ["loss", "compile_metrics", "tracker"]
    assert set(history.history) == {"loss", "accuracy", "tracker"}  # Keras logs every metric, a tracked one too
    assert model.metrics_variables == [v for m in model.metrics for v in m.variables]
    np.testing.assert_allclose(float(model.metrics[0].result()), history.history["loss"][0], rtol=1e-6)
    model.reset_metrics()
    assert float(model.metrics[0].result()) == 0.0


def test_stateless_compute_loss_adds_the_penalties_of_the_given_weights(seeded):
    model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1, kernel_regularizer=ks.regularizers.L2(0.5))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model.fit(x, y, epochs=1, verbose=0)  # resolves the compiled loss
    kernel, bias = jnp.full((2, 1), 3.0), jnp.zeros(1)
    y_pred = x @ np.asarray(kernel)
    loss, (trainable, _, metrics) = model.stateless_compute_loss(
        [kernel, bias], [], [v.value for v in model.metrics_variables], x=x, y=y, y_pred=y_pred)
    np.testing.assert_allclose(float(loss), np.mean(y_pred ** 2) + 0.5 * 9.0 * 2, rtol=1e-6)
    assert trainable[0] is kernel and len(metrics) == len(model.metrics_variables)
    with pytest.raises(ValueError, match=r"`metrics_variables` must be a list of tensors corresponding 1:1 to "
                                         r"Sequential\(\)\.metrics_variables\. Received list with length 0"):
        model.stateless_compute_loss([kernel, bias], [], [], x=x, y=y, y_pred=y_pred)


def test_after_fit_the_default_steps_metrics_hold_the_epochs_results(blobs, seeded):
    x, y = blobs
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, verbose=0)
    loss_tracker, compiled = model.metrics
    np.testing.assert_allclose(float(loss_tracker.result()), history.history["loss"][-1], rtol=1e-6)
    np.testing.assert_allclose(float(compiled.result()["accuracy"]), history.history["accuracy"][-1], rtol=1e-6)
    assert model.get_metrics_result().keys() == {"loss", "accuracy"}


def test_variables_follow_a_layer_frozen_after_they_were_read(mixed_model):
    """Reading `trainable_variables`, then freezing a layer, then reading them again: the second read follows the
    new structure, as Keras 3's does (its paths, without the model's own name in front)."""
    keras = pytest.importorskip("keras")
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="hidden"),
                               keras.layers.BatchNormalization(name="norm"), keras.layers.Dropout(0.5, name="drop"),
                               keras.layers.Dense(2, name="out")])
    paths = lambda variables: [v.path.removeprefix(f"{theirs.name}/") for v in variables]
    for model in (mixed_model, theirs):
        assert len(model.trainable_variables) == 6
        model.get_layer("hidden").trainable = False
    assert paths(mixed_model.trainable_variables) == paths(theirs.trainable_variables)
    assert len(paths(theirs.trainable_variables)) == 4
    weights = len(theirs.non_trainable_weights)  # then kerasish and Keras list their RNG states, each its own way
    assert paths(mixed_model.non_trainable_variables)[:weights] == paths(theirs.non_trainable_variables)[:weights]
