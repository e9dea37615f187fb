"""Resizing, CenterCrop, RandomCrop, RandomFlip against Keras 3 (same inputs, same seeds)."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, (2, 6, 7, 3)).astype("float32")


def both(name, *args, **kwargs):
    return getattr(keras.layers, name)(*args, **kwargs), getattr(ks.layers, name)(*args, **kwargs)


def assert_same(keras_layer, layer, x, atol=1e-5, **call):
    expected, actual = np.asarray(keras_layer(x, **call)), np.asarray(layer(x, **call))
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=atol)


@pytest.mark.parametrize("size, kwargs", [
    ((4, 5), dict(interpolation="bilinear")), ((8, 3), dict(interpolation="nearest")),
    ((4, 5), dict(interpolation="bicubic")), ((4, 5), dict(interpolation="lanczos3", antialias=True)),
    ((4, 5), dict(crop_to_aspect_ratio=True)), ((8, 3), dict(crop_to_aspect_ratio=True)),
    ((4, 5), dict(pad_to_aspect_ratio=True, fill_value=3.0)), ((8, 3), dict(pad_to_aspect_ratio=True))])
def test_resizing_matches_keras(size, kwargs):
    assert_same(*both("Resizing", *size, **kwargs), IMAGES)


def test_resizing_keeps_integer_images_and_formats():
    assert_same(*both("Resizing", 4, 5), IMAGES.astype("uint8"))
    assert_same(*both("Resizing", 4, 5), IMAGES[0])
    assert_same(*both("Resizing", 4, 5, data_format="channels_first"), IMAGES.transpose(0, 3, 1, 2))


@pytest.mark.parametrize("size", [(4, 5), (8, 5), (6, 7)])
def test_center_crop_matches_keras(size):
    assert_same(*both("CenterCrop", *size), IMAGES)
    assert_same(*both("CenterCrop", *size), IMAGES.astype("uint8"))


@pytest.mark.parametrize("seed", [0, 1234])
def test_random_crop_matches_keras(seed):
    assert_same(*both("RandomCrop", 4, 5, seed=seed), IMAGES)
    assert_same(*both("RandomCrop", 8, 8, seed=seed), IMAGES)  # smaller input: centre crop and resize
    assert_same(*both("RandomCrop", 4, 5, seed=seed), IMAGES, training=False)  # inference: unchanged, as Keras


@pytest.mark.parametrize("mode, seed", [("horizontal", 0), ("vertical", 3), ("horizontal_and_vertical", 3)])
def test_random_flip_matches_keras(mode, seed):
    assert_same(*both("RandomFlip", mode, seed=seed), IMAGES)
    assert_same(*both("RandomFlip", mode, seed=seed), IMAGES[0])
    assert_same(*both("RandomFlip", mode, seed=seed, data_format="channels_first"), IMAGES.transpose(0, 3, 1, 2))


def test_random_flip_flips_about_half_the_images_and_each_image_alike():
    x = np.broadcast_to(np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1), (400, 2, 4, 1))
    y = np.asarray(ks.layers.RandomFlip("horizontal", seed=5)(x))
    flipped = (y == x[:, :, ::-1]).all(axis=(1, 2, 3))
    assert ((y == x).all(axis=(1, 2, 3)) | flipped).all()
    assert 0.4 < flipped.mean() < 0.6


def test_random_flip_moves_masks_with_images_and_keeps_their_dtype():
    masks = np.arange(2 * 6 * 7).reshape(2, 6, 7, 1).astype("int32")
    out = ks.layers.RandomFlip(seed=1)({"images": IMAGES, "segmentation_masks": masks, "labels": np.arange(2)})
    flipped = np.asarray(out["images"])[..., :1] != IMAGES[..., :1]
    assert out["segmentation_masks"].dtype == np.int32
    np.testing.assert_array_equal(np.asarray(out["labels"]), np.arange(2))
    moved = np.asarray(out["segmentation_masks"]) != masks
    np.testing.assert_array_equal(flipped.any(axis=(1, 2, 3)), moved.any(axis=(1, 2, 3)))


def test_configs_round_trip_with_keras_keys():
    for name, args in [("Resizing", (4, 5)), ("CenterCrop", (4, 5)), ("RandomCrop", (4, 5)), ("RandomFlip", ())]:
        keras_layer, layer = both(name, *args, seed=7) if name.startswith("Random") else both(name, *args)
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
        keras_keys = set(keras_layer.get_config()) - {"dtype", "trainable", "name"}
        assert keras_keys <= set(config), keras_keys - set(config)


def test_argument_errors():
    with pytest.raises(ValueError, match=r"`interpolation` of Resizing must be one of .*received 'cubic'"):
        ks.layers.Resizing(2, 2, interpolation="cubic")
    with pytest.raises(ValueError, match=r"Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio`"):
        ks.layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match=r"`fill_mode` of Resizing must be one of \['constant'\], received 'wrap'"):
        ks.layers.Resizing(2, 2, fill_mode="wrap")
    with pytest.raises(ValueError,
                       match=r"Argument `height` must be a positive integer, received 0 \(layer CenterCrop\)"):
        ks.layers.CenterCrop(0, 2)
    with pytest.raises(ValueError, match=r"`mode` of RandomFlip must be one of .*received 'diagonal'"):
        ks.layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match=r"`seed` of RandomCrop must be None or an int in \[0, 2\*\*32\), received -1"):
        ks.layers.RandomCrop(2, 2, seed=-1)
    with pytest.raises(ValueError, match=r"Layer Resizing does not take a `factor` argument. Received: factor=0.5"):
        ks.layers.Resizing(2, 2, factor=0.5)
