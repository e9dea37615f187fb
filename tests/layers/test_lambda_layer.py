import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer


def test_lambda_layer_contract(seeded):
    check_layer(ks.layers.Lambda(jnp.tanh), (4, 3, 2), (None, 3, 2), trains=False)


def test_lambda_shape_inference_and_explicit_output_shape():
    assert ks.layers.Lambda(lambda x: x[:, ::2]).build_for((None, 6, 3)) == (None, 3, 3)
    assert ks.layers.Lambda(lambda x: x.sum(-1), output_shape=(6,)).compute_output_shape((None, 6, 3)) == (None, 6)
    by_function = ks.layers.Lambda(lambda x: x.reshape(x.shape[0], -1), output_shape=lambda s: (s[0], s[1] * s[2]))
    assert by_function.compute_output_shape((None, 6, 3)) == (None, 18)


def test_lambda_arguments_and_training_flag():
    layer = ks.layers.Lambda(lambda x, training, shift: x + shift if training else x, arguments={"shift": 1.0})
    x = jnp.zeros((1, 2))
    np.testing.assert_array_equal(layer(x), [[0.0, 0.0]])
    np.testing.assert_array_equal(layer(x, training=True), [[1.0, 1.0]])


def test_lambda_inside_a_trained_model(seeded, regression):
    x, y = regression
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(4), ks.layers.Lambda(jax.nn.gelu), ks.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    losses = model.fit(x, y, epochs=5, verbose=0).history["loss"]
    assert losses[-1] < losses[0]


def test_lambda_config_keeps_the_function():
    layer = ks.layers.Lambda(jnp.square, output_shape=(2,), arguments={})
    clone = ks.layers.Lambda.from_config(layer.get_config())
    assert clone.function is jnp.square and clone.get_config() == layer.get_config()


def test_lambda_rejects_bad_arguments():
    with pytest.raises(TypeError, match=r"`function` of Lambda must be callable, received 3"):
        ks.layers.Lambda(3)
    with pytest.raises(TypeError, match=r"`arguments` of Lambda must be a dict of keyword arguments, received "
                                        r"\[1\]"):
        ks.layers.Lambda(jnp.abs, arguments=[1])
    with pytest.raises(ValueError, match=r"`output_shape` must hold non-negative ints or None"):
        ks.layers.Lambda(jnp.abs, output_shape=(-1,))
