"""RandomContrast, RandomBrightness, RandomGrayscale, RandomHue, RandomSaturation, RandomColorDegeneration
against Keras 3 (same inputs, same seeds), and their invariants."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

IMAGES = np.random.default_rng(2).uniform(0, 255, (2, 6, 7, 3)).astype("float32")


def both(name, *args, **kwargs):
    return getattr(keras.layers, name)(*args, **kwargs), getattr(ks.layers, name)(*args, **kwargs)


def assert_same(keras_layer, layer, x, **call):
    expected, actual = np.asarray(keras_layer(x, **call)), np.asarray(layer(x, **call))
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name, args, kwargs, scale", [
    ("RandomContrast", (0.5,), {}, 1.0), ("RandomContrast", ((0.2, 0.7),), dict(value_range=(0, 1)), 1 / 255),
    ("RandomBrightness", (0.4,), {}, 1.0), ("RandomBrightness", ((-0.3, 0.1),), dict(value_range=(0, 1)), 1 / 255),
    ("RandomGrayscale", (0.5,), {}, 1.0), ("RandomHue", (0.6,), {}, 1.0),
    ("RandomHue", ((0.1, 0.3),), dict(value_range=(0, 1)), 1 / 255), ("RandomSaturation", (0.6,), {}, 1 / 255),
    ("RandomSaturation", ((0.2, 0.9),), {}, 1 / 255), ("RandomColorDegeneration", (0.7,), {}, 1.0)])
def test_color_layers_match_keras(name, args, kwargs, scale):
    assert_same(*both(name, *args, seed=77, **kwargs), IMAGES * scale)


def test_single_images_integer_images_and_inference():
    assert_same(*both("RandomHue", 0.5, seed=1), IMAGES[0])
    assert_same(*both("RandomGrayscale", 1.0, seed=1), IMAGES.astype("uint8"))
    assert_same(*both("RandomGrayscale", 0.5, seed=1, data_format="channels_first"), IMAGES.transpose(0, 3, 1, 2))
    for name in ["RandomContrast", "RandomBrightness", "RandomHue", "RandomSaturation"]:
        np.testing.assert_array_equal(getattr(ks.layers, name)(0.5)(IMAGES, training=False), IMAGES)


def test_invariants():
    y = np.asarray(ks.layers.RandomBrightness(0.9, seed=3)(IMAGES))
    assert y.min() >= 0 and y.max() <= 255
    delta = y - IMAGES
    unclipped = (y > 0) & (y < 255)
    spread = [np.ptp(delta[i][unclipped[i]]) for i in range(len(y))]  # one delta per image
    assert max(spread) < 1e-3
    flat = np.full((2, 6, 7, 3), 100.0, np.float32)
    np.testing.assert_allclose(ks.layers.RandomContrast(0.9, seed=1)(flat), flat, rtol=1e-6)  # no deviation to scale
    gray = np.asarray(ks.layers.RandomGrayscale(1.0)(IMAGES))
    np.testing.assert_allclose(gray[..., 0], IMAGES @ np.array([0.2989, 0.5870, 0.1140], np.float32), rtol=1e-5)
    assert (gray[..., 0] == gray[..., 2]).all()


def test_argument_errors():
    with pytest.raises(ValueError, match=r"The `factor` argument should be a number .*\[0, 1\]. Received: "
                                         r"factor=1.5 \(layer RandomContrast\)"):
        ks.layers.RandomContrast(1.5)
    with pytest.raises(ValueError, match=r"The `value_range` argument should be a list of two numbers. Received: "
                                         r"value_range=\(0, 1, 2\) \(layer RandomBrightness\)"):
        ks.layers.RandomBrightness(0.1, value_range=(0, 1, 2))
    with pytest.raises(ValueError, match=r"`factor` of RandomGrayscale should be between 0 and 1. Received: factor=2"):
        ks.layers.RandomGrayscale(2)
    with pytest.raises(ValueError, match=r"Input images of layer 'degen' must have 3 channels, but received images "
                                         r"with 4 channels"):
        ks.layers.RandomColorDegeneration(0.1, name="degen")(np.ones((2, 6, 7, 4), np.float32))
    with pytest.raises(ValueError, match=r"Invalid channel size: expected 3 \(RGB\) or 1 \(Grayscale\). Received "
                                         r"input with shape: images.shape=\(1, 2, 2, 2\)"):
        ks.layers.RandomGrayscale(1.0)(np.ones((1, 2, 2, 2), np.float32))
