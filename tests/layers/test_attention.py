import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import randomize_keras_weights, sample_input

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("config, with_key", [
    (dict(num_heads=2, key_dim=3), False),
    (dict(num_heads=3, key_dim=2, output_shape=5), True),
    (dict(num_heads=2, key_dim=3, use_bias=False, output_shape=(2, 3)), True),
])
def test_multi_head_attention_matches_keras(config, with_key):
    query, value, key = sample_input((2, 4, 6)), sample_input((2, 3, 5), seed=1), sample_input((2, 3, 7), seed=2)
    reference = keras.layers.MultiHeadAttention(**config)
    expected = reference(query, value, key) if with_key else reference(query, value)
    randomize_keras_weights(reference)
    expected = np.asarray(reference(query, value, key) if with_key else reference(query, value))
    ours = ks.layers.MultiHeadAttention(**config)
    inputs = [query, value, key] if with_key else [query, value]
    ours.build(*[(None,) + t.shape[1:] for t in inputs])
    assert ours.built
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in reference.get_weights()]
    ours.set_weights(reference.get_weights())
    got = np.asarray(ours(*[jnp.asarray(t) for t in inputs]))
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected)) < 1e-5


def test_multi_head_attention_value_dim():
    # keras 3.15's JAX backend fails on value_dim != key_dim (jax.nn.dot_product_attention needs equal head
    # sizes), so this case is checked against the weight layout and a NumPy reference instead.
    layer = ks.layers.MultiHeadAttention(3, 2, value_dim=4, output_shape=5)
    query, value = sample_input((2, 4, 6)), sample_input((2, 3, 5), seed=1)
    out = np.asarray(layer(jnp.asarray(query), jnp.asarray(value)))
    assert [w.shape for w in layer.get_weights()] == [(6, 3, 2), (3, 2), (5, 3, 2), (3, 2), (5, 3, 4), (3, 4),
                                                      (3, 4, 5), (5,)]
    qk, qb, kk, kb, vk, vb, ok, ob = layer.get_weights()
    q = np.einsum("abc,cde->abde", query, qk) + qb
    k = np.einsum("abc,cde->abde", value, kk) + kb
    v = np.einsum("abc,cde->abde", value, vk) + vb
    scores = np.einsum("abnd,aend->anbe", q, k) / np.sqrt(2.0)
    probs = np.exp(scores - scores.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    expected = np.einsum("anbe,aenv,nvo->abo", probs, v, ok) + ob
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_multi_head_attention_trains_in_a_functional_model(seeded):
    inputs = ks.Input((5, 4))
    attention = ks.layers.MultiHeadAttention(2, 3, dropout=0.1, seed=0)
    attended = attention(inputs, inputs)
    assert attended.shape == (None, 5, 4)
    model = ks.Model(inputs, ks.layers.Dense(1)(ks.layers.Flatten()(attended)))
    model.compile(optimizer=ks.optimizers.SGD(0.01), loss="mse")
    x = sample_input((8, 5, 4))
    before = [np.asarray(w[...]) for w in attention.trainable_weights]
    history = model.fit(x, np.ones((8, 1), np.float32), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(not np.array_equal(a, np.asarray(w[...])) for a, w in zip(before, attention.trainable_weights))
    np.testing.assert_array_equal(model(x), model(x))  # no dropout in inference


def test_multi_head_attention_config_round_trip():
    layer = ks.layers.MultiHeadAttention(2, 3, value_dim=5, output_shape=(4,), kernel_regularizer="l2", seed=1)
    assert ks.layers.MultiHeadAttention.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.MultiHeadAttention(0, 2), ValueError, r"`num_heads` must be a positive"),
    (lambda: ks.layers.MultiHeadAttention(2, 2, output_shape="x"), ValueError, r"`output_shape` of MultiHead"),
    (lambda: ks.layers.MultiHeadAttention(2, 2)(jnp.ones((1, 3, 4))), TypeError, r"missing a required argument: "
     r"'value'"),
    (lambda: ks.layers.MultiHeadAttention(2, 2)([jnp.ones((1, 3, 4)), jnp.ones((1, 2, 4))]), TypeError,
     r"missing a required argument: 'value'"),
    (lambda: ks.layers.MultiHeadAttention(2, 2)([jnp.ones((1, 3, 4))] * 2, jnp.ones((1, 2, 4))), ValueError,
     r"takes the query, value and key as separate arguments, as Keras 3: layer\(query, value\)"),
    (lambda: ks.layers.MultiHeadAttention(2, 2)(jnp.ones((1, 3, 4)), jnp.ones((1, 2, 4)), jnp.ones((1, 3, 4))),
     ValueError, r"same sequence length"),
    (lambda: ks.layers.MultiHeadAttention(2, 2).build((None, 3, 4)), ValueError, r"needs the value's shape too"),
])
def test_multi_head_attention_rejects_bad_config(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
