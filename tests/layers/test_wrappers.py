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


@pytest.mark.parametrize("make", [lambda m: m.Dense(3), lambda m: m.Conv2D(2, 2), lambda m: m.BatchNormalization()],
                         ids=["dense", "conv2d", "batch-normalization"])
@pytest.mark.parametrize("training", [False, True])
def test_time_distributed_matches_keras(make, training):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4, 2)).astype(np.float32)
    ours, theirs = ks.layers.TimeDistributed(make(ks.layers)), keras.layers.TimeDistributed(make(keras.layers))
    theirs(x)
    ours.build_for((None,) + x.shape[1:])
    weights = [(np.abs(np.random.default_rng(i).normal(size=w.shape)) + 0.5).astype(np.float32)
               for i, w in enumerate(theirs.get_weights())]  # positive: valid variances
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(jnp.asarray(x), training=training), theirs(x, training=training), rtol=1e-5,
                               atol=1e-5)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):  # moving statistics included
        np.testing.assert_allclose(mine, keras_weight, rtol=1e-5, atol=1e-6)
    assert ours.compute_output_shape((None,) + x.shape[1:]) == tuple(
        theirs.compute_output_shape((None,) + x.shape[1:]))
    assert ours.get_config().keys() == theirs.get_config().keys()


def test_time_distributed_contract_masks_and_config(seeded):
    layer = ks.layers.TimeDistributed(ks.layers.Dense(2, kernel_constraint="max_norm"))
    check_layer(layer, (4, 3, 5), (None, 3, 2))
    revived = ks.layers.TimeDistributed.from_config(layer.get_config())
    assert revived.get_config() == layer.get_config() and isinstance(revived.layer, ks.layers.Dense)
    ids = ks.Input((None,), dtype="int32")
    embedded = ks.layers.Embedding(6, 3, mask_zero=True)(ids)
    model = ks.Model(ids, ks.layers.LSTM(2)(ks.layers.TimeDistributed(ks.layers.Dense(3))(embedded)))
    # the mask reaches the LSTM through TimeDistributed: the padded steps are skipped
    np.testing.assert_allclose(model(jnp.array([[1, 2, 0, 0]], jnp.int32)), model(jnp.array([[1, 2]], jnp.int32)),
                               atol=1e-6)


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.TimeDistributed("dense"),
     r"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance \(a kerasish Layer\). "
     r"Received: 'dense'"),
    (lambda: ks.layers.Wrapper(3), r"Layer 3 supplied to Wrapper isn't a supported layer type"),
    (lambda: ks.layers.TimeDistributed(ks.layers.Dense(2))(jnp.ones((2, 3))),
     r"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions"),
    (lambda: ks.layers.TimeDistributed(ks.layers.Dense(2))(jnp.ones((2, 3, 4)), mask=jnp.ones((2, 4), bool)),
     r"The `mask` passed to the `TimeDistributed` layer has a shape \(2, 4\) that is incompatible with the input "
     r"shape: it must start with the input's \(batch, timesteps\) = \(2, 3\)"),
])
def test_time_distributed_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
