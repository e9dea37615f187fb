import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from kerasish.shapes import is_shape
from tests.layers.helpers import check_layer

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("rank, shape, options", [
    (2, (2, 3, 6, 5, 2), dict(padding="same", return_sequences=True)),
    (1, (2, 4, 7, 3), dict(strides=2, return_state=True)),
    (3, (1, 2, 2, 4, 4, 4), dict(data_format="channels_first", go_backwards=True, padding="same")),
    (2, (2, 3, 6, 5, 2), dict(dilation_rate=2, unit_forget_bias=False)),
], ids=["2d-same-sequences", "1d-strides-state", "3d-channels-first-backwards", "2d-dilation"])
def test_conv_lstm_matches_keras(rank, shape, options):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(np.float32)
    name = f"ConvLSTM{rank}D"
    theirs, ours = getattr(keras.layers, name)(3, 3, **options), getattr(ks.layers, name)(3, 3, **options)
    theirs(x)
    ours.build_for((None,) + shape[1:])
    weights = [0.3 * rng.normal(size=w.shape).astype(np.float32) for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    for e, g in zip(jax.tree.leaves(theirs(x)), jax.tree.leaves(ours(jnp.asarray(x))), strict=True):
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-5, atol=1e-5)
    assert ours.get_config().keys() == theirs.get_config().keys()
    expected = theirs.compute_output_shape((None,) + shape[1:])
    got = ours.compute_output_shape((None,) + shape[1:])
    flat = lambda shapes: [tuple(s) for s in jax.tree.leaves(shapes, is_leaf=is_shape)]
    assert flat(got) == flat(expected)
    assert ours.filters == 3 and ours.kernel_size == (3,) * rank  # Keras's properties read the cell


def test_conv_lstm_trains_with_dropout_and_round_trips(seeded):
    layer = ks.layers.ConvLSTM1D(2, 2, dropout=0.2, recurrent_dropout=0.2, kernel_constraint="max_norm")
    check_layer(layer, (4, 3, 5, 2), (None, 4, 2))
    assert ks.layers.ConvLSTM1D.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.ConvLSTM2D(0, 3), r"Invalid value for argument `filters`. Expected a strictly positive value"),
    (lambda: ks.layers.ConvLSTM2D(2, 3, padding="causal"), r"`padding` of ConvLSTMCell must be one of"),
    (lambda: ks.layers.ConvLSTM2D(2, 3)(jnp.ones((1, 2, 4, 4))), r"expected ndim=5, found ndim=4"),
    (lambda: ks.layers.ConvLSTM2D(2, 3)(ks.Input((2, None, 4, 1))), r"ConvLSTM layers only support static input "
                                                                     r"shapes for the spatial dimension"),
    (lambda: ks.layers.ConvLSTM1D(2, 5)(jnp.ones((1, 2, 3, 1))), r"Computed output size would be zero or negative"),
    (lambda: ks.layers.ConvLSTM1D(2, 2, stateful=True), r"`stateful` of ConvLSTM1D must be False"),
])
def test_conv_lstm_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
