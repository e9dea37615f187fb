import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks


def test_dense_builds_lazily_with_keras_weight_order(seeded):
    layer = ks.layers.Dense(3, activation="relu")
    assert not layer.built and layer.weights == []
    x = jnp.asarray(np.random.default_rng(0).normal(size=(5, 4)), jnp.float32)
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    np.testing.assert_allclose(y, np.maximum(np.asarray(x) @ kernel + bias, 0), rtol=1e-6)


def test_dense_without_bias_and_initializers_by_name_and_callable():
    layer = ks.layers.Dense(2, use_bias=False, kernel_initializer="ones")
    out = layer(jnp.ones((1, 3)))
    assert len(layer.get_weights()) == 1
    np.testing.assert_allclose(out, [[3.0, 3.0]])
    custom = ks.layers.Dense(2, kernel_initializer=jax.nn.initializers.constant(0.5),
                             bias_initializer=jax.nn.initializers.ones)
    np.testing.assert_allclose(custom(jnp.ones((1, 2))), [[2.0, 2.0]])


def test_dense_rejects_wrong_input_width_naming_layer_and_shapes():
    layer = ks.layers.Dense(4, name="hidden")
    layer(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match=r"layer 'hidden'.*expected axis -1 of input shape to have value 3.*\(2, 5\)"):
        layer(jnp.ones((2, 5)))


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match=r"`units` must be a positive integer, received"):
        ks.layers.Dense(units)


def test_layer_names_are_unique_and_settable():
    a, b = ks.layers.Dense(1), ks.layers.Dense(1)
    assert a.name != b.name and a.name.startswith("dense")
    assert ks.layers.Dense(1, name="out").name == "out"


@pytest.mark.parametrize("name,reference", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", np.tanh),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
])
def test_activation_layer_by_name(name, reference):
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(2, 6)
    np.testing.assert_allclose(ks.layers.Activation(name)(jnp.asarray(x)), reference(x), rtol=1e-5, atol=1e-7)


def test_dropout_is_identity_in_inference_and_scales_in_training():
    layer = ks.layers.Dropout(0.25, seed=1)
    x = jnp.ones((200, 50))
    np.testing.assert_array_equal(layer(x), x)
    y = np.asarray(layer(x, training=True))
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    y2 = np.asarray(layer(x, training=True))
    assert (y2 != y).any()  # the stream advances: a new mask each call


def test_dropout_noise_shape_broadcasts_the_mask():
    layer = ks.layers.Dropout(0.5, noise_shape=(None, 1, 4), seed=0)
    y = np.asarray(layer(jnp.ones((8, 6, 4)), training=True))
    assert ((y == 0).all(axis=1) | (y != 0).all(axis=1)).all()


@pytest.mark.parametrize("rate", [-0.1, 1.0, "0.5"])
def test_dropout_rejects_bad_rate(rate):
    with pytest.raises(ValueError, match=r"Invalid value received for argument `rate`. Expected a float value "
                                         r"between 0 and 1"):
        ks.layers.Dropout(rate)


def test_flatten_and_reshape():
    x = jnp.arange(48.0).reshape(2, 4, 3, 2)
    assert ks.layers.Flatten()(x).shape == (2, 24)
    assert ks.layers.Reshape((6, -1))(x).shape == (2, 6, 4)
    pattern = r"cannot reshape inputs of shape \((None|2), 4, 3, 2\) to target_shape \(5, 5\)"
    with pytest.raises(ValueError, match=pattern):
        ks.layers.Reshape((5, 5))(x)
    with pytest.raises(ValueError, match="target_shape"):
        ks.layers.Reshape((-1, -1))


def test_config_round_trip():
    layer = ks.layers.Dense(5, activation="tanh", use_bias=False, name="d")
    clone = ks.layers.Dense.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    drop = ks.layers.Dropout(0.3, seed=4)
    assert ks.layers.Dropout.from_config(drop.get_config()).get_config() == drop.get_config()


def test_set_weights_checks_count_and_shapes():
    layer = ks.layers.Dense(2)
    layer(jnp.ones((1, 3)))
    with pytest.raises(ValueError, match=r"expects 2 weight arrays in set_weights, received 1"):
        layer.set_weights([np.zeros((3, 2))])
    pattern = r"Weight 0 of layer '.*' has shape \(3, 2\), received an array of shape \(2, 3\)"
    with pytest.raises(ValueError, match=pattern):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    layer.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    np.testing.assert_allclose(layer(jnp.ones((1, 3))), [[3.5, 3.5]])


class Scale(ks.layers.Layer):
    """A custom layer written with jax.numpy and add_weight, as a user would."""

    def build(self, input_shape):
        self.w = self.add_weight((input_shape[-1],), initializer="ones", name="w")
        self.offset = self.add_weight((), initializer="zeros", trainable=False, name="offset")

    def call(self, x):
        return jnp.tanh(x * self.w[...]) + self.offset[...]


def test_custom_layer_weights_trainable_split():
    layer = Scale()
    layer(jnp.ones((2, 3)))
    assert [w.shape for w in layer.trainable_weights] == [(3,)]
    assert [w.shape for w in layer.non_trainable_weights] == [()]
    assert layer.count_params() == 4
    with pytest.raises(ValueError, match="already has an attribute named 'w'"):
        layer.add_weight((1,), name="w")


def test_kernel_regularizer_penalty():
    layer = ks.layers.Dense(2, kernel_regularizer=ks.regularizers.L2(0.1), kernel_initializer="ones")
    layer(jnp.ones((1, 3)))
    np.testing.assert_allclose(layer.regularization_loss(), 0.1 * 6)


def test_identity_and_flatten_data_format_match_keras():
    import keras
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype(np.float32)
    np.testing.assert_array_equal(ks.layers.Flatten(data_format="channels_first")(jnp.asarray(x)),
                                  keras.layers.Flatten(data_format="channels_first")(x))
    assert ks.layers.Flatten().get_config().keys() == keras.layers.Flatten().get_config().keys()
    pair = [jnp.ones((1, 2)), jnp.zeros((1, 3))]
    assert ks.layers.Identity()(pair) is pair and ks.layers.Identity().supports_masking
    assert ks.layers.Identity().compute_output_shape([(None, 2), (None, 3)]) == [(None, 2), (None, 3)]
    assert ks.layers.Flatten()(jnp.ones((4,))).shape == keras.layers.Flatten()(np.ones((4,))).shape == (4, 1)
