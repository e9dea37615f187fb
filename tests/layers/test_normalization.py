import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, randomize_keras_weights, sample_input

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("layer, input_shape", [
    (lambda: ks.layers.BatchNormalization(), (6, 3)),
    (lambda: ks.layers.BatchNormalization(axis=1, momentum=0.5, center=False), (6, 2, 3, 3)),
    (lambda: ks.layers.LayerNormalization(), (6, 4, 3)),
    (lambda: ks.layers.LayerNormalization(axis=(1, 2), scale=False, epsilon=1e-5), (6, 4, 3)),
], ids=["bn", "bn-channels-first", "ln", "ln-two-axes"])
def test_normalization_layer_contract(seeded, layer, input_shape):
    check_layer(layer(), input_shape, (None,) + input_shape[1:])


def test_batchnorm_fit_updates_running_statistics(seeded):
    layer = ks.layers.BatchNormalization(momentum=0.5)
    x = sample_input((8, 3)) * 3.0 + 2.0
    model = ks.Sequential([ks.Input((3,)), layer, ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((8, 1), np.float32), batch_size=8, epochs=1, shuffle=False, verbose=0)
    # One step with momentum 0.5 from (0, 1): halfway to the batch statistics.
    np.testing.assert_allclose(layer.moving_mean[...], 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance[...], 0.5 + 0.5 * x.var(0), rtol=1e-5)
    assert [nnx.Param if isinstance(v, nnx.Param) else type(v) for v in layer.weights] == [nnx.Param, nnx.Param,
                                                                                           nnx.BatchStat, nnx.BatchStat]
    assert [w.shape for w in layer.trainable_weights] == [(3,), (3,)]
    # Inference uses the running statistics, not the batch's.
    expected = (x - layer.moving_mean[...]) / np.sqrt(layer.moving_variance[...] + 1e-3) * layer.gamma[...] \
        + layer.beta[...]
    np.testing.assert_allclose(layer(jnp.asarray(x)), expected, rtol=1e-5, atol=1e-5)


BN_CASES = [
    dict(),
    dict(momentum=0.8, epsilon=1e-2),
    dict(axis=1, center=False),
    dict(axis=-1, scale=False),
]


@pytest.mark.parametrize("config", BN_CASES)
@pytest.mark.parametrize("training", [False, True])
def test_batchnorm_matches_keras_and_its_statistics(config, training):
    shape = (5, 3, 4) if config.get("axis") == 1 else (5, 4)
    x = sample_input(shape) * 2.0 + 1.0
    reference = keras.layers.BatchNormalization(**config)
    ours = ks.layers.BatchNormalization(**config)
    assert keras_oracle_error(reference, ours, x, training=training) < 1e-5
    for name in ("moving_mean", "moving_variance"):  # after one training call (or none) both moved alike
        np.testing.assert_allclose(getattr(ours, name)[...], np.asarray(getattr(reference, name).value), atol=1e-6)


def test_batchnorm_statistics_through_stateless_call_match_keras():
    x = sample_input((6, 4)) + 3.0
    reference = keras.layers.BatchNormalization(momentum=0.9)
    reference(x)
    randomize_keras_weights(reference)
    model = ks.Sequential([ks.Input((4,)), ks.layers.BatchNormalization(momentum=0.9)])
    model.set_weights(reference.get_weights())
    _, params, rest = model.split()
    y, new_rest = model.stateless_call(params, rest, jnp.asarray(x), training=True)
    expected = reference(x, training=True)
    np.testing.assert_allclose(y, expected, atol=1e-5)
    stats = new_rest["layers"][0]
    np.testing.assert_allclose(stats["moving_mean"][...], np.asarray(reference.moving_mean.value), atol=1e-6)
    np.testing.assert_allclose(stats["moving_variance"][...], np.asarray(reference.moving_variance.value), atol=1e-6)
    # The model itself is untouched by a stateless call.
    np.testing.assert_array_equal(model.layers[0].moving_mean[...], model.get_weights()[2])


def test_batchnorm_fit_matches_keras_losses_and_statistics():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(32, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, -2.0]).astype(np.float32)
    y = (x @ np.array([[1.0], [-1.0], [2.0]], np.float32)).astype(np.float32)
    keras.utils.set_random_seed(0)
    reference = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                                  keras.layers.Dense(1)])
    reference.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    ours = ks.Sequential([ks.Input((3,)), ks.layers.Dense(4), ks.layers.BatchNormalization(), ks.layers.Dense(1)])
    ours.compile(optimizer=ks.optimizers.SGD(0.05), loss="mse")
    ours.set_weights(reference.get_weights())
    expected = reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    got = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    for a, b in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-4, atol=1e-5)


def test_frozen_batchnorm_runs_in_inference_mode_even_when_training(seeded):
    layer = ks.layers.BatchNormalization()
    x = sample_input((8, 3)) + 5.0
    layer(jnp.asarray(x))
    layer.trainable = False
    before = layer.get_weights()
    np.testing.assert_allclose(layer(jnp.asarray(x), training=True), layer(jnp.asarray(x), training=False))
    model = ks.Sequential([ks.Input((3,)), layer, ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.ones((8, 1), np.float32), epochs=1, verbose=0)
    for a, b in zip(layer.get_weights(), before):  # gamma, beta and the statistics all unchanged
        np.testing.assert_array_equal(a, b)


def test_frozen_batchnorm_matches_keras_in_training_mode():
    x = sample_input((5, 4))
    reference = keras.layers.BatchNormalization()
    reference.trainable = False
    ours = ks.layers.BatchNormalization(trainable=False)
    assert keras_oracle_error(reference, ours, x, training=True) < 1e-5


def test_batchnorm_inside_frozen_model_runs_in_inference_mode():
    inner = ks.layers.BatchNormalization()
    model = ks.Sequential([ks.Input((3,)), inner])
    model.trainable = False
    x = jnp.asarray(sample_input((8, 3)) + 5.0)
    np.testing.assert_allclose(model(x, training=True), model(x, training=False))


LN_CASES = [
    dict(),
    dict(axis=1, epsilon=1e-2),
    dict(axis=[1, 2], center=False),
    dict(axis=(-1, 1), scale=False),
]


@pytest.mark.parametrize("config", LN_CASES)
def test_layernorm_matches_keras(config):
    x = sample_input((3, 4, 5)) * 2.0 + 1.0
    ours = ks.layers.LayerNormalization(**config)
    assert keras_oracle_error(keras.layers.LayerNormalization(**config), ours, x) < 1e-5


def test_layernorm_weights_and_gradient(seeded):
    layer = ks.layers.LayerNormalization(axis=(1, 2))
    layer(jnp.ones((2, 3, 4)))
    assert [w.shape for w in layer.get_weights()] == [(3, 4), (3, 4)]
    grad = jax.grad(lambda x: layer(x).sum())(jnp.asarray(sample_input((2, 3, 4))))
    np.testing.assert_allclose(grad, 0.0, atol=1e-5)  # a normalized sum does not depend on the input


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.BatchNormalization(axis=1.0), TypeError, r"`axis` of BatchNormalization must be an int, "
                                                                r"received 1.0"),
    (lambda: ks.layers.BatchNormalization(momentum=1.5), ValueError, r"`momentum` of BatchNormalization must be a "
                                                                     r"number in \[0.0, 1.0\], received 1.5"),
    (lambda: ks.layers.BatchNormalization(epsilon=0), ValueError, r"`epsilon` of BatchNormalization must be a number "
                                                                  r"in \(0.0, inf\), received 0"),
    (lambda: ks.layers.BatchNormalization(center="no"), TypeError, r"`center` of BatchNormalization must be True or "
                                                                   r"False"),
    (lambda: ks.layers.LayerNormalization(axis="last"), TypeError, r"Expected an int or a list/tuple of ints for the "
                                                                   r"argument 'axis' of LayerNormalization, received "
                                                                   r"'last'"),
    (lambda: ks.layers.LayerNormalization(axis=(1, -1))(jnp.ones((2, 3))), ValueError,
     r"Duplicate axes in `axis` of layer 'layer_normalization(_\d+)?': \(1, -1\) names an axis twice"),
    (lambda: ks.layers.LayerNormalization(epsilon=-1.0), ValueError, r"`epsilon` of LayerNormalization"),
])
def test_normalization_rejects_bad_config(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_normalization_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"Layer 'bn': axis 3 is out of bounds for inputs of shape \(None, 4\)"):
        ks.layers.BatchNormalization(axis=3, name="bn").build_for((None, 4))
    with pytest.raises(ValueError, match=r"cannot normalize over the batch axis 0"):
        ks.layers.LayerNormalization(axis=0).build_for((None, 4))
    with pytest.raises(ValueError, match=r"needs known sizes on the normalized axes \(1,\)"):
        ks.layers.BatchNormalization(axis=1).build_for((None, None, 3))
    layer = ks.layers.BatchNormalization(name="b2")
    layer(jnp.ones((2, 4)))
    with pytest.raises(ValueError, match=r"layer 'b2' is incompatible with the layer: expected axis -1 of input shape "
                                         r"to have value 4, but received input with shape \(2, 5\)"):
        layer(jnp.ones((2, 5)))


def test_normalization_config_round_trip():
    bn = ks.layers.BatchNormalization(axis=1, momentum=0.9, gamma_regularizer="l2", moving_variance_initializer="zeros")
    assert ks.layers.BatchNormalization.from_config(bn.get_config()).get_config() == bn.get_config()
    ln = ks.layers.LayerNormalization(axis=(1, 2), beta_initializer=ks.initializers.Constant(0.5))
    assert ks.layers.LayerNormalization.from_config(ln.get_config()).get_config() == ln.get_config()
