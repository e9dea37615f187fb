import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 6, 4)).astype(np.float32)
MASK = np.ones((3, 6), bool)
MASK[0, 4:], MASK[1, :2], MASK[2, 3] = False, False, False


def compare_with_keras(make_ours, make_theirs, **call):
    theirs, ours = make_theirs(), make_ours()
    theirs(X)
    ours.build_for((None,) + X.shape[1:])
    weights = [0.5 * RNG.normal(size=w.shape).astype(np.float32) for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    expected, got = theirs(X, **call), ours(jnp.asarray(X), **call)
    for e, g in zip(jax.tree.leaves(expected), jax.tree.leaves(got), strict=True):
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-5, atol=2e-6)
    return ours, theirs


@pytest.mark.parametrize("cell", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("options, masked", [
    (dict(return_sequences=True), False),
    (dict(return_state=True, go_backwards=True), True),
    (dict(return_sequences=True, zero_output_for_mask=True), True),
], ids=["sequences", "state-backwards-masked", "zero-output-masked"])
def test_rnn_of_each_cell_matches_keras(cell, options, masked):
    call = {"mask": MASK} if masked else {}
    ours, theirs = compare_with_keras(lambda: ks.layers.RNN(getattr(ks.layers, cell)(5), **options),
                                      lambda: keras.layers.RNN(getattr(keras.layers, cell)(5), **options), **call)
    assert ours.get_config().keys() == theirs.get_config().keys()
    assert ours.cell.get_config().keys() == theirs.cell.get_config().keys()


def test_stacked_cells_match_keras():
    compare_with_keras(
        lambda: ks.layers.RNN([ks.layers.LSTMCell(5, use_bias=False), ks.layers.GRUCell(3, reset_after=False)],
                              return_state=True),
        lambda: keras.layers.RNN([keras.layers.LSTMCell(5, use_bias=False), keras.layers.GRUCell(3, reset_after=False)],
                                 return_state=True), mask=MASK)


def test_rnn_of_lstm_cell_equals_the_fused_lstm_layer():
    fused = ks.layers.LSTM(5, return_sequences=True)
    generic = ks.layers.RNN(ks.layers.LSTMCell(5), return_sequences=True)
    fused.build_for((None, 6, 4))
    generic.build_for((None, 6, 4))
    generic.set_weights(fused.get_weights())
    np.testing.assert_allclose(generic(jnp.asarray(X), mask=MASK), fused(jnp.asarray(X), mask=MASK), atol=1e-6)


def test_initial_state_and_cell_call():
    layer = ks.layers.RNN(ks.layers.LSTMCell(3), return_state=True)
    h0, c0 = jnp.ones((3, 3)), jnp.full((3, 3), 0.5)
    output, h, c = layer(jnp.asarray(X), initial_state=[h0, c0])
    cell = layer.cell
    state = [h0, c0]
    for t in range(X.shape[1]):  # the layer is the cell applied step by step
        out, state = cell(jnp.asarray(X[:, t]), states=state)
    np.testing.assert_allclose(output, out, atol=1e-6)
    np.testing.assert_allclose(c, state[1], atol=1e-6)


class MinimalRNNCell(ks.layers.Layer):
    """The cell of Keras's RNN docstring, written the Keras way."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight((input_shape[-1], self.units), "uniform", name="kernel")
        self.recurrent_kernel = self.add_weight((self.units, self.units), "uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]


def test_custom_cells_in_a_functional_model_train(seeded):
    inputs = ks.Input((None, 4))
    outputs = ks.layers.RNN([MinimalRNNCell(8), MinimalRNNCell(2)])(inputs)
    model = ks.Model(inputs, ks.layers.Dense(1)(outputs))
    model.compile("sgd", "mse")
    history = model.fit(X, np.ones((3, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all() and history.history["loss"][1] != history.history["loss"][0]


def test_dropout_cells_train_in_a_model(seeded):
    layer = ks.layers.RNN(ks.layers.SimpleRNNCell(3, dropout=0.5, recurrent_dropout=0.5, seed=1),
                          return_sequences=True)
    y = layer(jnp.asarray(X), training=True)
    assert not np.allclose(y, layer(jnp.asarray(X)))
    check_layer(layer, (4, 5, 4), (None, 5, 3))


def test_rnn_config_round_trip_rebuilds_the_cells():
    layer = ks.layers.RNN([ks.layers.SimpleRNNCell(3), ks.layers.LSTMCell(2, dropout=0.1)], go_backwards=True)
    revived = ks.layers.RNN.from_config(layer.get_config())
    assert revived.get_config() == layer.get_config()
    assert [type(c).__name__ for c in revived.cell.cells] == ["SimpleRNNCell", "LSTMCell"]
    assert revived.state_size == [3, [2, 2]]


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.RNN("lstm"), ValueError, r"Argument `cell` of RNN holds a layer entry 'lstm', not "
                                                r"\{'class_name', 'config'\}"),
    (lambda: ks.layers.RNN(ks.layers.Dense(2)), ValueError, r"should have a `state_size` attribute"),
    (lambda: ks.layers.RNN(ks.layers.LSTMCell(2), stateful=True), ValueError, r"`stateful` of RNN must be False"),
    (lambda: ks.layers.RNN({"class_name": "NoSuchCell", "config": {}}), ValueError, r"'NoSuchCell' \(among layers\), "
                                                                                    r"which is neither kerasish's"),
    (lambda: ks.layers.StackedRNNCells([]), ValueError, r"`cells` of StackedRNNCells must be a non-empty list"),
    (lambda: ks.layers.RNN(ks.layers.GRUCell(2))(jnp.ones((2, 3))), ValueError, r"expected ndim >= 3"),
    (lambda: ks.layers.RNN(ks.layers.GRUCell(2))(jnp.ones((2, 3, 1)), initial_state=jnp.ones((2, 3))), ValueError,
     r"`initial_state` of layer 'rnn(_\d+)?' must hold 1 array\(s\) of shape\(s\) \(2, 2\), received 1 of "
     r"shape\(s\) \(2, 3\)"),
    (lambda: ks.layers.LSTMCell(0), ValueError, r"`units` must be a positive integer, received 0"),
    (lambda: ks.layers.GRUCell(2, recurrent_dropout=1.0), ValueError, r"`recurrent_dropout` of GRUCell must be a "
                                                                      r"number in \[0.0, 1.0\)"),
    (lambda: ks.layers.SimpleRNNCell(2, seed=-1), ValueError, r"`seed` of SimpleRNNCell must be None or an int >= 0"),
])
def test_rnn_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


@pytest.mark.parametrize("cell, options", [
    ("LSTMCell", dict(return_state=True)), ("GRUCell", dict(return_sequences=True)),
    ("SimpleRNNCell", dict(return_sequences=True, return_state=True)),
])
def test_compute_output_shape_needs_no_build_as_keras(cell, options):
    ours = ks.layers.RNN(getattr(ks.layers, cell)(4), **options)
    theirs = keras.layers.RNN(getattr(keras.layers, cell)(4), **options)
    expected = theirs.compute_output_shape((3, 5, 2))
    got = ours.compute_output_shape((3, 5, 2))
    assert not ours.built
    as_list = lambda s: [tuple(t) for t in s] if isinstance(s[0], (tuple, list)) else tuple(s)
    assert as_list(got) == as_list(expected)


def test_stacked_return_state_shapes_as_keras():
    cells = lambda m: [m.LSTMCell(10), m.GRUCell(4)]
    ours = ks.layers.RNN(cells(ks.layers), return_state=True)
    theirs = keras.layers.RNN(cells(keras.layers), return_state=True)
    expected = theirs.compute_output_shape((2, 3, 5))
    got = ours.compute_output_shape((2, 3, 5))
    assert got[0] == tuple(expected[0]) and [tuple(s) for s in got[1]] == [tuple(s) for s in expected[1]]
    assert tuple(got[2]) == tuple(expected[2])
    output, lstm_states, gru_state = ours(jnp.zeros((2, 3, 5)))
    assert output.shape == (2, 4) and [s.shape for s in lstm_states] == [(2, 10)] * 2 and gru_state.shape == (2, 4)
