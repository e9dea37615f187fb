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
    ("ZeroPadding1D", dict(), (2, 3, 2)),
    ("ZeroPadding1D", dict(padding=(1, 2), data_format="channels_first"), (2, 2, 3)),
    ("ZeroPadding3D", dict(padding=(1, 0, 2)), (2, 2, 3, 4, 2)),
    ("ZeroPadding3D", dict(padding=((0, 1), (2, 0), (1, 1)), data_format="channels_first"), (2, 2, 2, 3, 2)),
    ("UpSampling1D", dict(size=3), (2, 4, 2)),
    ("UpSampling3D", dict(size=(1, 2, 3)), (2, 2, 3, 2, 2)),
    ("UpSampling3D", dict(data_format="channels_first"), (2, 2, 3, 2, 2)),
    ("RepeatVector", dict(n=3), (2, 4)),
    ("Permute", dict(dims=(2, 1)), (2, 3, 4)),
    ("Permute", dict(dims=(3, 1, 2)), (2, 3, 4, 5)),
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
    (lambda: ks.layers.UpSampling2D(0), r"The `size` argument must be a tuple of 2 integers. Received size=0, "
                                        r"including values \{0\}"),
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


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.ZeroPadding1D(-1), ValueError, r"`padding` of ZeroPadding1D must be an int >= 0 or a tuple of 2 "
                                                      r"such ints \(before, after\), received -1"),
    (lambda: ks.layers.ZeroPadding3D((1, 2)), ValueError, r"`padding` of ZeroPadding3D must be an int >= 0, a tuple of "
                                                          r"3 such ints"),
    (lambda: ks.layers.UpSampling1D((2,)), TypeError, r"Expected an integer value for `size`, got <class 'tuple'> "
                                                      r"\(UpSampling1D received size=\(2,\)\)"),
    (lambda: ks.layers.UpSampling1D(0), ValueError, r"`size` should be a positive integer. Received: size=0"),
    (lambda: ks.layers.UpSampling3D((2, 2)), ValueError, r"The `size` argument must be a tuple of 3 integers. "
                                                         r"Received size=\(2, 2\)"),
    (lambda: ks.layers.RepeatVector(2.0), TypeError, r"Expected an integer value for `n`, got <class 'float'>"),
    (lambda: ks.layers.RepeatVector(0), ValueError, r"Argument `n` should be a positive integer. Received: n=0"),
    (lambda: ks.layers.RepeatVector(2)(jnp.ones((1, 2, 3))), ValueError, r"expected ndim=2, found ndim=3"),
    (lambda: ks.layers.Permute((1, 3)), ValueError, r"Invalid permutation argument `dims` for Permute Layer. The set "
                                                    r"of indices in `dims` must be consecutive and start from 1 .*"
                                                    r"Received dims=\(1, 3\)"),
    (lambda: ks.layers.Permute((0, 1)), ValueError, r"Invalid permutation argument `dims`"),
    (lambda: ks.layers.Permute((2, 1))(jnp.ones((1, 2, 3, 4))), ValueError, r"expected ndim=3, found ndim=4"),
])
def test_new_reshaping_layers_reject_bad_config(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_repeat_vector_and_permute_in_a_model_train(seeded):
    check_layer(ks.layers.RepeatVector(2), (4, 3), (None, 2, 3), trains=False)
    check_layer(ks.layers.Permute((2, 1)), (4, 3, 2), (None, 2, 3), trains=False)
