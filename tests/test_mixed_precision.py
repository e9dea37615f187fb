"""Dtype policies: bfloat16 / float16 computation with float32 weights; Keras 3 as the oracle for a layer."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from kerasish import mixed_precision


@pytest.fixture
def global_policy():
    yield mixed_precision.set_global_policy
    mixed_precision.set_global_policy(None)


def test_policies_and_errors():
    policy = mixed_precision.DTypePolicy("mixed_float16")
    assert (policy.variable_dtype, policy.compute_dtype, policy.is_mixed) == ("float32", "float16", True)
    assert not mixed_precision.DTypePolicy("bfloat16").is_mixed
    assert mixed_precision.get(jnp.float32) == mixed_precision.DTypePolicy("float32")
    with pytest.raises(ValueError, match=r"Argument `name` of DTypePolicy must be one of .*received 'mixed_int8'"):
        mixed_precision.DTypePolicy("mixed_int8")
    with pytest.raises(ValueError, match=r"Argument `dtype` must be a floating dtype or a policy name .*'int3'"):
        ks.layers.Dense(2, dtype="int3")


def test_mixed_dense_matches_keras_and_a_jnp_reference():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(size=(5, 7)).astype(np.float32)
    ours = ks.layers.Dense(3, activation="relu", dtype="mixed_bfloat16")
    out = ours(jnp.asarray(x))
    assert ours.kernel[...].dtype == jnp.float32 and out.dtype == jnp.bfloat16
    kernel, bias = ours.get_weights()
    bf16 = lambda a: jnp.asarray(a, jnp.bfloat16)
    expected = jax.nn.relu(bf16(x) @ bf16(kernel) + bf16(bias))
    np.testing.assert_array_equal(np.asarray(out, np.float32), np.asarray(expected, np.float32))
    theirs = keras.layers.Dense(3, activation="relu", dtype="mixed_bfloat16")
    theirs.build((None, 7))
    theirs.set_weights([kernel, bias])
    np.testing.assert_array_equal(np.asarray(out, np.float32), np.asarray(theirs(x), np.float32))


def test_gradients_reach_float32_weights_through_the_cast():
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, dtype="mixed_bfloat16")])
    _, params, rest = model.split()

    def loss(params):
        y, _ = model.stateless_call(params, rest, jnp.ones((4, 3)))
        return jnp.sum(y.astype(jnp.float32) ** 2)

    grads = jax.grad(loss)(params)
    leaves = jax.tree.leaves(grads)
    assert leaves and all(g.dtype == jnp.float32 and bool(jnp.any(g != 0)) for g in leaves)


@pytest.fixture(scope="module")
def digits():
    return ks.datasets.load_digits()


def _digits_model():
    return ks.Sequential([ks.Input((64,)), ks.layers.Dense(32, activation="relu"),
                          ks.layers.Dense(10, activation="softmax", dtype="float32")])


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_policy_trains_digits_with_float32_weights(global_policy, digits, policy):
    (x_train, y_train), (x_test, y_test) = digits
    global_policy(policy)
    ks.utils.set_random_seed(0)
    model = _digits_model()
    hidden = model.layers[0]
    assert hidden.compute_dtype == jnp.dtype(policy.split("_")[1]) and hidden.dtype == jnp.float32
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=10, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert hidden(jnp.asarray(x_train[:2])).dtype == hidden.compute_dtype  # activations in the low precision
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 4, history.history["loss"]
    assert accuracy > 0.9, accuracy
    engine = model._training.engine
    assert engine.loss_scaling == (policy == "mixed_float16")
    if engine.loss_scaling:
        assert float(model._training.live.loss_scale["scale"]) >= 1.0


def test_dynamic_loss_scale_halves_on_overflow_and_grows_after_finite_steps():
    state = mixed_precision.init_loss_scale()
    state = mixed_precision.next_loss_scale(state, jnp.asarray(False))
    assert float(state["scale"]) == mixed_precision.INITIAL_SCALE / 2 and int(state["good_steps"]) == 0
    for _ in range(mixed_precision.GROWTH_STEPS - 1):
        state = {"scale": state["scale"], "good_steps": state["good_steps"] + 1}
    state = mixed_precision.next_loss_scale(state, jnp.asarray(True))
    assert float(state["scale"]) == mixed_precision.INITIAL_SCALE and int(state["good_steps"]) == 0


def test_policy_survives_config_and_save(tmp_path):
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, dtype="mixed_bfloat16")])
    assert model.layers[0].get_config()["dtype"] == "mixed_bfloat16"
    model.save(tmp_path / "m.kerasish")
    loaded = ks.models.load_model(tmp_path / "m.kerasish")
    assert loaded.layers[0].compute_dtype == jnp.bfloat16 and loaded.layers[0].kernel[...].dtype == jnp.float32
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(np.asarray(loaded.predict(x, verbose=0), np.float32),
                                  np.asarray(model.predict(x, verbose=0), np.float32))
