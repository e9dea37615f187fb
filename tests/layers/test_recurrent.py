import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, randomize_keras_weights, sample_input

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("layer, expected", [
    (lambda: ks.layers.SimpleRNN(3), (None, 3)),
    (lambda: ks.layers.LSTM(3, return_sequences=True), (None, 5, 3)),
    (lambda: ks.layers.GRU(3, go_backwards=True, dropout=0.2, recurrent_dropout=0.2), (None, 3)),
], ids=["simple-rnn", "lstm-sequences", "gru-backwards-dropout"])
def test_recurrent_layer_contract(seeded, layer, expected):
    check_layer(layer(), (4, 5, 2), expected)


CONFIGS = [dict(), dict(return_sequences=True), dict(go_backwards=True, return_sequences=True),
           dict(use_bias=False, activation="relu")]
CASES = ([(name, c) for name in ("SimpleRNN", "LSTM", "GRU") for c in CONFIGS]
         + [("LSTM", dict(unit_forget_bias=False, recurrent_activation="hard_sigmoid")),
            ("GRU", dict(reset_after=False)), ("GRU", dict(reset_after=False, go_backwards=True))])


@pytest.mark.parametrize("name, config", CASES)
def test_recurrent_matches_keras(name, config):
    x = sample_input((2, 5, 3))
    ours = getattr(ks.layers, name)(4, **config)
    reference = getattr(keras.layers, name)(4, **config)
    assert keras_oracle_error(reference, ours, x) < 1e-5
    assert ours.compute_output_shape((None, 5, 3)) == tuple(reference.compute_output_shape((None, 5, 3)))


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_return_state_matches_keras(name):
    x = sample_input((2, 5, 3))
    reference = getattr(keras.layers, name)(4, return_state=True, return_sequences=True)
    reference(x)
    randomize_keras_weights(reference)
    ours = getattr(ks.layers, name)(4, return_state=True, return_sequences=True)
    ours.build_for((None, 5, 3))
    ours.set_weights(reference.get_weights())
    expected, got = reference(x), ours(jnp.asarray(x))
    assert len(got) == len(expected) == (3 if name == "LSTM" else 2)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, atol=1e-5)
    assert ours.compute_output_shape((None, 5, 3)) == [tuple(s) for s in reference.compute_output_shape((None, 5, 3))]


def test_lstm_weights_layout_and_forget_bias(seeded):
    layer = ks.layers.LSTM(3)
    layer.build_for((None, 4, 2))
    assert [w.shape for w in layer.get_weights()] == [(2, 12), (3, 12), (12,)]
    np.testing.assert_array_equal(layer.bias[...], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    gru = ks.layers.GRU(3)
    gru.build_for((None, 4, 2))
    assert [w.shape for w in gru.get_weights()] == [(2, 9), (3, 9), (2, 9)]


def test_lstm_fit_matches_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4, 2)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None].astype(np.float32)
    keras.utils.set_random_seed(0)
    reference = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3), keras.layers.Dense(1)])
    reference.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    ours = ks.Sequential([ks.Input((4, 2)), ks.layers.LSTM(3), ks.layers.Dense(1)])
    ours.compile(optimizer=ks.optimizers.SGD(0.05), loss="mse")
    ours.set_weights(reference.get_weights())
    expected = reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    got = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    for a, b in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_embedding_lstm_text_classifier_trains(seeded):
    rng = np.random.default_rng(1)
    x = rng.integers(1, 12, (64, 6)).astype(np.int32)
    y = (x[:, -1] > 6).astype(np.int32)  # the label depends on the last token: the LSTM must carry it
    model = ks.Sequential([ks.Input((6,), dtype="int32"), ks.layers.Embedding(12, 8), ks.layers.LSTM(8),
                           ks.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=ks.optimizers.Adam(0.03), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0] and history["accuracy"][-1] > 0.9


def test_lstm_state_outputs_in_a_functional_model(seeded):
    inputs = ks.Input((5, 2))
    sequence, h, c = ks.layers.LSTM(3, return_sequences=True, return_state=True)(inputs)
    assert (sequence.shape, h.shape, c.shape) == ((None, 5, 3), (None, 3), (None, 3))
    model = ks.Model(inputs, ks.layers.Concatenate()([h, c]))
    assert model(jnp.ones((2, 5, 2))).shape == (2, 6)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_dropout_masks_are_per_sequence(name):
    layer = getattr(ks.layers, name)(4, dropout=0.5, seed=0)
    x = jnp.ones((64, 5, 3))
    inference = layer(x)
    np.testing.assert_array_equal(inference, layer(x))  # no dropout in inference
    a, b = layer(x, training=True), layer(x, training=True)
    assert not np.allclose(a, b)  # a new mask each call
    assert not np.allclose(a, inference)
    # With identical steps and one mask per sequence, dropping features of every step at once keeps some
    # samples' whole input at zero: their output is the zero-input output (Keras: one mask per sequence).
    zero_input = getattr(ks.layers, name)(4)
    zero_input.build_for((None, 5, 3))
    zero_input.set_weights(layer.get_weights())
    expected = np.asarray(zero_input(jnp.zeros((1, 5, 3))))[0]
    assert np.isclose(np.asarray(a), expected, atol=1e-6).all(axis=1).mean() > 0.05


def test_recurrent_config_round_trip():
    for layer in [ks.layers.SimpleRNN(3, dropout=0.1, seed=2), ks.layers.LSTM(2, unit_forget_bias=False,
                                                                              return_state=True),
                  ks.layers.GRU(5, reset_after=False, recurrent_regularizer="l2", go_backwards=True)]:
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.LSTM(0), ValueError, r"`units` must be a positive integer, received 0"),
    (lambda: ks.layers.GRU(4, dropout=1.0), ValueError, r"`dropout` of GRU must be a number in \[0.0, 1.0\), "
                                                        r"received 1.0"),
    (lambda: ks.layers.SimpleRNN(4, stateful=True), ValueError, r"`stateful` of SimpleRNN must be False"),
    (lambda: ks.layers.LSTM(4, return_sequences="yes"), TypeError, r"`return_sequences` of LSTM must be True or "
                                                                   r"False, received 'yes'"),
    (lambda: ks.layers.GRU(4, seed=1.5), ValueError, r"`seed` of GRU must be None or an int >= 0"),
])
def test_recurrent_rejects_bad_config(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_recurrent_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"layer 'r' is incompatible with the layer: expected ndim=3, found ndim=2"):
        ks.layers.LSTM(2, name="r")(jnp.ones((2, 3)))
    layer = ks.layers.GRU(2, name="g")
    layer(jnp.ones((1, 4, 3)))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3, but received input with "
                                         r"shape \(1, 4, 5\)"):
        layer(jnp.ones((1, 4, 5)))
