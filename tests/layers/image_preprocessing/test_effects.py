"""RandomErasing and RandomGaussianBlur against Keras 3."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

IMAGES = np.random.default_rng(5).uniform(0, 255, (2, 6, 7, 3)).astype("float32")


@pytest.mark.parametrize("name, kwargs", [
    ("RandomErasing", {}), ("RandomErasing", dict(factor=0.7, scale=0.2, fill_value=10.0)),
    ("RandomGaussianBlur", {}), ("RandomGaussianBlur", dict(factor=0.5, kernel_size=(3, 5), sigma=(0.2, 0.9)))])
def test_matches_keras(name, kwargs):
    expected = np.asarray(getattr(keras.layers, name)(seed=3, **kwargs)(IMAGES))
    np.testing.assert_allclose(getattr(ks.layers, name)(seed=3, **kwargs)(IMAGES), expected, rtol=1e-5, atol=1e-4)


def test_invariants_configs_and_errors():
    erased = np.asarray(ks.layers.RandomErasing(fill_value=[1.0, 2.0, 3.0], seed=0)(IMAGES))
    changed = erased != IMAGES
    np.testing.assert_array_equal(erased[changed], np.broadcast_to([1.0, 2.0, 3.0], IMAGES.shape)[changed])
    flat = np.full((2, 5, 5, 1), 4.0, np.float32)
    np.testing.assert_allclose(ks.layers.RandomGaussianBlur(seed=0)(flat)[:, 1:-1, 1:-1], 4.0, rtol=1e-6)
    for layer in [ks.layers.RandomErasing(0.5, scale=(0.1, 0.2), fill_value=3.0), ks.layers.RandomGaussianBlur(0.5)]:
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match=r"The `scale` argument should be a number \(or a list of two numbers\) in "
                                         r"the range \[0, 1\]. Received: factor=2"):
        ks.layers.RandomErasing(scale=2)
    with pytest.raises(ValueError, match=r"The `fill_value` argument should be a number \(or a list of three "
                                         r"numbers\). Received: fill_value=\[1, 2\]"):
        ks.layers.RandomErasing(fill_value=[1, 2])
    with pytest.raises(ValueError, match=r"kernel_size must be an odd number \(or a pair of odd numbers\). Received: "
                                         r"kernel_size=4"):
        ks.layers.RandomGaussianBlur(kernel_size=4)
