import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, randomize_keras_weights, sample_input

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("layer, expected", [
    (lambda: ks.layers.Bidirectional(ks.layers.LSTM(3)), (None, 6)),
    (lambda: ks.layers.Bidirectional(ks.layers.GRU(3, return_sequences=True), merge_mode="sum"), (None, 5, 3)),
], ids=["lstm-concat", "gru-sequences-sum"])
def test_bidirectional_contract(seeded, layer, expected):
    check_layer(layer(), (4, 5, 2), expected)


@pytest.mark.parametrize("name, config, merge_mode", [
    ("LSTM", dict(), "concat"),
    ("LSTM", dict(return_sequences=True), "concat"),
    ("GRU", dict(return_sequences=True), "ave"),
    ("GRU", dict(), "mul"),
    ("SimpleRNN", dict(return_sequences=True), "sum"),
])
def test_bidirectional_matches_keras(name, config, merge_mode):
    x = sample_input((2, 5, 3))
    ours = ks.layers.Bidirectional(getattr(ks.layers, name)(4, **config), merge_mode=merge_mode)
    reference = keras.layers.Bidirectional(getattr(keras.layers, name)(4, **config), merge_mode=merge_mode)
    assert keras_oracle_error(reference, ours, x) < 1e-5
    assert ours.compute_output_shape((None, 5, 3)) == tuple(reference.compute_output_shape((None, 5, 3)))
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in reference.get_weights()]


@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_bidirectional_return_state_matches_keras(merge_mode):
    x = sample_input((2, 5, 3))
    reference = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True, return_state=True),
                                           merge_mode=merge_mode)
    reference(x)
    randomize_keras_weights(reference)
    ours = ks.layers.Bidirectional(ks.layers.LSTM(4, return_sequences=True, return_state=True), merge_mode=merge_mode)
    ours.build_for((None, 5, 3))
    ours.set_weights(reference.get_weights())
    expected, got = reference(x), ours(jnp.asarray(x))
    assert len(got) == len(expected) == (6 if merge_mode is None else 5)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_bidirectional_layers_and_config(seeded):
    layer = ks.layers.Bidirectional(ks.layers.GRU(2, name="gru"), name="bi")
    assert (layer.forward_layer.name, layer.backward_layer.name) == ("forward_gru", "backward_gru")
    assert (layer.forward_layer.go_backwards, layer.backward_layer.go_backwards) == (False, True)
    clone = ks.layers.Bidirectional.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    custom = ks.layers.Bidirectional(ks.layers.LSTM(2), backward_layer=ks.layers.LSTM(2, go_backwards=True,
                                                                                      name="back"))
    assert custom.backward_layer.name == "back"
    clone = ks.layers.Bidirectional.from_config(custom.get_config())
    assert clone.get_config() == custom.get_config() and clone.backward_layer.go_backwards


def test_bidirectional_in_a_functional_model(seeded):
    inputs = ks.Input((5, 2))
    sequence = ks.layers.Bidirectional(ks.layers.LSTM(3, return_sequences=True))(inputs)
    assert sequence.shape == (None, 5, 6)
    model = ks.Model(inputs, ks.layers.Dense(1)(ks.layers.Bidirectional(ks.layers.GRU(2))(sequence)))
    assert model(jnp.ones((2, 5, 2))).shape == (2, 1)


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.Bidirectional(ks.layers.LSTM(2), merge_mode="max"), ValueError,
     r"`merge_mode` of Bidirectional must be one of"),
    (lambda: ks.layers.Bidirectional(ks.layers.Dense(2)), ValueError, r"must be a recurrent layer"),
    (lambda: ks.layers.Bidirectional(ks.layers.LSTM(2), backward_layer=ks.layers.LSTM(2)), ValueError,
     r"different `go_backwards` values"),
    (lambda: ks.layers.Bidirectional(ks.layers.LSTM(2), backward_layer=ks.layers.LSTM(
        2, go_backwards=True, return_sequences=True)), ValueError, r"same value for `return_sequences`"),
])
def test_bidirectional_rejects_bad_config(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
