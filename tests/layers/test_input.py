"""Input / InputLayer (kerasish/layers/core.py) as Keras 3: arguments, config keys, errors."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("arguments", [dict(shape=(3,)), dict(shape=(None, 4), batch_size=2),
                                        dict(batch_shape=(5, 2)), dict(shape=(2,), dtype="int32", name="ids")])
def test_input_and_its_config_as_keras(arguments):
    ours, theirs = ks.Input(**arguments), keras.Input(**arguments)
    assert ours.shape == tuple(theirs.shape) and ours.dtype.name == theirs.dtype
    layer, reference = ours.node.layer, theirs._keras_history[0]
    config, expected = layer.get_config(), reference.get_config()
    assert set(config) == set(expected)
    for key in ("batch_shape", "dtype", "sparse", "ragged", "optional"):
        assert config[key] == expected[key], key
    assert ks.layers.InputLayer.from_config(config).get_config() == config


def test_input_layer_reads_older_kerasish_configs():
    layer = ks.layers.InputLayer.from_config({"shape": [3], "dtype": "float32", "batch_size": None, "name": "old"})
    assert layer.batch_shape == (None, 3) and layer.name == "old"


def test_input_wraps_an_existing_symbolic_tensor():
    source = ks.layers.Dense(2)(ks.Input((3,)))
    wrapped = ks.Input(tensor=source)
    assert wrapped is source and isinstance(source.node.layer, ks.layers.InputLayer)
    model = ks.Model(wrapped, ks.layers.Dense(1)(wrapped))
    assert model.predict(np.ones((2, 2)), verbose=0).shape == (2, 1)


def test_an_optional_input_may_be_left_out():
    class AddIfGiven(ks.layers.Layer):
        def call(self, a, b=None):
            return a if b is None else a + b

    a, b = ks.Input((2,)), ks.Input((2,), optional=True)
    model = ks.Model([a, b], AddIfGiven()(a, b))
    x = np.ones((3, 2), np.float32)
    np.testing.assert_array_equal(model([x, None]), x)
    np.testing.assert_array_equal(model([x, x]), 2 * x)
    c, d = ks.Input((2,)), ks.Input((2,), name="needed")
    strict = ks.Model([c, d], ks.layers.Add()([c, d]))
    with pytest.raises(ValueError, match=r"received None for its input 'needed', which is not optional"):
        strict([x, None])


def test_model_inputs_are_rank_standardised_as_keras_does():
    inputs = ks.Input((1,))
    model = ks.Model(inputs, ks.layers.Dense(2)(inputs))
    assert model.predict(np.ones(4), verbose=0).shape == (4, 2)  # a trailing axis of 1 added
    sequential = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)])
    assert sequential.predict(np.ones((4, 3, 1)), verbose=0).shape == (4, 2)  # a trailing axis of 1 squeezed
    with pytest.raises(ValueError, match=r"Invalid input shape for input with name 'input_layer\w*'. Expected "
                                         r"shape \(None, 1\), but input has incompatible shape \(4, 2, 2\)"):
        inputs.node.layer.standardize_rank(np.ones((4, 2, 2)))


@pytest.mark.parametrize("arguments, pattern", [
    (dict(shape=(2,), batch_shape=(None, 2)), r"You cannot pass both `shape` and `batch_shape` at the same time."),
    (dict(batch_size=2, batch_shape=(None, 2)), r"You cannot pass both `batch_size` and `batch_shape` at the same"),
    (dict(), r"You must pass a `shape` argument."),
    (dict(shape=(2,), sparse=True), r"`sparse=True` is not supported with the jax backend in kerasish"),
    (dict(shape=(2,), ragged=True), r"`ragged=True` is not supported"),
    (dict(tensor=np.ones((2, 3))), r"Argument `input_tensor` must be a KerasTensor. Received invalid type"),
    (dict(shape=(4,), tensor=ks.Input((3,))), r"you cannot provide an incompatible `shape` argument"),
    (dict(tensor=ks.Input((3,)), dtype="int32"), r"you cannot provide an incompatible `dtype` argument"),
    (dict(tensor=ks.Input((3,)), batch_size=4), r"you cannot provide an incompatible `batch_size` argument"),
])
def test_input_errors_in_keras_words(arguments, pattern):
    with pytest.raises(ValueError, match=pattern):
        ks.Input(**arguments)


def test_input_layer_refuses_unknown_arguments():
    with pytest.raises(TypeError, match=r"InputLayer got unexpected keyword argument\(s\) \['shapes'\]"):
        ks.layers.InputLayer(shapes=(2,))
    with pytest.raises(ValueError, match=r"`batch_shape` of InputLayer must start with the batch axis"):
        ks.layers.InputLayer(batch_shape=())
