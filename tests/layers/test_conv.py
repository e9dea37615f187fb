import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, sample_input

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("layer, input_shape, expected", [
    (lambda: ks.layers.Conv1D(3, 3), (4, 8, 2), (None, 6, 3)),
    (lambda: ks.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"), (4, 7, 2), (None, 7, 4)),
    (lambda: ks.layers.Conv2D(4, 3, strides=2, padding="same", groups=2), (4, 5, 5, 2), (None, 3, 3, 4)),
    (lambda: ks.layers.Conv2D(2, (2, 3), data_format="channels_first", use_bias=False), (4, 3, 5, 5), (None, 2, 4, 3)),
    (lambda: ks.layers.Conv2DTranspose(3, 3, strides=2), (4, 3, 3, 2), (None, 7, 7, 3)),
    (lambda: ks.layers.Conv2DTranspose(2, 2, strides=2, padding="same", output_padding=1), (4, 3, 3, 2),
     (None, 5, 5, 2)),
], ids=["conv1d", "conv1d-causal", "conv2d-groups", "conv2d-channels-first", "conv2d-transpose",
        "conv2d-transpose-output-padding"])
def test_conv_layer_contract(seeded, layer, input_shape, expected):
    check_layer(layer(), input_shape, expected)


ORACLE_CASES = [
    ("Conv1D", dict(filters=3, kernel_size=3), (2, 9, 4)),
    ("Conv1D", dict(filters=4, kernel_size=4, strides=3, padding="same", activation="tanh"), (2, 9, 4)),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2, groups=2), (2, 9, 4)),
    ("Conv2D", dict(filters=4, kernel_size=3), (2, 6, 7, 3)),
    ("Conv2D", dict(filters=6, kernel_size=(3, 2), strides=2, padding="same", groups=3), (2, 7, 6, 3)),
    ("Conv2D", dict(filters=2, kernel_size=3, dilation_rate=(2, 1), padding="same", activation="relu"), (2, 7, 6, 3)),
    ("Conv2D", dict(filters=2, kernel_size=2, data_format="channels_first", use_bias=False), (2, 3, 5, 4)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2), (2, 4, 3, 3)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=(3, 2), strides=3, padding="same"), (2, 4, 3, 3)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same", output_padding=0), (2, 4, 3, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=(2, 3), output_padding=(1, 2)), (2, 4, 3, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"), (2, 5, 4, 3)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, data_format="channels_first"), (2, 3, 4, 5)),
    ("Conv3D", dict(filters=2, kernel_size=2, strides=(1, 2, 1)), (2, 4, 5, 3, 2)),
    ("Conv3D", dict(filters=2, kernel_size=3, padding="same", data_format="channels_first"), (2, 2, 3, 4, 3)),
    ("Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2), (2, 5, 3)),
    ("Conv1DTranspose", dict(filters=3, kernel_size=4, strides=3, padding="same", output_padding=1), (2, 4, 2)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same"), (2, 3, 2, 3, 2)),
]


@pytest.mark.parametrize("name, config, input_shape", ORACLE_CASES)
def test_conv_matches_keras(name, config, input_shape):
    # Both kernels are overwritten with random values; a zeros initializer skips compiling a 4-D random draw.
    config = {**config, "kernel_initializer": "zeros"}
    x = sample_input(input_shape)
    ours = getattr(ks.layers, name)(**config)
    assert keras_oracle_error(getattr(keras.layers, name)(**config), ours, x) < 1e-5
    assert ours.compute_output_shape((None,) + input_shape[1:]) == tuple(getattr(keras.layers, name)(
        **config).compute_output_shape((None,) + input_shape[1:]))


def test_conv_kernel_layout_is_keras_hwio():
    layer = ks.layers.Conv2D(8, (3, 2), groups=2, kernel_initializer="zeros")
    layer(jnp.ones((1, 5, 5, 4)))
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 2, 8), (8,)]
    transpose = ks.layers.Conv2DTranspose(8, 3, kernel_initializer="zeros")
    transpose(jnp.ones((1, 5, 5, 4)))
    assert [w.shape for w in transpose.get_weights()] == [(3, 3, 8, 4), (8,)]


def test_conv_regularizers_and_config_round_trip():
    layer = ks.layers.Conv2D(2, 1, kernel_initializer="ones", kernel_regularizer=ks.regularizers.L2(0.5),
                             bias_regularizer="l1")
    layer(jnp.ones((1, 3, 3, 3)))
    np.testing.assert_allclose(layer.regularization_loss(), 0.5 * 6)
    clone = ks.layers.Conv2D.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.get_config()["kernel_regularizer"] == {"class_name": "L2", "config": {"l2": 0.5}}


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.Conv2D(0, 3), r"Invalid value for argument `filters`. Expected a strictly positive value. "
                                     r"Received filters=0 \(layer Conv2D"),
    (lambda: ks.layers.Conv2D(4, 3, groups=0), r"The number of groups must be a positive integer. Received: groups=0"),
    (lambda: ks.layers.Conv2D(4, (3, 0)), r"The `kernel_size` argument must be a tuple of 2 integers. "
                                          r"Received kernel_size=\(3, 0\), including values \{0\} that do "
                                          r"not satisfy `value > 0` \(layer Conv2D\)"),
    (lambda: ks.layers.Conv1D(4, (3, 3)), r"The `kernel_size` argument must be a tuple of 1 integers. Received "
                                          r"kernel_size=\(3, 3\) \(layer Conv1D"),
    (lambda: ks.layers.Conv2D(4, 3, strides="2"), r"The `strides` argument must be a tuple of 2 integers. Received "
                                                   r"strides=2 \(layer Conv2D"),
    (lambda: ks.layers.Conv2D(4, 3, padding="full"), r"`padding` of Conv2D must be one of \['valid', 'same'\]"),
    (lambda: ks.layers.Conv2D(4, 3, padding="causal"), r"`padding` of Conv2D must be one of"),
    (lambda: ks.layers.Conv2D(4, 3, data_format="NHWC"), r"`data_format` of Conv2D must be one of"),
    (lambda: ks.layers.Conv2D(4, 3, groups=3), r"The number of filters must be evenly divisible by the number of "
                                               r"groups. Received: groups=3, filters=4 \(layer Conv2D\)"),
    (lambda: ks.layers.Conv2D(4, 3, strides=2, dilation_rate=2), r"`strides > 1` not supported in conjunction with "
                                                                 r"`dilation_rate > 1`. Received: strides=\(2, 2\) "
                                                                 r"and dilation_rate=\(2, 2\)"),
    (lambda: ks.layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), r"`output_padding` must be strictly less "
                                                                            r"than `strides` on every axis"),
    (lambda: ks.layers.Conv2D(4, 3, use_bias="yes"), r"`use_bias` of Conv2D must be True or False"),
])
def test_conv_rejects_bad_config(make, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        make()


def test_conv_rejects_bad_inputs_naming_layer_and_shapes():
    layer = ks.layers.Conv2D(4, 3, name="c")
    with pytest.raises(ValueError, match=r"layer 'c' is incompatible with the layer: expected ndim=4, found ndim=3. "
                                         r"Full shape received: \(None, 5, 5\)"):
        layer.build_for((None, 5, 5))
    with pytest.raises(ValueError, match=r"Computed output size would be zero or negative: layer 'c' cannot take "
                                         r"inputs of shape \(None, 2, 5, 3\).*output would have "
                                         r"shape \(None, 0, 3, 4\)"):
        layer.build_for((None, 2, 5, 3))
    layer(jnp.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3, but received input with "
                                         r"shape \(1, 5, 5, 2\)"):
        layer(jnp.ones((1, 5, 5, 2)))
    grouped = ks.layers.Conv2D(4, 3, groups=2, name="g")
    with pytest.raises(ValueError, match=r"Layer 'g': the number of input channels \(3\) must be divisible by "
                                         r"`groups` \(2\)"):
        grouped.build_for((None, 5, 5, 3))


def test_conv_trains_in_a_small_convnet(seeded):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 6, 1)).astype(np.float32)
    y = (x[:, :3].mean(axis=(1, 2, 3)) > x[:, 3:].mean(axis=(1, 2, 3))).astype(np.int32)
    model = ks.Sequential([ks.Input((6, 6, 1)), ks.layers.Conv2D(4, 3, activation="relu", padding="same"),
                           ks.layers.Conv2D(4, 3, strides=2), ks.layers.Flatten(),
                           ks.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    losses = model.fit(x, y, batch_size=16, epochs=8, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
