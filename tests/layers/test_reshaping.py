import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, sample_input

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("layer, input_shape, expected", [
    (lambda: ks.layers.ZeroPadding2D(), (4, 3, 3, 2), (None, 5, 5, 2)),
    (lambda: ks.layers.ZeroPadding2D(((0, 1), (2, 3)), data_format="channels_first"), (4, 2, 3, 3), (None, 2, 4, 8)),
    (lambda: ks.layers.UpSampling2D(), (4, 2, 3, 2), (None, 4, 6, 2)),
    (lambda: ks.layers.UpSampling2D((1, 3), interpolation="bilinear"), (4, 2, 3, 2), (None, 2, 9, 2)),
], ids=["zero-padding", "zero-padding-asymmetric", "upsampling", "upsampling-bilinear"])
def test_reshaping_layer_contract(seeded, layer, input_shape, expected):
    check_layer(layer(), input_shape, expected, trains=False)


@pytest.mark.parametrize("name, config, input_shape", [
    ("ZeroPadding2D", dict(), (2, 3, 4, 2)),
    ("ZeroPadding2D", dict(padding=(2, 0)), (2, 3, 4, 2)),
    ("ZeroPadding2D", dict(padding=((1, 2), (0, 3))), (2, 3, 4, 2)),
    ("ZeroPadding2D", dict(padding=1, data_format="channels_first"), (2, 2, 3, 4)),
    ("UpSampling2D", dict(), (2, 3, 4, 2)),
    ("UpSampling2D", dict(size=(3, 1), data_format="channels_first"), (2, 2, 3, 4)),
    ("UpSampling2D", dict(size=2, interpolation="bilinear"), (2, 3, 4, 2)),
    ("UpSampling2D", dict(size=(2, 3), interpolation="bicubic"), (2, 3, 4, 2)),
])
def test_reshaping_matches_keras(name, config, input_shape):
    x = sample_input(input_shape)
    ours = getattr(ks.layers, name)(**config)
    reference = getattr(keras.layers, name)(**config)
    assert keras_oracle_error(reference, ours, x) < 1e-5
    assert ours.compute_output_shape((None,) + input_shape[1:]) == tuple(
        reference.compute_output_shape((None,) + input_shape[1:]))


def test_reshaping_config_round_trip():
    for layer in [ks.layers.ZeroPadding2D(2), ks.layers.UpSampling2D(3, interpolation="BILINEAR")]:
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    assert ks.layers.ZeroPadding2D(2).padding == ((2, 2), (2, 2))
    assert ks.layers.UpSampling2D(3, interpolation="BILINEAR").interpolation == "bilinear"


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.ZeroPadding2D(-1), r"`padding` of ZeroPadding2D must be an int >= 0, a tuple of 2 such ints, "
                                          r"or a tuple of 2 pairs .* received -1"),
    (lambda: ks.layers.ZeroPadding2D((1, 2, 3)), r"`padding` of ZeroPadding2D .* received \(1, 2, 3\)"),
    (lambda: ks.layers.ZeroPadding2D(((1, 2), (3,))), r"`padding` of ZeroPadding2D .* received \(\(1, 2\), \(3,\)\)"),
    (lambda: ks.layers.UpSampling2D(0), r"`size` of UpSampling2D must be a positive int or a tuple of 2"),
    (lambda: ks.layers.UpSampling2D(interpolation="area"), r"`interpolation` of UpSampling2D must be one of "
                                                           r"\['nearest', 'bilinear'.*received 'area'"),
])
def test_reshaping_rejects_bad_config(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_reshaping_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"layer 'z' is incompatible with the layer: expected ndim=4, found ndim=3"):
        ks.layers.ZeroPadding2D(name="z")(jnp.ones((1, 3, 3)))
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=2"):
        ks.layers.UpSampling2D()(jnp.ones((1, 3)))


def test_upsampling_keeps_integer_dtype_for_nearest():
    y = ks.layers.UpSampling2D()(jnp.arange(4, dtype=jnp.int32).reshape(1, 2, 2, 1))
    assert y.dtype == jnp.int32
    np.testing.assert_array_equal(y[0, :, :, 0], [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])
