"""Layer calls bound as Keras 3 binds them (kerasish/layers/call_arguments.py, building.py, Layer.__call__): several
tensors positionally or by name, eagerly and in functional models, masks, `training` through nested calls, `build`
called directly or with several shapes. Keras 3 is the oracle where it computes a value."""

import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import randomize_keras_weights, sample_input

keras = pytest.importorskip("keras")


def _two_inputs(module):
    class Blend(module.layers.Layer):
        """`a * w + b`: two tensor arguments and a mask argument, as a Keras user writes them."""

        def build(self, a_shape, b_shape):
            self.w = self.add_weight(shape=(a_shape[-1],), initializer="ones", name="w")

        def call(self, a, b, mask=None):
            return a * self.w + b

    return Blend


def test_a_layer_takes_several_tensors_positionally_or_by_name():
    Blend = _two_inputs(ks)
    a, b = sample_input((2, 3)), sample_input((2, 3), seed=1)
    expected = a + b
    for call in (lambda layer: layer(a, b), lambda layer: layer(a=a, b=b), lambda layer: layer(a, b=b)):
        layer = Blend()
        np.testing.assert_allclose(call(layer), expected, rtol=1e-6)
        assert layer.built and layer.get_build_config() == {"shapes_dict": {"a_shape": (None, 3),
                                                                            "b_shape": (None, 3)}}


def test_a_layer_of_several_tensors_in_a_functional_model_matches_keras(seeded):
    outputs = {}
    for module in (keras, ks):
        Blend = _two_inputs(module)
        a, b = module.Input((3,)), module.Input((3,))
        model = module.Model([a, b], Blend()(a, b=b))
        x = [sample_input((4, 3)), sample_input((4, 3), seed=2)]
        outputs[module] = np.asarray(model.predict(x, verbose=0))
        assert model.count_params() == 3
    np.testing.assert_allclose(outputs[ks], outputs[keras], rtol=1e-6)


def test_multi_head_attention_called_as_keras_3_in_a_functional_model(seeded):
    query, value = sample_input((2, 4, 6)), sample_input((2, 3, 5), seed=1)
    reference = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    reference(query, value)
    randomize_keras_weights(reference)
    q, v = ks.Input((4, 6)), ks.Input((3, 5))
    attention = ks.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    model = ks.Model([q, v], attention(query=q, value=v, key=v))
    attention.set_weights(reference.get_weights())
    np.testing.assert_allclose(model.predict([query, value], verbose=0), reference(query, value, value), atol=1e-5)


def test_training_reaches_sublayers_called_without_it():
    """Keras's call context: a Dropout inside a custom layer trains when the outer call trains."""
    class Block(ks.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dropout = ks.layers.Dropout(0.5, seed=1)

        def call(self, x):
            return self.dropout(x)

    block, x = Block(), jnp.ones((4, 8))
    np.testing.assert_array_equal(block(x), x)  # inference by default
    trained = np.asarray(block(x, training=True))
    assert set(np.unique(trained)) == {0.0, 2.0}
    np.testing.assert_array_equal(block(x, training=False), x)


def test_a_none_training_default_is_left_to_call():
    seen = []

    class Probe(ks.layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    Probe()(jnp.ones((1, 2)))
    assert seen[-1] is None  # the last entry is the call's (building traced it before)
    Probe()(jnp.ones((1, 2)), True)  # by position, as `call` names it
    assert seen[-1] is True


def test_build_called_directly_leaves_the_layer_built():
    dense = ks.layers.Dense(3)
    dense.build((None, 4))
    assert dense.built and [w.shape for w in dense.weights] == [(4, 3), (3,)]
    assert dense(jnp.ones((2, 4))).shape == (2, 3)
    assert dense.get_build_config() == {"input_shape": (None, 4)}


def test_a_layer_whose_sublayers_wait_for_the_first_call_is_built_by_it():
    class Block(ks.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = ks.layers.Dense(2)

        def call(self, x):
            return self.inner(x)

    model = ks.Sequential([ks.Input((3,)), Block()])
    assert model.count_params() == 8 and model.output_shape == (None, 2)


def test_masks_are_attached_as_keras_attaches_them():
    ids = np.array([[3, 1, 0], [2, 0, 0]])
    embedded = ks.layers.Embedding(5, 4, mask_zero=True)(ids)
    np.testing.assert_array_equal(embedded._keras_mask, ids != 0)
    reference = keras.layers.Embedding(5, 4, mask_zero=True)
    np.testing.assert_array_equal(embedded._keras_mask, reference(ids)._keras_mask)
    symbolic = ks.layers.Embedding(5, 4, mask_zero=True)(ks.Input((None,), dtype="int32"))
    assert symbolic._keras_mask.shape == (None, None) and symbolic._keras_mask.dtype == np.bool_


def test_an_attached_mask_reaches_the_next_layer_as_keras_hands_it_on():
    ids = np.array([[3, 1, 0, 0], [2, 4, 1, 0]])
    lstm_outputs = {}
    for module in (keras, ks):
        module.utils.set_random_seed(0)
        embedding, lstm = module.layers.Embedding(5, 4, mask_zero=True), module.layers.LSTM(3)
        lstm_outputs[module] = (embedding, lstm, lambda e=embedding, r=lstm: r(e(ids)))
        lstm_outputs[module][2]()
    (k_emb, k_lstm, _), (o_emb, o_lstm, run) = lstm_outputs[keras], lstm_outputs[ks]
    o_emb.set_weights(k_emb.get_weights())
    o_lstm.set_weights(k_lstm.get_weights())
    np.testing.assert_allclose(run(), k_lstm(k_emb(ids)), atol=1e-5)  # padded steps skipped in both


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.Dense(2)(jnp.ones((1, 3)), jnp.ones((1, 3))), TypeError,
     r"Layer 'dense\w*' \(Dense\) cannot be called with these arguments: too many positional arguments"),
    (lambda: ks.layers.Dense(2)(), TypeError, r"cannot be called with these arguments: missing a required argument"),
    (lambda: _two_inputs(ks)()(b=jnp.ones((1, 2))), TypeError, r"missing a required argument: 'a'"),
])
def test_bad_calls_name_the_layer_and_what_call_accepts(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_a_build_with_several_arguments_needs_shape_suffixes_naming_call_arguments():
    class NoSuffix(ks.layers.Layer):
        def build(self, a, b_shape):
            pass

        def call(self, a, b):
            return a

    class Unknown(ks.layers.Layer):
        def build(self, a_shape, c_shape):
            pass

        def call(self, a, b):
            return a

    x = jnp.ones((1, 2))
    with pytest.raises(ValueError, match=r"Received `build\(\)` argument `a`, which does not end in `_shape`"):
        NoSuffix()(x, x)
    with pytest.raises(ValueError, match=r"`build\(\)` argument `c_shape`, but `call\(\)` does not have argument `c`"):
        Unknown()(x, x)


def test_call_extra_positional_arguments_only_through_star_args_are_refused():
    class Star(ks.layers.Layer):
        def call(self, x, *rest):
            return x

    with pytest.raises(TypeError, match=r"extra positional argument\(s\) that its `call` takes only through `\*rest`"):
        Star()(jnp.ones((1, 2)), jnp.ones((1, 2)))


def test_a_concrete_mask_in_the_functional_api_is_refused():
    with pytest.raises(ValueError, match=r"Argument `mask` of layer 'lstm\w*' must be a symbolic tensor in the "
                                         r"functional API"):
        ks.layers.LSTM(2)(ks.Input((3, 2)), mask=np.ones((1, 3), bool))
