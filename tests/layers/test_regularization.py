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
    (lambda: ks.layers.SpatialDropout1D(1.0), r"`rate` of SpatialDropout1D must be a number in \[0.0, 1.0\), "
                                              r"received 1.0"),
    (lambda: ks.layers.SpatialDropout2D(0.5, data_format="nhwc"), r"`data_format` of SpatialDropout2D must be one of"),
])
def test_noise_layers_reject_bad_config(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_spatial_dropout_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"layer 's' is incompatible with the layer: expected ndim=3, found ndim=2"):
        ks.layers.SpatialDropout1D(0.5, name="s")(jnp.ones((2, 3)))
