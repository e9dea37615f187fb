import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import assert_keras_parity, check_layer

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("name, config, input_shape, extra", [
    ("ReLU", {}, (2, 5), ()),
    ("ReLU", dict(max_value=1.0, negative_slope=0.2, threshold=0.3), (2, 3, 5), ()),
    ("ReLU", dict(max_value=6.0), (2, 5), ()),
    ("ReLU", dict(negative_slope=0.5), (2, 5), ()),
    ("LeakyReLU", {}, (2, 5), ()),
    ("LeakyReLU", dict(negative_slope=0.1), (2, 4, 3), ()),
    ("ELU", dict(alpha=0.5), (2, 5), ("alpha",)),
    ("PReLU", {}, (2, 3, 4), ()),
    ("PReLU", dict(shared_axes=[1]), (2, 3, 4), ()),
    ("PReLU", dict(shared_axes=[1, 2]), (2, 3, 4, 2), ()),
    ("Softmax", {}, (2, 5), ()),
    ("Softmax", dict(axis=1), (2, 3, 4), ()),
    ("Softmax", dict(axis=[1, 2]), (2, 3, 4), ()),
])
def test_activation_layers_match_keras(name, config, input_shape, extra):
    assert_keras_parity(name, config, input_shape, extra_config_keys=extra)


@pytest.mark.parametrize("mask_shape", [(2, 3, 4), (2, 1, 4), (4,)])
def test_softmax_mask_matches_keras(mask_shape):
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    mask = np.random.default_rng(1).uniform(size=mask_shape) > 0.3
    np.testing.assert_allclose(ks.layers.Softmax()(jnp.asarray(x), mask=jnp.asarray(mask)),
                               keras.layers.Softmax()(x, mask=mask), rtol=1e-6, atol=1e-7)
    numeric = mask.astype(np.float32)  # 0/1 numbers are read as mask > 0.5, as in Keras
    np.testing.assert_allclose(ks.layers.Softmax()(jnp.asarray(x), mask=jnp.asarray(numeric)),
                               keras.layers.Softmax()(x, mask=numeric), rtol=1e-6, atol=1e-7)


def test_prelu_and_relu_layer_contract(seeded):
    check_layer(ks.layers.PReLU(alpha_initializer="ones", shared_axes=[1]), (4, 3, 2), (None, 3, 2))
    check_layer(ks.layers.ReLU(max_value=2.0), (4, 3), (None, 3), trains=False)


def test_leaky_relu_accepts_keras2_alpha_with_keras_warning():
    with pytest.warns(UserWarning, match="Argument `alpha` is deprecated. Use `negative_slope` instead."):
        layer = ks.layers.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2 and layer.get_config()["negative_slope"] == 0.2


def test_elu_keeps_alpha_in_its_config():
    revived = ks.layers.ELU.from_config(ks.layers.ELU(alpha=0.3).get_config())
    assert revived.alpha == 0.3
    np.testing.assert_allclose(revived(jnp.array([-1.0])), keras.layers.ELU(alpha=0.3)(np.array([-1.0])), rtol=1e-6)


def test_prelu_weights_and_constraint():
    layer = ks.layers.PReLU(alpha_initializer="ones", alpha_constraint="non_neg", alpha_regularizer="l2")
    layer(jnp.ones((2, 3, 4)))
    assert layer.alpha.shape == (3, 4) and len(layer.weight_constraints) == 1
    np.testing.assert_allclose(layer.regularization_loss(), 0.01 * 12, rtol=1e-6)


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.ReLU(max_value=-1.0), ValueError, r"max_value of a ReLU layer cannot be a negative value "
                                                         r"\(accepted: None or a number >= 0\). Received: "
                                                         r"max_value=-1.0"),
    (lambda: ks.layers.ReLU(negative_slope=None), ValueError, r"negative_slope of a ReLU layer cannot be None or a "
                                                              r"negative value .*Received: negative_slope=None"),
    (lambda: ks.layers.ReLU(threshold=-0.5), ValueError,
     r"threshold of a ReLU layer cannot be None or a negative value \(accepted: a number >= 0\). Received: "
     r"threshold=-0.5"),
    (lambda: ks.layers.LeakyReLU(-0.1), ValueError, r"The negative_slope value of a Leaky ReLU layer cannot be None "
                                                    r"or negative value .*Received: negative_slope=-0.1"),
    (lambda: ks.layers.ELU("1"), ValueError, r"`alpha` of ELU must be a number, received '1'"),
    (lambda: ks.layers.PReLU(shared_axes=[0]), ValueError, r"`shared_axes` of PReLU must be None, an int >= 1"),
    (lambda: ks.layers.PReLU(shared_axes=[3])(jnp.ones((1, 2, 2))), ValueError,
     r"shared axis 3 is out of range for inputs of shape \(None, 2, 2\)"),
    (lambda: ks.layers.PReLU()(ks.Input((None, 3))), ValueError, r"needs known sizes on every axis but the batch"),
    (lambda: ks.layers.Softmax(axis="x"), ValueError, r"`axis` of Softmax must be an int or a non-empty list"),
    (lambda: ks.layers.Softmax()(jnp.ones((2, 3)), mask=jnp.ones((2, 4), bool)), ValueError,
     r"`mask` of layer 'softmax(_\d+)?' \(Softmax\) must be broadcastable to `inputs`. Each mask dimension must be "
     r"1 or match the corresponding input dimension. Received: inputs.shape=\(2, 3\), mask.shape=\(2, 4\)"),
    (lambda: ks.layers.Softmax()(jnp.ones((2, 3)), mask=jnp.ones((1, 2, 3), bool)), ValueError,
     r"must not have more dimensions. Received: inputs.shape=\(2, 3\), mask.shape=\(1, 2, 3\)"),
])
def test_activation_layer_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
