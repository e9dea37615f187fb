import jax.numpy as jnp
import pytest

import kerasish as ks
from tests.layers.helpers import assert_keras_parity, check_layer

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("name, config, input_shape", [
    ("DepthwiseConv1D", dict(kernel_size=3, strides=2), (2, 9, 3)),
    ("DepthwiseConv1D", dict(kernel_size=2, depth_multiplier=2, data_format="channels_first", use_bias=False),
     (2, 3, 7)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same", activation="relu"), (2, 5, 5, 3)),
    ("DepthwiseConv2D", dict(kernel_size=(2, 3), dilation_rate=2), (2, 6, 7, 2)),
    ("SeparableConv1D", dict(filters=4, kernel_size=3, data_format="channels_first"), (2, 3, 9)),
    ("SeparableConv1D", dict(filters=2, kernel_size=2, strides=2, padding="same", depth_multiplier=3), (2, 7, 2)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, depth_multiplier=2, dilation_rate=2), (2, 7, 7, 3)),
    ("SeparableConv2D", dict(filters=3, kernel_size=2, strides=(1, 2), use_bias=False), (2, 5, 6, 2)),
])
def test_depthwise_and_separable_match_keras(name, config, input_shape):
    assert_keras_parity(name, {**config, "depthwise_initializer": "zeros"}, input_shape)


def test_weights_in_keras_order_and_layouts():
    layer = ks.layers.SeparableConv2D(8, (3, 2), depth_multiplier=2)
    layer(jnp.ones((1, 5, 5, 3)))
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 3, 2), (1, 1, 6, 8), (8,)]
    depthwise = ks.layers.DepthwiseConv2D(3, depth_multiplier=4)
    depthwise(jnp.ones((1, 5, 5, 3)))
    assert [w.shape for w in depthwise.get_weights()] == [(3, 3, 3, 4), (12,)]


def test_depthwise_layer_contract(seeded):
    check_layer(ks.layers.DepthwiseConv2D(2, depth_multiplier=2), (4, 4, 4, 2), (None, 3, 3, 4))
    check_layer(ks.layers.SeparableConv1D(3, 2, pointwise_constraint="max_norm"), (4, 5, 2), (None, 4, 3))


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.DepthwiseConv2D(3, depth_multiplier=0), r"Invalid value for argument `depth_multiplier`. "
                                                               r"Expected a strictly positive value. Received "
                                                               r"depth_multiplier=0 \(layer DepthwiseConv2D"),
    (lambda: ks.layers.DepthwiseConv2D((3, 0)), r"The `kernel_size` argument must be a tuple of 2 integers. "
                                                r"Received kernel_size=\(3, 0\), including values \{0\}"),
    (lambda: ks.layers.SeparableConv2D(0, 3), r"Invalid value for argument `filters`. Expected a strictly positive "
                                              r"value. Received filters=0"),
    (lambda: ks.layers.SeparableConv1D(2, 3, padding="causal"), r"`padding` of SeparableConv1D must be one of "
                                                                r"\['valid', 'same'\]"),
    (lambda: ks.layers.DepthwiseConv1D(5)(jnp.ones((1, 3, 2))), r"Computed output size would be zero or negative: .*"
                                                                r"cannot take inputs of shape \(None, 3, 2\).*"
                                                                r"padding='same'"),
    (lambda: ks.layers.DepthwiseConv2D(3)(jnp.ones((1, 5, 5))), r"expected ndim=4, found ndim=3"),
    (lambda: ks.layers.SeparableConv2D(2, 1)(ks.Input((4, 4, None))), r"needs a known channel axis"),
])
def test_depthwise_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_input_channels_are_checked_after_build():
    layer = ks.layers.DepthwiseConv2D(1)
    layer(jnp.ones((1, 3, 3, 2)))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 2, but received input with "
                                         r"shape \(1, 3, 3, 4\)"):
        layer(jnp.ones((1, 3, 3, 4)))
