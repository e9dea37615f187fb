"""Masks (Keras's convention: True = a real step) made by Embedding(mask_zero) / Masking, handed on by
Sequential and functional models, and consumed by RNNs, GlobalAveragePooling1D, MultiHeadAttention and
BatchNormalization; RNN `initial_state`; MultiHeadAttention's call arguments. Keras 3 is the oracle."""

import warnings

import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import randomize_keras_weights, sample_input

keras = pytest.importorskip("keras")

# Right padding, left padding, holes, and a sequence with no real step at all.
IDS = np.array([[3, 5, 2, 0, 0], [0, 0, 4, 6, 1], [7, 0, 2, 0, 1], [0, 0, 0, 0, 0]], np.int32)


def copy_random_weights(reference, ours, seed=0):
    """Random weights in the Keras model, copied into ours (Keras's order)."""
    rng = np.random.default_rng(seed)
    reference.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in reference.get_weights()])
    ours.set_weights(reference.get_weights())


def max_difference(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def embedded_pair(make_ours, make_keras, functional=False):
    """`Embedding(8, 3, mask_zero=True)` then the layer, as a Keras model and a kerasish one."""
    inputs = keras.Input((5,), dtype="int32")
    reference = keras.Model(inputs, make_keras()(keras.layers.Embedding(8, 3, mask_zero=True)(inputs)))
    if functional:
        x = ks.Input((5,), dtype="int32")
        ours = ks.Model(x, make_ours()(ks.layers.Embedding(8, 3, mask_zero=True)(x)))
    else:
        ours = ks.Sequential([ks.Input((5,), dtype="int32"), ks.layers.Embedding(8, 3, mask_zero=True), make_ours()])
    copy_random_weights(reference, ours)
    return reference, ours


X = sample_input((4, 5, 3))  # float sequences for the layers called alone
MASK = IDS != 0


@pytest.fixture(scope="module", params=[("SimpleRNN", dict(return_sequences=True)), ("GRU", dict(go_backwards=True))],
                ids=["simple-rnn-sequences", "gru-backwards"])
def padded_rnn(request):
    name, config = request.param
    return embedded_pair(lambda: getattr(ks.layers, name)(3, **config),
                         lambda: getattr(keras.layers, name)(3, **config))


def test_rnn_on_padded_sequences_matches_keras(padded_rnn):
    reference, ours = padded_rnn
    got = ours(jnp.asarray(IDS))
    assert max_difference(got, reference(IDS)) < 1e-5
    np.testing.assert_array_equal(got[3], 0.0)  # all padding: the state never leaves zero


def test_rnn_initial_state_with_a_mask_matches_keras(padded_rnn):
    reference, ours = padded_rnn
    h = sample_input((4, 3), seed=3)
    got = ours.layers[-1](jnp.asarray(X), initial_state=jnp.asarray(h), mask=MASK)
    assert max_difference(got, reference.layers[-1](X, initial_state=h, mask=MASK)) < 1e-5
    np.testing.assert_allclose(got[3], np.broadcast_to(h[3], got[3].shape))  # all padding: the initial state


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backwards"])
@pytest.mark.parametrize("zero_output", [False, True], ids=["kept-output", "zero-output"])
def test_rnn_last_output_with_a_mask_matches_keras(go_backwards, zero_output):
    """Without `return_sequences` the output is the final `h` (nothing stacked per step), or zeros where
    `zero_output_for_mask` and the last step read is masked."""
    config = dict(go_backwards=go_backwards, zero_output_for_mask=zero_output)
    reference = keras.layers.LSTM(3, **config)
    reference(X)
    randomize_keras_weights(reference)
    ours = ks.layers.LSTM(3, **config)
    ours.build_for((None, 5, 3))
    ours.set_weights(reference.get_weights())
    got = ours(jnp.asarray(X), mask=MASK)
    assert max_difference(got, reference(X, mask=MASK)) < 1e-5
    last_read = MASK[:, 0] if go_backwards else MASK[:, -1]
    assert (np.all(np.asarray(got)[~last_read] == 0.0)) == zero_output
    assert np.all(np.asarray(got)[last_read] != 0.0)


@pytest.fixture(scope="module")
def padded_bidirectional():
    return embedded_pair(lambda: ks.layers.Bidirectional(ks.layers.GRU(3, return_sequences=True)),
                         lambda: keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True)),
                         functional=True)


def test_bidirectional_on_padded_sequences_matches_keras(padded_bidirectional):
    reference, ours = padded_bidirectional
    got = ours(jnp.asarray(IDS))
    assert max_difference(got, reference(IDS)) < 1e-5
    # Keras's rule: the wrapped layers output zeros at the masked steps of returned sequences.
    assert ours.layers[-1].forward_layer.zero_output_for_mask
    np.testing.assert_array_equal(got[0, 3:], 0.0)


def test_bidirectional_initial_state_matches_keras(padded_bidirectional):
    reference, ours = padded_bidirectional
    states = [sample_input((4, 3), seed=s) for s in (1, 2)]  # forward h, backward h
    got = ours.layers[-1](jnp.asarray(X), initial_state=[jnp.asarray(s) for s in states], mask=MASK)
    assert max_difference(got, reference.layers[-1](X, initial_state=states, mask=MASK)) < 1e-5


@pytest.fixture(scope="module")
def masked_lstm():
    """Masking then LSTM(go_backwards, return_sequences), Keras's and ours with the same weights."""
    reference = keras.Sequential([keras.Input((5, 3)), keras.layers.Masking(),
                                  keras.layers.LSTM(3, go_backwards=True, return_sequences=True)])
    ours = ks.Sequential([ks.Input((5, 3)), ks.layers.Masking(), ks.layers.LSTM(3, go_backwards=True,
                                                                                 return_sequences=True)])
    copy_random_weights(reference, ours)
    return reference, ours


def test_masking_then_lstm_matches_keras(masked_lstm):
    reference, ours = masked_lstm
    x = X * MASK[:, :, None]  # padded steps are all zeros
    x[2, 0, 0] = 0.0  # one feature at 0 is not padding
    assert max_difference(ours(jnp.asarray(x)), reference(x)) < 1e-5
    layer = ks.layers.Masking(mask_value=0.0)
    np.testing.assert_array_equal(layer(jnp.asarray(x)), keras.layers.Masking(mask_value=0.0)(x))
    np.testing.assert_array_equal(layer.compute_mask(jnp.asarray(x), None), MASK)
    assert ks.layers.Masking.from_config(ks.layers.Masking(-1.0).get_config()).mask_value == -1.0


def test_lstm_initial_state_matches_keras_eagerly_and_in_a_functional_model(masked_lstm):
    reference, ours = masked_lstm[0].layers[-1], masked_lstm[1].layers[-1]
    h, c = sample_input((4, 3), seed=1), sample_input((4, 3), seed=2)
    expected = np.asarray(reference(X, initial_state=[h, c]))
    assert max_difference(ours(jnp.asarray(X), initial_state=[jnp.asarray(h), jnp.asarray(c)]), expected) < 1e-5

    sequences, h_in, c_in = ks.Input((5, 3)), ks.Input((3,)), ks.Input((3,))
    model = ks.Model([sequences, h_in, c_in], ours(sequences, initial_state=[h_in, c_in]))
    assert model.output_shape == (None, 5, 3)
    assert max_difference(model([X, h, c]), expected) < 1e-5
    clone = ks.Model.from_config(model.get_config())  # the plan records the keyword tensors
    clone.set_weights(model.get_weights())
    assert max_difference(clone([X, h, c]), expected) < 1e-5


def test_global_average_pooling_with_mask_matches_keras():
    reference, ours = embedded_pair(ks.layers.GlobalAveragePooling1D, keras.layers.GlobalAveragePooling1D)
    got = np.asarray(ours(jnp.asarray(IDS)))
    np.testing.assert_allclose(got, reference(IDS), atol=1e-6)  # equal NaNs: an all-masked mean is 0 / 0 in Keras
    assert np.isnan(got[3]).all() and np.isfinite(got[:3]).all()
    got = ks.layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)(
        jnp.asarray(X).transpose(0, 2, 1), mask=MASK)
    expected = keras.layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)(
        X.transpose(0, 2, 1), mask=MASK)
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_batch_normalization_statistics_skip_masked_steps():
    reference, ours = keras.layers.BatchNormalization(), ks.layers.BatchNormalization()
    reference(X)
    ours.build_for((None, 5, 3))
    got, expected = ours(jnp.asarray(X), training=True, mask=MASK), reference(X, training=True, mask=MASK)
    assert max_difference(got, expected) < 1e-5
    assert max_difference(ours.moving_mean[...], reference.moving_mean) < 1e-6


def test_masks_pass_through_dense_dropout_and_merges():
    def build(module):  # Embedding(mask_zero) -> Dense -> Dropout, added to the embedding, then averaged
        ids = module.Input((5,), dtype="int32")
        embedded = module.layers.Embedding(8, 3, mask_zero=True)(ids)
        dense = module.layers.Dropout(0.5)(module.layers.Dense(3)(embedded))
        merged = module.layers.Add()([dense, embedded])  # the OR of two masks: if one got lost, there is none
        return module.Model(ids, module.layers.GlobalAveragePooling1D()(merged))

    model, reference = build(ks), build(keras)
    copy_random_weights(reference, model)
    assert max_difference(model(jnp.asarray(IDS[:3])), reference(IDS[:3])) < 1e-5
    masks = [jnp.asarray(IDS[:2] != 0), jnp.asarray(IDS[1:3] != 0)]
    values = [jnp.ones((2, 5, 3))] * 2
    np.testing.assert_array_equal(ks.layers.Add().compute_mask(values, masks),
                                  keras.layers.Add().compute_mask(values, masks))
    np.testing.assert_array_equal(ks.layers.Concatenate().compute_mask(values, [masks[0], None]),
                                  keras.layers.Concatenate().compute_mask(values, [masks[0], None]))


def test_nested_models_hand_their_masks_on(seeded):
    encoder = ks.Sequential([ks.layers.Embedding(8, 3, mask_zero=True), ks.layers.Dense(3)])
    model = ks.Sequential([ks.Input((5,), dtype="int32"), encoder, ks.layers.GlobalAveragePooling1D()])
    flat = ks.Sequential([ks.Input((5,), dtype="int32"), ks.layers.Embedding(8, 3, mask_zero=True),
                          ks.layers.Dense(3), ks.layers.GlobalAveragePooling1D()])
    flat.set_weights(model.get_weights())
    expected = flat(jnp.asarray(IDS[:3]))
    np.testing.assert_allclose(model(jnp.asarray(IDS[:3])), expected, atol=1e-6)
    ids = ks.Input((5,), dtype="int32")
    functional = ks.Model(ids, encoder(ids))  # a functional model inside a Sequential
    outer = ks.Sequential([ks.Input((5,), dtype="int32"), functional, ks.layers.GlobalAveragePooling1D()])
    np.testing.assert_allclose(outer(jnp.asarray(IDS[:3])), expected, atol=1e-6)
    # A mask given to a model goes to its first layers: here the mean of the first two steps only.
    pooled = ks.Sequential([ks.Input((5, 3)), ks.layers.Dense(3), ks.layers.GlobalAveragePooling1D()])
    x = jnp.asarray(X)
    two_steps = np.broadcast_to(np.arange(5) < 2, (4, 5))
    np.testing.assert_allclose(pooled(x, mask=two_steps), pooled.layers[0](x)[:, :2].mean(axis=1), atol=1e-6)


def test_a_layer_without_mask_support_drops_the_mask_with_a_warning(seeded):
    model = ks.Sequential([ks.Input((5,), dtype="int32"), ks.layers.Embedding(8, 3, mask_zero=True),
                           ks.layers.Flatten(), ks.layers.Dense(1)])
    with pytest.warns(UserWarning, match=r"Layer 'flatten\w*' \(of type Flatten\) was passed an input with a mask"):
        model(jnp.asarray(IDS))
    quiet = ks.Sequential([ks.Input((5,), dtype="int32"), ks.layers.Embedding(8, 3), ks.layers.Flatten()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet(jnp.asarray(IDS))


# -- MultiHeadAttention -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def attention_pair():
    """A Keras MultiHeadAttention with random weights and its kerasish twin; query (2, 4, 6), value (2, 3, 5)."""
    reference = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    query, value = sample_input((2, 4, 6)), sample_input((2, 3, 5), seed=1)
    reference(query, value)
    randomize_keras_weights(reference)
    ours = ks.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    ours.build((None, 4, 6), (None, 3, 5))
    ours.set_weights(reference.get_weights())
    return reference, ours, query, value


def test_attention_mask_and_causal_mask_match_keras(attention_pair):
    reference, ours, query, value = attention_pair
    attention_mask = np.array([[[1, 0, 1]] * 4, [[1, 1, 0], [0, 0, 0], [1, 1, 1], [0, 1, 0]]], bool)
    inputs = [jnp.asarray(query), jnp.asarray(value)]
    got = ours(*inputs, attention_mask=attention_mask)
    assert max_difference(got, reference(query, value, attention_mask=attention_mask)) < 1e-5
    assert max_difference(ours(*inputs, use_causal_mask=True), reference(query, value, use_causal_mask=True)) < 1e-5
    both = ours(*inputs, attention_mask=attention_mask, use_causal_mask=True)
    assert max_difference(both, reference(query, value, attention_mask=attention_mask, use_causal_mask=True)) < 1e-5
    out, scores = ours(*inputs, attention_mask=attention_mask, return_attention_scores=True)
    expected_out, expected_scores = reference(query, value, attention_mask=attention_mask,
                                              return_attention_scores=True)
    assert scores.shape == (2, 2, 4, 3)
    assert max(max_difference(out, expected_out), max_difference(scores, expected_scores)) < 1e-5


def test_attention_takes_the_query_and_value_masks_from_embeddings():
    def model(module, Input, Model):
        query_ids, value_ids = Input((4,), dtype="int32"), Input((5,), dtype="int32")
        query = module.layers.Embedding(8, 6, mask_zero=True)(query_ids)
        value = module.layers.Embedding(8, 6, mask_zero=True)(value_ids)
        attention = module.layers.MultiHeadAttention(2, 3)
        attended = attention(query, value)
        return Model([query_ids, value_ids], module.layers.GlobalAveragePooling1D()(attended))

    reference, ours = model(keras, keras.Input, keras.Model), model(ks, ks.Input, ks.Model)
    copy_random_weights(reference, ours)
    query_ids, value_ids = IDS[:3, :4] + np.array([[0], [1], [0]], np.int32) * (IDS[:3, :4] == 0), IDS[1:]
    got = ours([jnp.asarray(query_ids), jnp.asarray(value_ids)])
    assert max_difference(got, reference([query_ids, value_ids])) < 1e-5


# -- training -----------------------------------------------------------------------------------------

def test_fit_on_padded_sequences_matches_keras():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 7, 16)
    x = (rng.integers(1, 10, (16, 6)) * (np.arange(6) < lengths[:, None])).astype(np.int32)  # right padding
    y = (lengths > 3).astype(np.float32)[:, None]
    reference = keras.Sequential([keras.Input((6,), dtype="int32"), keras.layers.Embedding(10, 4, mask_zero=True),
                                  keras.layers.LSTM(3), keras.layers.Dense(1, activation="sigmoid")])
    reference.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    ours = ks.Sequential([ks.Input((6,), dtype="int32"), ks.layers.Embedding(10, 4, mask_zero=True), ks.layers.LSTM(3),
                          ks.layers.Dense(1, activation="sigmoid")])
    ours.compile(optimizer=ks.optimizers.SGD(0.1), loss="binary_crossentropy")
    copy_random_weights(reference, ours)
    expected = reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    got = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    for a, b in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# -- errors ----------------------------------------------------------------------------------------------

def test_bad_masks_and_call_arguments_raise_clear_errors(seeded):
    lstm = ks.layers.LSTM(3, name="rnn")
    x = jnp.asarray(X)
    with pytest.raises(ValueError, match=r"Argument `mask` of layer 'rnn' must have shape \(batch, time\) = \(4, 5\), "
                                         r"received a mask of shape \(4, 4\)"):
        lstm(x, mask=MASK[:, :4])
    with pytest.raises(ValueError, match=r"Argument `initial_state` of layer 'rnn' must be 2 array\(s\) \[h, c\] of "
                                         r"shape \(batch, units\) = \(4, 3\), received 1 of shape\(s\) \(4, 3\)"):
        lstm(x, initial_state=[jnp.zeros((4, 3))])
    with pytest.raises(TypeError, match=r"Layer 'rnn' \(LSTM\) cannot be called with these arguments: got an "
                                        r"unexpected keyword argument 'initial_states'"):
        lstm(x, initial_states=[jnp.zeros((4, 3))] * 2)
    attention = ks.layers.MultiHeadAttention(2, 2, name="mha")
    with pytest.raises(ValueError, match=r"Argument `attention_mask` of layer 'mha' must have shape \(batch, target, "
                                         r"source\) = \(1, 3, 2\).*received a mask of shape \(1, 2, 3\)"):
        attention(jnp.ones((1, 3, 4)), jnp.ones((1, 2, 4)), attention_mask=jnp.ones((1, 2, 3), bool))
    with pytest.raises(ValueError, match=r"Argument `value_mask` of layer 'mha' must have shape \(batch, value steps\) "
                                         r"= \(1, 2\)"):
        attention(jnp.ones((1, 3, 4)), jnp.ones((1, 2, 4)), value_mask=jnp.ones((1, 3), bool))
    sequences = ks.Input((5, 3))
    with pytest.raises(TypeError, match=r"concrete array for `initial_state`; in the functional API pass it in "
                                        r"through a ks.Input"):
        lstm(sequences, initial_state=[np.zeros((1, 3))] * 2)
    with pytest.raises(ValueError, match=r"Argument `mask` of layer 'rnn' must be a symbolic tensor in the functional "
                                         r"API"):
        lstm(sequences, mask=np.ones((1, 5), bool))
    with pytest.raises(ValueError, match=r"`mask` of layer 'global_average_pooling1d\w*' must have shape "
                                         r"\(batch, steps\) = \(4, 5\)"):
        ks.layers.GlobalAveragePooling1D()(x, mask=MASK[:2])
    with pytest.raises(TypeError, match=r"`mask_zero` of Embedding must be True or False"):
        ks.layers.Embedding(3, 2, mask_zero=1)
    with pytest.raises(ValueError, match=r"`mask_value` of Masking must be a number, received 'pad'"):
        ks.layers.Masking("pad")
