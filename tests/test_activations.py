"""kerasish.activations against keras.activations (JAX backend) and the registry's errors."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import kerasish
from kerasish import activations

X = np.linspace(-5.0, 5.0, 23, dtype=np.float32).reshape(1, 23)

NAMES = [
    "relu", "sigmoid", "softmax", "log_softmax", "tanh", "gelu", "elu", "selu", "softplus", "softsign",
    "swish", "silu", "leaky_relu", "relu6", "hard_sigmoid", "hard_silu", "hard_swish", "exponential",
    "mish", "linear",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras(name):
    ours = activations.get(name)(jnp.asarray(X))
    theirs = keras.activations.get(name)(X)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_jit_and_grad(name):
    fn = activations.get(name)
    np.testing.assert_allclose(jax.jit(fn)(X), fn(X), rtol=1e-6)
    grads = jax.grad(lambda x: jnp.sum(fn(x)))(jnp.asarray(X))
    assert grads.shape == X.shape and bool(jnp.all(jnp.isfinite(grads)))


def test_keras_defaults_not_jax_defaults():
    x = jnp.array([-1.0, 1.0])
    np.testing.assert_allclose(activations.gelu(x), jax.nn.gelu(x, approximate=False))
    assert not np.allclose(activations.gelu(x), jax.nn.gelu(x))  # JAX's default is the tanh approximation
    np.testing.assert_allclose(activations.leaky_relu(x), [-0.2, 1.0])
    np.testing.assert_allclose(activations.hard_sigmoid(jnp.array([-3.0, 3.0, 1.5])), [0.0, 1.0, 0.75])


def test_softmax_axis():
    x = jnp.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(activations.softmax(x, axis=0).sum(axis=0), jnp.ones(3), rtol=1e-6)


def test_get_passthrough_and_none():
    fn = lambda x: 2 * x
    assert activations.get(fn) is fn
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu


def test_serialize_round_trip():
    for name in NAMES:
        fn = activations.get(name)
        assert activations.get(activations.serialize(fn)) is fn
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    assert activations.serialize(jnp.sin) is None


def test_get_unknown_name():
    with pytest.raises(ValueError, match=r"Unknown activation 'rellu'.*\['elu', 'exponential'"):
        activations.get("rellu")


def test_get_wrong_type():
    with pytest.raises(
        TypeError,
        match="Argument `identifier` must be None, an activation name or a callable, received 3 of type int",
    ):
        activations.get(3)


@keras.saving.register_keras_serializable(package="activations_test", name="square")
def _keras_square(x):
    return x * x


@kerasish.saving.register_serializable(package="activations_test", name="square")
def _square(x):
    return x * x


def test_a_registered_function_serializes_as_keras_does_and_comes_back():
    entry = activations.serialize(_square)
    assert entry == keras.activations.serialize(_keras_square)
    assert activations.get(entry) is _square
    assert activations.serialize(lambda x: x) is None  # not registered: no name a file could hold


def test_an_unknown_function_entry_is_refused():
    entry = {"module": "builtins", "class_name": "function", "config": "activations_test>missing",
             "registered_name": "function"}
    with pytest.raises(ValueError, match=r"Unknown activation function 'activations_test>missing': register it"):
        activations.get(entry)
