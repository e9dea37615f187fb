import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("layer, input_shape", [
    (lambda: ks.layers.GaussianNoise(0.1), (4, 3)),
    (lambda: ks.layers.SpatialDropout1D(0.3), (4, 5, 3)),
    (lambda: ks.layers.SpatialDropout2D(0.3, data_format="channels_first"), (4, 3, 2, 2)),
], ids=["gaussian-noise", "spatial-dropout-1d", "spatial-dropout-2d"])
def test_noise_layer_contract(seeded, layer, input_shape):
    check_layer(layer(), input_shape, (None,) + input_shape[1:], trains=False)


def test_gaussian_noise_statistics_match_keras():
    x = jnp.full((400, 50), 2.0)
    ours = np.asarray(ks.layers.GaussianNoise(0.3, seed=1)(x, training=True)) - 2.0
    theirs = np.asarray(keras.layers.GaussianNoise(0.3, seed=1)(np.asarray(x), training=True)) - 2.0
    for noise in (ours, theirs):
        assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.3) < 0.01
    np.testing.assert_array_equal(ks.layers.GaussianNoise(0.3)(x), x)  # inference: the identity


def test_gaussian_noise_stream_advances_through_fit_steps(seeded):
    layer = ks.layers.GaussianNoise(0.5, seed=3)
    model = ks.Sequential([ks.Input((2,)), layer])
    _, params, rest = model.split()
    x = jnp.zeros((3, 2))
    first, rest = model.stateless_call(params, rest, x, training=True)
    second, _ = model.stateless_call(params, rest, x, training=True)
    assert not np.array_equal(first, second)
    same_seed = ks.layers.GaussianNoise(0.5, seed=3)(x, training=True)
    np.testing.assert_array_equal(first, same_seed)


@pytest.mark.parametrize("ours, theirs, shape, spatial_axes", [
    (lambda: ks.layers.SpatialDropout1D(0.4, seed=0), lambda: keras.layers.SpatialDropout1D(0.4, seed=0),
     (200, 6, 10), (1,)),
    (lambda: ks.layers.SpatialDropout2D(0.4, seed=0), lambda: keras.layers.SpatialDropout2D(0.4, seed=0),
     (200, 3, 4, 10), (1, 2)),
    (lambda: ks.layers.SpatialDropout2D(0.4, data_format="channels_first", seed=0),
     lambda: keras.layers.SpatialDropout2D(0.4, data_format="channels_first", seed=0), (200, 10, 3, 4), (2, 3)),
])
def test_spatial_dropout_drops_whole_channels_like_keras(ours, theirs, shape, spatial_axes):
    x = np.ones(shape, np.float32)
    for y in (np.asarray(ours()(jnp.asarray(x), training=True)), np.asarray(theirs()(x, training=True))):
        dropped, kept = (y == 0).all(axis=spatial_axes), (y == 1 / 0.6).all(axis=spatial_axes)
        assert (dropped | kept).all()  # one decision per (sample, channel)
        assert abs(dropped.mean() - 0.4) < 0.05
    np.testing.assert_array_equal(ours()(jnp.asarray(x)), x)


def test_noise_config_round_trip():
    for layer in [ks.layers.GaussianNoise(0.2, seed=4), ks.layers.SpatialDropout1D(0.1),
                  ks.layers.SpatialDropout2D(0.5, data_format="channels_first", seed=2)]:
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.GaussianNoise(1.5), r"`stddev` of GaussianNoise must be a number in \[0.0, 1.0\], received 1.5"),
    (lambda: ks.layers.GaussianNoise(0.1, seed=-1), r"`seed` of GaussianNoise must be None or an int >= 0, "
                                                    r"received -1"),
    (lambda: ks.layers.SpatialDropout1D(1.0), r"Invalid value received for argument `rate`. Expected a float value "
                                              r"between 0 and 1 \(0 <= rate < 1\). Received: rate=1.0 \(layer "
                                              r"SpatialDropout1D\)"),
    (lambda: ks.layers.SpatialDropout2D(0.5, data_format="nhwc"), r"`data_format` of SpatialDropout2D must be one of"),
])
def test_noise_layers_reject_bad_config(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_spatial_dropout_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"layer 's' is incompatible with the layer: expected ndim=3, found ndim=2"):
        ks.layers.SpatialDropout1D(0.5, name="s")(jnp.ones((2, 3)))


def test_spatial_dropout_3d_drops_whole_channels_like_keras():
    x = np.ones((100, 2, 2, 2, 10), np.float32)
    for y in (np.asarray(ks.layers.SpatialDropout3D(0.4, seed=0)(jnp.asarray(x), training=True)),
              np.asarray(keras.layers.SpatialDropout3D(0.4, seed=0)(x, training=True))):
        dropped, kept = (y == 0).all(axis=(1, 2, 3)), (y == 1 / 0.6).all(axis=(1, 2, 3))
        assert (dropped | kept).all() and abs(dropped.mean() - 0.4) < 0.06


@pytest.mark.parametrize("ours, theirs", [
    (lambda: ks.layers.GaussianDropout(0.3, seed=1), lambda: keras.layers.GaussianDropout(0.3, seed=1)),
    (lambda: ks.layers.AlphaDropout(0.3, seed=1), lambda: keras.layers.AlphaDropout(0.3, seed=1)),
], ids=["gaussian-dropout", "alpha-dropout"])
def test_dropout_variants_statistics_match_keras(ours, theirs):
    """Random draws differ from Keras's; their distribution must not: moments of the output on SELU-like data."""
    x = np.random.default_rng(0).normal(size=(400, 50)).astype(np.float32)
    y_ours = np.asarray(ours()(jnp.asarray(x), training=True))
    y_theirs = np.asarray(theirs()(x, training=True))
    assert abs(y_ours.mean() - y_theirs.mean()) < 0.02 and abs(y_ours.std() - y_theirs.std()) < 0.02
    assert abs(np.mean(y_ours == y_ours.min()) - np.mean(y_theirs == y_theirs.min())) < 0.01
    np.testing.assert_array_equal(ours()(jnp.asarray(x)), x)  # inference: the identity


def test_alpha_dropout_noise_shape_and_values_of_dropped_units():
    layer = ks.layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=0)
    y = np.asarray(layer(jnp.zeros((8, 4)), training=True))
    assert (y == y[:, :1]).all()  # one draw per row, broadcast along the features
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = (0.5 * (1 + 0.5 * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * 0.5
    kept, dropped = np.isclose(y, b, atol=1e-5), np.isclose(y, a * alpha_p + b, atol=1e-5)
    assert (kept | dropped).all() and kept.any() and dropped.any()


def test_activity_regularization_matches_keras_losses():
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    ours = ks.layers.ActivityRegularization(l1=0.1, l2=0.2)
    theirs = keras.layers.ActivityRegularization(l1=0.1, l2=0.2)
    np.testing.assert_array_equal(ours(jnp.asarray(x)), x)
    theirs(x)
    np.testing.assert_allclose([float(v) for v in ours.losses], [float(v) for v in theirs.losses], rtol=1e-5)
    assert ours.get_config().keys() == theirs.get_config().keys()
    assert ks.layers.ActivityRegularization.from_config(ours.get_config()).get_config() == ours.get_config()


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.GaussianDropout(1.0), r"Expected a float value between 0 and 1 \(0 <= rate < 1\). Received: "
                                             r"rate=1.0 \(layer GaussianDropout\)"),
    (lambda: ks.layers.AlphaDropout(-0.1), r"Invalid value received for argument `rate`.*rate=-0.1 \(layer "
                                           r"AlphaDropout\)"),
    (lambda: ks.layers.AlphaDropout(0.1, seed="1"), r"`seed` of AlphaDropout must be None or an int >= 0"),
    (lambda: ks.layers.SpatialDropout3D(0.1)(jnp.ones((1, 2, 2, 2))), r"expected ndim=5, found ndim=4"),
    (lambda: ks.layers.ActivityRegularization(l1=-1.0), r"Argument `l1` must be a float >= 0, received -1.0"),
])
def test_new_regularization_layers_reject_bad_config(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


@pytest.mark.parametrize("noise_shape, pattern", [
    ("abc", r"Expected a tuple or list of integers. Received: noise_shape='abc'"),
    ((None, 1.5), r"Expected all elements to be integers or None. Received element at index 1: 1.5"),
    ((0, 4), r"Expected all dimensions to be positive integers or None. Received negative or zero value at index 0: "
             r"0 \(layer AlphaDropout\)"),
])
def test_noise_shape_is_checked_as_keras(noise_shape, pattern):
    with pytest.raises(ValueError, match=pattern):
        ks.layers.AlphaDropout(0.2, noise_shape=noise_shape)
    with pytest.raises(ValueError, match=pattern.replace("AlphaDropout", "Dropout")):
        ks.layers.Dropout(0.2, noise_shape=noise_shape)
