import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
Q, V, K = (RNG.normal(size=s).astype(np.float32) for s in ((2, 4, 3), (2, 5, 3), (2, 5, 3)))
Q_MASK = np.array([[1, 1, 0, 1], [1, 0, 1, 1]], bool)
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], bool)


@pytest.mark.parametrize("name, config", [
    ("Attention", {}), ("Attention", dict(use_scale=True, score_mode="concat")), ("Attention", dict(use_scale=True)),
    ("AdditiveAttention", {}), ("AdditiveAttention", dict(use_scale=False)),
])
@pytest.mark.parametrize("call", [{}, dict(use_causal_mask=True), dict(mask=[Q_MASK, V_MASK]),
                                  dict(mask=[None, V_MASK], return_attention_scores=True)],
                         ids=["plain", "causal", "masks", "value-mask-scores"])
def test_attention_matches_keras(name, config, call):
    theirs, ours = getattr(keras.layers, name)(**config), getattr(ks.layers, name)(**config)
    theirs([Q, V, K])
    ours.build_for([Q.shape, V.shape, K.shape])
    weights = [RNG.normal(size=w.shape).astype(np.float32) for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    expected, got = theirs([Q, V, K], **call), ours([jnp.asarray(Q), jnp.asarray(V), jnp.asarray(K)], **call)
    for e, g in zip(jax.tree.leaves(expected), jax.tree.leaves(got), strict=True):
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-5, atol=1e-6)
    assert ours.get_config().keys() == theirs.get_config().keys()
    assert ours.compute_output_shape([Q.shape, V.shape]) == tuple(theirs.compute_output_shape([Q.shape, V.shape]))


def test_attention_dropout_and_training_in_a_model(seeded):
    query, value = ks.Input((4, 3)), ks.Input((5, 3))
    attended = ks.layers.Attention(dropout=0.5, seed=1)([query, value])
    model = ks.Model([query, value], ks.layers.Dense(1)(ks.layers.Flatten()(attended)))
    model.compile("sgd", "mse")
    history = model.fit([Q, V], np.ones((2, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    layer = ks.layers.Attention(dropout=0.5, seed=1)
    inference = layer([jnp.asarray(Q), jnp.asarray(V)])
    trained = layer([jnp.asarray(Q), jnp.asarray(V)], training=True)
    assert not np.allclose(inference, trained)


def test_additive_attention_weights_and_mask_propagation():
    layer = ks.layers.AdditiveAttention()
    layer([jnp.asarray(Q), jnp.asarray(V)])
    assert [w.shape for w in layer.get_weights()] == [(3,)]
    assert layer.compute_mask(None, [jnp.asarray(Q_MASK), None]) is not None


@pytest.mark.parametrize("make, pattern", [
    (lambda: ks.layers.Attention(score_mode="add"), r"Invalid value for argument score_mode. Expected one of "
                                                    r"\{'dot', 'concat'\}. Received: score_mode='add'"),
    (lambda: ks.layers.Attention()([jnp.ones((1, 2, 3))] * 2, mask=jnp.ones((1, 2), bool)),
     r"Attention layer mask must be a list, namely \[query_mask, value_mask\]"),
    (lambda: ks.layers.Attention(dropout=1.0), r"`dropout` of Attention must be a number in \[0.0, 1.0\)"),
    (lambda: ks.layers.Attention()(jnp.ones((2, 3, 4))), r"Attention layer must be called on a list of inputs"),
    (lambda: ks.layers.Attention()([jnp.ones((2, 3, 4))] * 4), r"accepts inputs list of length 2 or 3.*length: 4"),
    (lambda: ks.layers.AdditiveAttention()([jnp.ones((2, 3, 4)), jnp.ones((2, 5, 3))]),
     r"needs query and key with the same last axis"),
    (lambda: ks.layers.Attention()([jnp.ones((2, 3, 4)), jnp.ones((2, 5, 4)), jnp.ones((2, 6, 4))]),
     r"needs value and key with the same number of steps"),
    (lambda: ks.layers.Attention()([jnp.ones((2, 3, 4)), jnp.ones((2, 5, 4))], mask=[None, jnp.ones((2, 4), bool)]),
     r"`mask\[1\]` of layer 'attention(_\d+)?' must have shape \(batch, Tv\) = \(2, 5\)"),
])
def test_attention_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
