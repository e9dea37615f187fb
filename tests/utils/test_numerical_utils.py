"""kerasish.utils.numerical_utils: to_categorical and normalize, against Keras."""

import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("labels,num_classes", [([0, 2, 1, 2], None), (np.array([[1], [0], [3]]), 5),
                                                (np.array([[0, 1], [1, 1]]), 2), ([1.0, 0.0], None)])
def test_to_categorical_matches_keras(labels, num_classes):
    got = ks.utils.to_categorical(labels, num_classes)
    expected = keras.utils.to_categorical(labels, num_classes)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_to_categorical_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"`x` of to_categorical holds label 3, outside \[0, 3\)"):
        ks.utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="holds label -1"):
        ks.utils.to_categorical([0, -1])
    with pytest.raises(ValueError, match="whole-number class labels, received values such as 0.5"):
        ks.utils.to_categorical([0.5, 1])
    with pytest.raises(ValueError, match="`num_classes` of to_categorical must be a positive int or None, received 0"):
        ks.utils.to_categorical([0], num_classes=0)
    with pytest.raises(ValueError, match="integer class labels, received an array of dtype <U1"):
        ks.utils.to_categorical(["a"])


@pytest.mark.parametrize("axis,order", [(-1, 2), (1, 1), (-1, np.inf)])  # Keras mishandles axis=0
def test_normalize_matches_keras(axis, order):
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    x[1] = 0.0  # a zero row stays zero
    np.testing.assert_allclose(ks.utils.normalize(x, axis, order), keras.utils.normalize(x, axis, order), rtol=1e-6)
    assert isinstance(ks.utils.normalize(jnp.asarray(x)), type(jnp.zeros(1)))  # JAX in, JAX out
    with pytest.raises(ValueError, match=r"`axis` of normalize must be an axis of `x` \(rank 2\), received 2"):
        ks.utils.normalize(x, axis=2)
