import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.conftest import mlp


def test_input_builds_at_once_and_propagates_shapes(seeded):
    model = ks.Sequential([ks.Input((6,)), ks.layers.Dense(4), ks.layers.Reshape((2, 2)), ks.layers.Flatten()])
    assert model.built
    assert [layer.output_shape for layer in model.layers] == [(None, 4), (None, 2, 2), (None, 4)]
    assert model.output_shape == (None, 4) and model.input_shape == (None, 6)
    assert model.count_params() == 28


def test_builds_on_first_call_and_add_after_build():
    model = ks.Sequential()
    model.add(ks.layers.Dense(3))
    assert not model.built
    assert model(jnp.ones((2, 5))).shape == (2, 3)
    model.add(ks.layers.Dense(7))
    assert model.layers[-1].built and model(jnp.ones((1, 5))).shape == (1, 7)
    assert model.pop().output_shape == (None, 7) and model.output_shape == (None, 3)


def test_nested_sequential_shares_weights_in_keras_order(seeded):
    inner = ks.Sequential([ks.layers.Dense(4, activation="relu"), ks.layers.Dense(2)])
    outer = ks.Sequential([ks.Input((3,)), inner, ks.layers.Dense(1)])
    shapes = [w.shape for w in outer.get_weights()]
    assert shapes == [(3, 4), (4,), (4, 2), (2,), (2, 1), (1,)]
    x = jnp.ones((2, 3))
    np.testing.assert_allclose(outer(x), outer.layers[1](inner(x)), rtol=1e-6)


def test_get_set_weights_round_trip(seeded):
    a, b = mlp(), mlp()
    x = jnp.ones((3, 4))
    assert not np.allclose(a(x), b(x))
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a(x), b(x))


def test_set_random_seed_gives_identical_weights():
    ks.utils.set_random_seed(7)
    w1 = mlp(dropout=0.5).get_weights()
    ks.utils.set_random_seed(7)
    w2 = mlp(dropout=0.5).get_weights()
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="`seed` must be >= 0, received -1"):
        ks.utils.set_random_seed(-1)
    with pytest.raises(TypeError, match="`seed` must be an int"):
        ks.utils.set_random_seed(1.5)


def test_summary_lists_layers_and_keras_equal_counts(seeded):
    model = ks.Sequential([ks.Input((64,)), ks.layers.Dense(64, activation="relu", name="hidden"),
                           ks.layers.Dropout(0.2), ks.layers.Dense(10, activation="softmax")], name="digits")
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert 'Model: "digits"' in text and "hidden (Dense)" in text and "(None, 64)" in text
    assert "Total params: 4,810" in text and "Trainable params: 4,810" in text
    assert "Non-trainable params: 0" in text


def test_frozen_layer_counts_as_non_trainable(seeded):
    model = mlp()
    model.layers[0].trainable = False
    assert model.count_params() == 67
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 27
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 40


def test_add_rejects_non_layers_and_misplaced_input():
    model = ks.Sequential()
    with pytest.raises(ValueError, match=r"Only instances of `keras.Layer` can be added to a Sequential model. "
                                         r"Received: 3"):
        model.add(3)
    model.add(ks.layers.Dense(2))
    with pytest.raises(ValueError, match="An Input can only be the first element"):
        model.add(ks.Input((3,)))


# -- Keras 3's Sequential behaviours -------------------------------------------------------------------------------

def test_sequential_has_input_and_output_attributes_only_once_built_as_keras():
    model = ks.Sequential()
    assert [hasattr(model, name) for name in ("input_shape", "output_shape", "inputs", "outputs")] == [False] * 4
    with pytest.raises(AttributeError, match=r"Sequential model '\w+' has no defined input shape yet"):
        _ = model.input_shape
    model = ks.Sequential([ks.layers.Dense(4), ks.layers.Dense(2)])
    model(np.ones((3, 5), np.float32))  # built from data: it gets an Input, as in Keras
    assert model.inputs[0].shape == (None, 5) and model.outputs[0].shape == (None, 2)
    assert model.layers[0].output.shape == (None, 4) and len(model.layers) == 2


def test_sequential_layers_setter_add_pop_and_names_as_keras():
    model = ks.Sequential(layers=[ks.Input((2,), batch_size=3), ks.layers.Dense(4), ks.layers.Dense(5)])
    with pytest.raises(AttributeError, match=r"Use `add\(\)` and `pop\(\)` to change the layers in this model"):
        model.layers = [ks.layers.Dense(4)]
    assert model.pop().units == 5 and model.output_shape[1:] == (4,) and len(model.weights) == 2
    with pytest.raises(ValueError, match=r"has already been configured to use input shape \(3, 2\)"):
        model.add(ks.Input((2,)))
    with pytest.raises(ValueError, match=r"should have unique names. Name 'dense_a' is already"):
        ks.Sequential([ks.layers.Dense(2, name="dense_a"), ks.layers.Dense(2, name="dense_a")])
    with pytest.raises(ValueError, match=r"Sequential model \w+ cannot be built because it has no layers"):
        ks.Sequential()(np.ones((2, 2), np.float32))
    built = ks.Sequential([ks.Input((2,)), ks.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"has already been configured to use input shape \(None, 2\). You cannot "
                                         r"build it with input shape \(3, 4\)"):
        built.build((3, 4))


def test_sequential_takes_a_built_model_as_first_layer():
    inputs = ks.Input((4, 4, 3))
    functional = ks.Model(inputs=inputs, outputs=ks.layers.Conv2D(2, 3, padding="same")(inputs))
    model = ks.Sequential([functional, ks.layers.Flatten(), ks.layers.Dense(1)])
    assert model.built and all(layer.built for layer in model.layers)
    assert model(np.ones((1, 4, 4, 3), np.float32)).shape == (1, 1)


def test_sequential_pickles():
    import pickle

    model = ks.Sequential([ks.layers.Dense(4)])
    assert len(pickle.loads(pickle.dumps(model)).layers) == 1
