"""kerasish.utils.image_utils against Keras's image helpers (Pillow underneath both) and Keras's resize on JAX."""

import io

import numpy as np
import pytest

from kerasish.utils import array_to_img, img_to_array, load_img, save_img
from kerasish.utils.image_utils import resize_array, smart_resize

keras = pytest.importorskip("keras")
from keras.src.utils import image_utils as keras_image_utils  # noqa: E402


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    """An RGB PNG, an RGBA PNG, a grayscale PNG and an RGB JPEG, written by Pillow from random pixels."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("pictures")
    rng = np.random.default_rng(0)
    paths = {}
    for name, mode, channels, ext in [("rgb", "RGB", 3, "png"), ("rgba", "RGBA", 4, "png"), ("gray", "L", 1, "png"),
                                      ("photo", "RGB", 3, "jpg")]:
        pixels = rng.integers(0, 256, (9, 14, channels), dtype=np.uint8)
        Image.fromarray(pixels[..., 0] if channels == 1 else pixels, mode).save(folder / f"{name}.{ext}")
        paths[name] = folder / f"{name}.{ext}"
    return paths


@pytest.mark.parametrize("name", ["rgb", "rgba", "gray", "photo"])
@pytest.mark.parametrize("kwargs", [{}, {"color_mode": "grayscale"}, {"color_mode": "rgba"},
                                    {"target_size": (5, 7), "interpolation": "bilinear"},
                                    {"target_size": (6, 6), "keep_aspect_ratio": True, "interpolation": "bicubic"}],
                         ids=["rgb", "grayscale", "rgba", "resized", "aspect"])
def test_load_img_and_img_to_array_match_keras(pictures, name, kwargs):
    ours, theirs = load_img(pictures[name], **kwargs), keras.utils.load_img(pictures[name], **kwargs)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    for data_format in ("channels_last", "channels_first"):
        got = img_to_array(ours, data_format=data_format)
        expected = keras.utils.img_to_array(theirs, data_format=data_format)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    buffer = io.BytesIO(pictures[name].read_bytes())
    np.testing.assert_array_equal(img_to_array(load_img(buffer, **kwargs)), img_to_array(ours))


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("scale", [True, False])
def test_array_to_img_and_save_img_match_keras(tmp_path, channels, scale):
    x = np.random.default_rng(channels).uniform(-2, 300 if not scale else 5, (6, 5, channels)).astype("float32")
    if not scale:
        x = np.clip(x, 0, 255)
    ours, theirs = array_to_img(x, scale=scale), keras.utils.array_to_img(x, scale=scale)
    assert ours.mode == theirs.mode
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    save_img(tmp_path / "ours.png", x, scale=scale)
    keras.utils.save_img(tmp_path / "theirs.png", x, scale=scale)
    np.testing.assert_array_equal(np.asarray(load_img(tmp_path / "ours.png", color_mode="rgba")),
                                  np.asarray(load_img(tmp_path / "theirs.png", color_mode="rgba")))
    first = np.moveaxis(x, -1, 0)
    np.testing.assert_array_equal(np.asarray(array_to_img(first, data_format="channels_first", scale=scale)),
                                  np.asarray(ours))


def test_save_img_as_jpeg_drops_alpha_with_a_warning(tmp_path):
    x = np.random.default_rng(0).uniform(0, 255, (4, 4, 4))
    with pytest.warns(UserWarning, match="The JPEG format does not support RGBA images, converting to RGB"):
        save_img(tmp_path / "a.jpg", x)
    assert load_img(tmp_path / "a.jpg").size == (4, 4)


@pytest.mark.parametrize("interpolation,option,shape,size", [
    *[(method, "plain", (9, 14, 3), (6, 6)) for method in ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")],
    ("bilinear", "plain", (5, 4, 1), (12, 7)), ("lanczos3", "plain", (5, 4, 1), (12, 7)),
    ("bilinear", "plain", (2, 8, 6, 2), (8, 3)), ("bicubic", "crop_to_aspect_ratio", (9, 14, 3), (6, 6)),
    ("bilinear", "crop_to_aspect_ratio", (5, 4, 1), (12, 7)), ("bilinear", "pad_to_aspect_ratio", (9, 14, 3), (6, 6)),
    ("nearest", "pad_to_aspect_ratio", (5, 4, 1), (12, 7))])
def test_resize_array_matches_keras_ops_image_resize(interpolation, option, shape, size):
    image = np.random.default_rng(1).uniform(0, 255, shape).astype("float32")
    flags = {} if option == "plain" else {option: True}
    expected = np.asarray(keras.ops.image.resize(image, size, interpolation=interpolation, **flags))
    got = resize_array(image, size, interpolation=interpolation, **flags)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)
    first = np.moveaxis(image, -1, -3)
    np.testing.assert_allclose(resize_array(first, size, interpolation, data_format="channels_first", **flags),
                               np.moveaxis(expected, -1, -3), rtol=1e-5, atol=1e-3)


def test_smart_resize_matches_keras():
    image = np.random.default_rng(2).uniform(0, 255, (10, 20, 3)).astype("float32")
    np.testing.assert_allclose(smart_resize(image, (5, 5)), keras_image_utils.smart_resize(image, (5, 5)),
                               rtol=1e-5, atol=1e-3)


def test_errors(pictures):
    with pytest.raises(ValueError, match=r"`color_mode` of load_img must be one of \['grayscale', 'rgb', 'rgba'\], "
                                         r"received 'cmyk'"):
        load_img(pictures["rgb"], color_mode="cmyk")
    with pytest.raises(ValueError, match=r"`interpolation` of load_img must be one of \['nearest', .*received 'cubic'"):
        load_img(pictures["rgb"], target_size=(3, 3), interpolation="cubic")
    with pytest.raises(TypeError, match=r"path should be path-like or io.BytesIO, not <class 'int'>"):
        load_img(3)
    with pytest.raises(ValueError, match=r"Expected image array to have rank 3 \(single image\). Got array with shape: "
                                         r"\(4, 4\)"):
        array_to_img(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"Unsupported channel number: 2"):
        array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match=r"Unsupported image shape: \(4,\)"):
        img_to_array(np.zeros(4))
    with pytest.raises(ValueError, match=r"`interpolation` of resize_array must be one of \['bilinear'.*'area'"):
        resize_array(np.zeros((4, 4, 1)), (2, 2), interpolation="area")
    with pytest.raises(ValueError, match=r"Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`"):
        resize_array(np.zeros((4, 4, 1)), (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match=r"Invalid images rank: expected rank 3 .* images.shape=\(4, 4\)"):
        resize_array(np.zeros((4, 4)), (2, 2))
    with pytest.raises(ValueError, match=r"Expected `size` to be a tuple of 2 integers, but got: \(2,\)"):
        smart_resize(np.zeros((4, 4, 1)), (2,))
