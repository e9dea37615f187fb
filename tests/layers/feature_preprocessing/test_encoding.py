"""CategoryEncoding against Keras 3 (which computes it without TensorFlow), in compiled steps, and its errors."""

import jax
import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

INPUTS = [np.array([1, 2, 3, 1]), np.array([[0, 1], [3, 3], [2, 0]]), np.array([[1], [0], [3]])]


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_matches_keras(mode):
    for x in INPUTS:
        expected = keras.layers.CategoryEncoding(4, output_mode=mode)(x)
        actual = ks.layers.CategoryEncoding(4, output_mode=mode)(x)
        assert actual.shape == expected.shape and actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)


def test_count_weights_integer_dtype_and_lists_match_keras():
    x, weights = INPUTS[1], np.array([[0.1, 0.2], [0.4, 0.3], [1.5, 2.0]], np.float32)
    np.testing.assert_allclose(ks.layers.CategoryEncoding(4, output_mode="count")(x, count_weights=weights),
                               keras.layers.CategoryEncoding(4, output_mode="count")(x, count_weights=weights))
    ours = ks.layers.CategoryEncoding(4, output_mode="one_hot", dtype="int32")([3, 2, 0])
    theirs = keras.layers.CategoryEncoding(4, output_mode="one_hot", dtype="int32")(np.array([3, 2, 0]))
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_inside_a_compiled_step():
    layer = ks.layers.CategoryEncoding(5, output_mode="multi_hot")
    x = np.array([[0, 4], [2, 2]], np.int32)
    eager = layer(x)
    np.testing.assert_array_equal(jax.jit(lambda v: layer(v))(x), eager)
    model = ks.Sequential([ks.Input((2,), dtype="int32"), ks.layers.CategoryEncoding(5), ks.layers.Dense(1)])
    model.compile("sgd", "mse")
    assert np.isfinite(model.fit(x, np.ones((2, 1)), epochs=1, verbose=0).history["loss"]).all()
    assert model.layers[0].output_shape == (None, 5)


def test_config_and_errors():
    layer = ks.layers.CategoryEncoding(4, output_mode="binary")
    assert layer.output_mode == "multi_hot"
    assert ks.layers.CategoryEncoding.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match=r"num_tokens must be set to use this layer"):
        ks.layers.CategoryEncoding()
    with pytest.raises(ValueError, match=r"`num_tokens` must be >= 1. Received: num_tokens=0"):
        ks.layers.CategoryEncoding(0)
    with pytest.raises(ValueError, match=r"Unknown arg for output_mode: tf_idf"):
        ks.layers.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match=r"`sparse=True` of CategoryEncoding needs sparse tensors"):
        ks.layers.CategoryEncoding(3, sparse=True)
    with pytest.raises(ValueError, match=r"`count_weights` is not used when `output_mode` is not `'count'`"):
        ks.layers.CategoryEncoding(3)(np.array([0, 1]), count_weights=np.ones(2))
    with pytest.raises(ValueError, match=r"Layer 'enc' encodes integers in \[0, 3\) \(num_tokens=3\), received \[-1, "
                                         r"3\]"):
        ks.layers.CategoryEncoding(3, name="enc")(np.array([[0, 3], [-1, 2]]))
    with pytest.raises(ValueError, match=r"Layer 'enc' with output_mode='count' takes inputs of rank 1 or 2"):
        ks.layers.CategoryEncoding(3, output_mode="count", name="enc")(np.zeros((2, 2, 2), int))
