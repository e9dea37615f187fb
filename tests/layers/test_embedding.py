import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import check_layer, keras_oracle_error, sample_input

keras = pytest.importorskip("keras")


def test_embedding_layer_contract(seeded):
    check_layer(ks.layers.Embedding(10, 3), (6, 5), (None, 5, 3), dtype="int32", max_id=10)


def test_embedding_matches_keras_for_int_and_float_ids():
    ids = sample_input((3, 4), "int32", max_id=7)
    assert keras_oracle_error(keras.layers.Embedding(7, 5), ks.layers.Embedding(7, 5), ids) == 0.0
    floats = ids.astype(np.float32)
    assert keras_oracle_error(keras.layers.Embedding(7, 5), ks.layers.Embedding(7, 5), floats) == 0.0


def test_embedding_default_initializer_is_keras_uniform(seeded):
    layer = ks.layers.Embedding(50, 40)
    layer(jnp.zeros((1, 1), jnp.int32))
    table = layer.get_weights()[0]
    assert table.shape == (50, 40) and -0.05 <= table.min() < -0.04 and 0.04 < table.max() <= 0.05
    assert layer.get_config()["embeddings_initializer"] == "random_uniform"


def test_embedding_text_classifier_trains_with_int_input(seeded):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, (64, 6)).astype(np.int32)
    y = (x < 10).mean(axis=1).round().astype(np.int32)
    model = ks.Sequential([ks.Input((6,), dtype="int32"), ks.layers.Embedding(20, 4),
                           ks.layers.GlobalAveragePooling1D(), ks.layers.Dense(2, activation="softmax")])
    assert model.output_shape == (None, 2)
    model.compile(optimizer=ks.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=10, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8


def test_embedding_shape_propagation_uses_integer_ids():
    layer = ks.layers.Embedding(5, 2)
    assert layer.build_for((None, 3, 4)) == (None, 3, 4, 2)
    assert layer.compute_output_shape((None,)) == (None, 2)


def test_embedding_regularizer_and_config_round_trip():
    layer = ks.layers.Embedding(4, 2, embeddings_initializer="ones", embeddings_regularizer=ks.regularizers.L1(0.5))
    layer(jnp.zeros((1, 1), jnp.int32))
    np.testing.assert_allclose(layer.regularization_loss(), 0.5 * 8)
    assert ks.layers.Embedding.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.Embedding(0, 3), ValueError, r"`input_dim` must be a positive integer, received 0"),
    (lambda: ks.layers.Embedding(10, 2.0), ValueError, r"`output_dim` must be a positive integer, "
                                                       r"received 2.0"),
    (lambda: ks.layers.Embedding(10, 3, mask_zero="yes"), TypeError, r"`mask_zero` of Embedding must be True or "
                                                                   r"False, received 'yes'"),
    (lambda: ks.layers.Embedding(10, 3, embeddings_initializer="nope"), ValueError, r"nope"),
])
def test_embedding_rejects_bad_config(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
