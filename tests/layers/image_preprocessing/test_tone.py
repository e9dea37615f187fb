"""RandomInvert, RandomPosterization, Solarization, AutoContrast, RandomSharpness against Keras 3."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

IMAGES = np.random.default_rng(4).uniform(0, 255, (2, 6, 7, 3)).astype("float32")


def assert_same(name, x, *args, call=None, **kwargs):
    expected = np.asarray(getattr(keras.layers, name)(*args, **kwargs)(x, **(call or {})))
    actual = np.asarray(getattr(ks.layers, name)(*args, **kwargs)(x, **(call or {})))
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name, args, kwargs", [
    ("RandomInvert", (0.5,), {}), ("RandomPosterization", (6,), {}), ("RandomPosterization", ((3, 3),), {}),
    ("Solarization", ((0.1, 0.3), (0.2, 0.9)), {}), ("RandomSharpness", (0.8,), {}),
    ("RandomSharpness", (0.8,), dict(data_format="channels_first"))])
def test_matches_keras(name, args, kwargs):
    x = IMAGES.transpose(0, 3, 1, 2) if kwargs.get("data_format") == "channels_first" else IMAGES
    assert_same(name, x, *args, seed=5, **kwargs)


def test_auto_contrast_matches_keras_and_always_applies():
    assert_same("AutoContrast", IMAGES)
    assert_same("AutoContrast", IMAGES / 255, value_range=(0, 1))
    assert_same("AutoContrast", IMAGES.astype("uint8"), call=dict(training=False))
    flat = np.full((1, 2, 2, 1), 7.0, np.float32)
    np.testing.assert_array_equal(ks.layers.AutoContrast()(flat), flat)  # no range to stretch: unchanged


def test_single_images_and_inference():
    assert_same("Solarization", IMAGES[0], 0.5, 0.5, seed=1)
    np.testing.assert_array_equal(ks.layers.RandomInvert()(IMAGES, training=False), IMAGES)
    np.testing.assert_array_equal(ks.layers.Solarization(0.5)(IMAGES, training=False), IMAGES)
    inverted = ks.layers.RandomInvert(factor=(1.0, 1.0), value_range=(0, 1))(IMAGES / 255)
    np.testing.assert_allclose(inverted, 1 - IMAGES / 255, rtol=1e-6)


def test_configs_and_errors():
    for layer in [ks.layers.RandomInvert(0.3, seed=1), ks.layers.RandomPosterization(4),
                  ks.layers.Solarization(0.2, (0.1, 0.5)), ks.layers.AutoContrast((0, 1)),
                  ks.layers.RandomSharpness(0.4)]:
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match=r"The `addition_factor` and `threshold_factor` arguments should be a number "
                                         r".*Received: threshold_factor=1.5"):
        ks.layers.Solarization(threshold_factor=1.5)
    with pytest.raises(ValueError, match=r"The `factor` argument should be a number .*\[1, 8\]. Received: factor=9"):
        ks.layers.RandomPosterization(9)
    with pytest.raises(ValueError, match=r"The `value_range` argument should be a list of two numbers. Received: "
                                         r"value_range=255"):
        ks.layers.AutoContrast(255)
