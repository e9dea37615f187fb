import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, sample_input

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("layer, input_shape, expected", [
    (lambda: ks.layers.MaxPooling1D(), (4, 7, 2), (None, 3, 2)),
    (lambda: ks.layers.AveragePooling1D(3, strides=2, padding="same"), (4, 7, 2), (None, 4, 2)),
    (lambda: ks.layers.MaxPooling2D((2, 3), padding="same"), (4, 5, 5, 2), (None, 3, 2, 2)),
    (lambda: ks.layers.AveragePooling2D(data_format="channels_first"), (4, 2, 5, 4), (None, 2, 2, 2)),
    (lambda: ks.layers.GlobalAveragePooling1D(), (4, 5, 3), (None, 3)),
    (lambda: ks.layers.GlobalMaxPooling1D(keepdims=True), (4, 5, 3), (None, 1, 3)),
    (lambda: ks.layers.GlobalAveragePooling2D(data_format="channels_first", keepdims=True), (4, 3, 4, 4),
     (None, 3, 1, 1)),
    (lambda: ks.layers.GlobalMaxPooling2D(), (4, 4, 4, 3), (None, 3)),
], ids=["max1d", "avg1d-same", "max2d-same", "avg2d-channels-first", "gavg1d", "gmax1d-keepdims",
        "gavg2d-channels-first", "gmax2d"])
def test_pooling_layer_contract(seeded, layer, input_shape, expected):
    check_layer(layer(), input_shape, expected)


ORACLE_CASES = [
    ("MaxPooling1D", dict(), (2, 7, 3)),
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 8, 3)),
    ("AveragePooling1D", dict(pool_size=3), (2, 7, 3)),
    ("AveragePooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 8, 3)),
    ("MaxPooling2D", dict(), (2, 5, 6, 3)),
    ("MaxPooling2D", dict(pool_size=(3, 2), strides=(2, 1), padding="same"), (2, 5, 6, 3)),
    ("AveragePooling2D", dict(pool_size=3, strides=2), (2, 7, 6, 3)),
    # "same" average pooling: the border windows divide by the count of real values only.
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 6, 5, 3)),
    ("AveragePooling2D", dict(pool_size=2, padding="same", data_format="channels_first"), (2, 3, 5, 5)),
    ("MaxPooling2D", dict(pool_size=2, strides=1, data_format="channels_first"), (2, 3, 5, 4)),
    ("GlobalAveragePooling1D", dict(), (2, 5, 3)),
    ("GlobalAveragePooling1D", dict(data_format="channels_first", keepdims=True), (2, 3, 5)),
    ("GlobalMaxPooling1D", dict(), (2, 5, 3)),
    ("GlobalAveragePooling2D", dict(), (2, 4, 5, 3)),
    ("GlobalAveragePooling2D", dict(keepdims=True), (2, 4, 5, 3)),
    ("GlobalMaxPooling2D", dict(data_format="channels_first"), (2, 3, 4, 5)),
    ("MaxPooling3D", dict(), (2, 4, 5, 4, 2)),
    ("MaxPooling3D", dict(pool_size=(2, 3, 2), strides=1, padding="same"), (2, 3, 4, 4, 2)),
    ("AveragePooling3D", dict(pool_size=2, padding="same", data_format="channels_first"), (2, 2, 3, 4, 5)),
    ("GlobalAveragePooling3D", dict(), (2, 3, 2, 4, 3)),
    ("GlobalMaxPooling3D", dict(data_format="channels_first", keepdims=True), (2, 3, 2, 4, 3)),
]


@pytest.mark.parametrize("name, config, input_shape", ORACLE_CASES)
def test_pooling_matches_keras(name, config, input_shape):
    x = sample_input(input_shape)
    ours = getattr(ks.layers, name)(**config)
    reference = getattr(keras.layers, name)(**config)
    assert keras_oracle_error(reference, ours, x) < 1e-5
    assert ours.compute_output_shape((None,) + input_shape[1:]) == tuple(
        reference.compute_output_shape((None,) + input_shape[1:]))


def test_same_average_pooling_excludes_padding():
    y = ks.layers.AveragePooling2D(2, padding="same")(jnp.ones((1, 3, 3, 1)))
    np.testing.assert_array_equal(y, np.ones((1, 2, 2, 1)))  # counting padded zeros would give 0.5 and 0.25


def test_pooling_defaults_and_config_round_trip():
    layer = ks.layers.MaxPooling2D()
    assert (layer.pool_size, layer.strides, layer.padding, layer.data_format) == ((2, 2), (2, 2), "valid",
                                                                                    "channels_last")
    config = ks.layers.AveragePooling1D(3, strides=1, padding="SAME").get_config()
    assert (config["pool_size"], config["strides"], config["padding"]) == ((3,), (1,), "same")
    assert ks.layers.AveragePooling1D.from_config(config).get_config() == config
    assert ks.layers.GlobalMaxPooling2D(keepdims=True).get_config()["keepdims"] is True


def test_integer_inputs_are_pooled_as_floats():
    y = ks.layers.MaxPooling1D()(jnp.arange(4, dtype=jnp.int32).reshape(1, 4, 1))
    assert y.dtype == jnp.float32 and y.ravel().tolist() == [1.0, 3.0]


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.MaxPooling2D(0), r"The `pool_size` argument must be a tuple of 2 integers. Received "
                                        r"pool_size=0, including values \{0\} that do not satisfy `value > 0`"),
    (lambda: ks.layers.MaxPooling1D((2, 2)), r"The `pool_size` argument must be a tuple of 1 integers. Received "
                                             r"pool_size=\(2, 2\)"),
    (lambda: ks.layers.AveragePooling2D(strides=(1, -1)), r"The `strides` argument must be a tuple of 2 integers. "
                                                          r"Received strides=\(1, -1\), including values \{-1\}"),
    (lambda: ks.layers.AveragePooling1D(padding="causal"), r"`padding` of AveragePooling1D must be one of "
                                                           r"\['valid', 'same'\], received 'causal'"),
    (lambda: ks.layers.GlobalMaxPooling1D(data_format="channels_middle"), r"`data_format` of GlobalMaxPooling1D"),
    (lambda: ks.layers.GlobalAveragePooling2D(keepdims=1), r"`keepdims` of GlobalAveragePooling2D must be True or "
                                                           r"False, received 1"),
])
def test_pooling_rejects_bad_config(make, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        make()


def test_pooling_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"layer 'p' is incompatible with the layer: expected ndim=4, found ndim=3"):
        ks.layers.MaxPooling2D(name="p")(jnp.ones((2, 4, 4)))
    with pytest.raises(ValueError, match=r"Layer 'q' cannot pool inputs of shape \(None, 2, 8, 1\) with "
                                         r"pool_size=\(3, 3\) and padding='valid'"):
        ks.layers.AveragePooling2D(3, name="q").build_for((None, 2, 8, 1))
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=4"):
        ks.layers.GlobalAveragePooling1D()(jnp.ones((2, 4, 4, 1)))


def test_keras_short_names_are_the_same_classes():
    assert ks.layers.MaxPool2D is ks.layers.MaxPooling2D and ks.layers.AvgPool3D is ks.layers.AveragePooling3D
    assert ks.layers.GlobalAvgPool1D is ks.layers.GlobalAveragePooling1D
    assert ks.layers.GlobalMaxPool3D is ks.layers.GlobalMaxPooling3D
