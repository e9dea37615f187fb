"""RandomRotation, RandomZoom, RandomTranslation, RandomShear against Keras 3 (same inputs, same seeds)."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

IMAGES = np.random.default_rng(1).uniform(0, 255, (2, 6, 7, 3)).astype("float32")


def both(name, *args, **kwargs):
    return getattr(keras.layers, name)(*args, **kwargs), getattr(ks.layers, name)(*args, **kwargs)


def assert_same(keras_layer, layer, x, **call):
    expected, actual = np.asarray(keras_layer(x, **call)), np.asarray(layer(x, **call))
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-3)  # warps: a few float32 ulps of 255


def test_random_rotation_matches_keras_in_fill_modes():
    for fill_mode in ["wrap", "constant"]:  # every mode is map_coordinates' own; reflect is the default elsewhere
        assert_same(*both("RandomRotation", 0.3, fill_mode=fill_mode, fill_value=5.0, seed=2), IMAGES)


@pytest.mark.parametrize("name, args, interpolation", [
    ("RandomRotation", ((-0.2, 0.4),), "nearest"), ("RandomZoom", (0.3,), "bilinear"),
    ("RandomZoom", (0.3, (-0.2, 0.4)), "nearest"), ("RandomTranslation", (0.3, 0.2), "bilinear"),
    ("RandomShear", (0.3, 0.2), "bilinear")])
def test_affine_layers_match_keras(name, args, interpolation):
    assert_same(*both(name, *args, interpolation=interpolation, seed=11), IMAGES)


def test_single_images_channels_first_and_inference():
    assert_same(*both("RandomRotation", 0.3, seed=1), IMAGES[0])
    assert_same(*both("RandomZoom", 0.3, seed=1, data_format="channels_first"), IMAGES.transpose(0, 3, 1, 2))
    for name, args in [("RandomRotation", (0.3,)), ("RandomTranslation", (0.3, 0.3))]:
        np.testing.assert_array_equal(getattr(ks.layers, name)(*args)(IMAGES, training=False), IMAGES)


def test_a_keras_transformation_applies_the_same_way():
    keras_layer, layer = both("RandomRotation", 0.25, seed=3)
    transformation = keras_layer.get_random_transformation(IMAGES, training=True)
    ours = {k: np.asarray(v) if hasattr(v, "shape") else v for k, v in transformation.items()}
    np.testing.assert_allclose(layer.transform_images(IMAGES, ours),
                               keras_layer.transform_images(IMAGES, transformation), rtol=1e-5, atol=1e-3)


def test_zero_factors_are_the_identity_and_translation_moves_pixels():
    x = np.arange(2 * 6 * 7, dtype=np.float32).reshape(2, 6, 7, 1)
    np.testing.assert_allclose(ks.layers.RandomRotation(0.0)(x), x, atol=1e-4)
    np.testing.assert_allclose(ks.layers.RandomZoom(0.0)(x), x, atol=1e-4)
    shifted = ks.layers.RandomTranslation((0.2, 0.2), 0.0, fill_mode="constant", interpolation="nearest")(x)  # 1.2 rows
    np.testing.assert_allclose(np.asarray(shifted)[:, 1:], x[:, :-1], atol=1e-4)
    np.testing.assert_allclose(np.asarray(shifted)[:, 0], 0.0)


def test_configs_round_trip_with_keras_keys():
    for name, args in [("RandomRotation", (0.2,)), ("RandomZoom", (0.2, 0.1)), ("RandomTranslation", (0.1, 0.2)),
                       ("RandomShear", (0.1, 0.2))]:
        keras_layer, layer = both(name, *args, seed=4)
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
        for key in set(keras_layer.get_config()) - {"dtype", "trainable", "name", "x_factor", "y_factor"}:
            assert np.allclose(config[key], keras_layer.get_config()[key]) if isinstance(config[key], (tuple, float))\
                else config[key] == keras_layer.get_config()[key], key


def test_argument_errors():
    with pytest.raises(ValueError, match=r"The `factor` argument should be a number \(or a list of two numbers\) in "
                                         r"the range \[-1, 1\]. Received: factor=1.5 \(layer RandomRotation\)"):
        ks.layers.RandomRotation(1.5)
    with pytest.raises(ValueError, match=r"The `height_factor` and `width_factor` arguments should be a number .*"
                                         r"\(-1.0, 1.0\]. Received: height_factor=-1.0"):
        ks.layers.RandomZoom(-1.0)
    with pytest.raises(ValueError, match=r"Received: width_factor=\(0.1, 0.2, 0.3\) \(layer RandomTranslation\)"):
        ks.layers.RandomTranslation(0.1, (0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match=r"in the range \[0.0, 1.0\]. Received: x_factor=-0.5 \(layer RandomShear\)"):
        ks.layers.RandomShear(-0.5)
    with pytest.raises(ValueError, match=r"`fill_mode` of RandomZoom must be one of \['reflect', 'wrap', 'constant', "
                                         r"'nearest'\], received 'mirror'"):
        ks.layers.RandomZoom(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match=r"`interpolation` of RandomRotation must be one of .*received 'bicubic'"):
        ks.layers.RandomRotation(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match=r"`fill_value` of RandomTranslation must be a number, received 'black'"):
        ks.layers.RandomTranslation(0.1, 0.1, fill_value="black")
