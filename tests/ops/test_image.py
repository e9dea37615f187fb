"""`kerasish.ops.image` against Keras 3's `keras.ops.image`."""

import jax.numpy as jnp
import numpy as np
import pytest

from kerasish import ops
from tests.ops.oracle import compare, sample

IMAGES = sample((2, 6, 8, 3), "float32", seed=1, low=0, high=1)
FIRST = np.transpose(IMAGES, (0, 3, 1, 2)).copy()


@pytest.mark.parametrize("kwargs", [
    {}, {"interpolation": "nearest"}, {"interpolation": "bicubic"}, {"interpolation": "lanczos3"},
    {"antialias": True}, {"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True, "fill_value": 0.5},
], ids=str)
def test_resize_matches_keras(kwargs):
    compare("image.resize", IMAGES, (4, 4), **kwargs, rtol=1e-4, atol=1e-5)
    compare("image.resize", IMAGES[0], (9, 5), **kwargs, rtol=1e-4, atol=1e-5)


def test_resize_channels_first_matches_keras():
    compare("image.resize", FIRST, (3, 10), data_format="channels_first", rtol=1e-4, atol=1e-5)
    compare("image.resize", FIRST, (3, 10), data_format="channels_first", pad_to_aspect_ratio=True, rtol=1e-4,
            atol=1e-5)


@pytest.mark.parametrize("interpolation, fill_mode", [
    ("bilinear", "constant"), ("nearest", "nearest"), ("bilinear", "wrap"), ("nearest", "mirror"),
    ("bilinear", "reflect"),
])
def test_affine_transform_matches_keras(interpolation, fill_mode):
    transform = np.array([[1.1, 0.2, -1.0, -0.1, 0.9, 0.5, 0, 0], [0.8, 0.0, 1.5, 0.0, 1.2, -0.5, 0, 0]], "float32")
    compare("image.affine_transform", IMAGES, transform, interpolation=interpolation, fill_mode=fill_mode,
            fill_value=0.3, rtol=1e-4, atol=1e-5)
    compare("image.affine_transform", FIRST[0], transform[1], interpolation=interpolation, fill_mode=fill_mode,
            data_format="channels_first", rtol=1e-4, atol=1e-5)


def test_crop_pad_and_colors_match_keras():
    compare("image.crop_images", IMAGES, top_cropping=1, left_cropping=2, target_height=3, target_width=4)
    compare("image.crop_images", IMAGES[0], bottom_cropping=2, right_cropping=1, top_cropping=1, left_cropping=0)
    compare("image.crop_images", FIRST, top_cropping=1, bottom_cropping=1, left_cropping=2, target_width=3,
            data_format="channels_first")
    compare("image.pad_images", IMAGES, top_padding=1, left_padding=2, target_height=9, target_width=11)
    compare("image.pad_images", IMAGES[0], bottom_padding=2, right_padding=1, top_padding=0, left_padding=1)
    compare("image.pad_images", FIRST, top_padding=1, bottom_padding=1, right_padding=2, target_width=12,
            data_format="channels_first")
    compare("image.rgb_to_grayscale", IMAGES)
    compare("image.rgb_to_grayscale", FIRST, data_format="channels_first")
    compare("image.rgb_to_grayscale", (IMAGES * 255).astype("uint8"))
    compare("image.rgb_to_grayscale", IMAGES[..., :1])
    compare("image.rgb_to_hsv", IMAGES, rtol=1e-5, atol=1e-5)
    compare("image.hsv_to_rgb", IMAGES, rtol=1e-5, atol=1e-5)
    compare("image.rgb_to_hsv", FIRST[0], data_format="channels_first", rtol=1e-5, atol=1e-5)


def test_patches_coordinates_and_blur_match_keras():
    compare("image.extract_patches", IMAGES, 2)
    compare("image.extract_patches", IMAGES[0], (3, 2), strides=(1, 2), padding="same")
    compare("image.extract_patches", FIRST, 2, dilation_rate=2, strides=1, data_format="channels_first")
    coordinates = np.stack(np.meshgrid(np.linspace(-1, 6, 4), np.linspace(0, 8.5, 5), indexing="ij")).astype("float32")
    for order in (0, 1):
        for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
            compare("image.map_coordinates", IMAGES[0, ..., 0], coordinates, order, fill_mode=mode, fill_value=0.5,
                    rtol=1e-5, atol=1e-5)
    compare("image.gaussian_blur", IMAGES, data_format="channels_last", rtol=1e-5, atol=1e-5)
    compare("image.gaussian_blur", IMAGES[0], kernel_size=(3, 5), sigma=(0.7, 1.5), data_format="channels_last",
            rtol=1e-5, atol=1e-5)
    compare("image.gaussian_blur", FIRST[0], kernel_size=(5, 3), sigma=(2.0, 0.5), data_format="channels_first",
            rtol=1e-5, atol=1e-5)


def test_gaussian_blur_reads_no_data_format_as_the_default():
    """Keras 3.15 takes data_format=None as channels_first here (a bug); kerasish takes image_data_format()."""
    np.testing.assert_array_equal(ops.image.gaussian_blur(IMAGES),
                                  ops.image.gaussian_blur(IMAGES, data_format="channels_last"))


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.image.resize(IMAGES, (2, 2), interpolation="area"), ValueError,
     "Argument `interpolation` of resize must be one of"),
    (lambda: ops.image.resize(IMAGES, (2, 2), fill_mode="reflect"), ValueError, "Argument `fill_mode` of resize must"),
    (lambda: ops.image.resize(IMAGES, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), ValueError,
     "Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio`"),
    (lambda: ops.image.resize(IMAGES, (2,)), ValueError, r"Argument `size` of resize must be \(height, width\)"),
    (lambda: ops.image.resize(jnp.ones((2, 2)), (1, 1)), ValueError, "Argument `images` of resize must be an image"),
    (lambda: ops.image.affine_transform(IMAGES, jnp.zeros(8), interpolation="bicubic"), ValueError,
     "Argument `interpolation` of affine_transform must be one of"),
    (lambda: ops.image.affine_transform(IMAGES, jnp.zeros(8), fill_mode="edge"), ValueError,
     "Argument `fill_mode` of affine_transform must be one of"),
    (lambda: ops.image.affine_transform(IMAGES, jnp.zeros((1, 1, 8))), ValueError,
     r"Argument `transform` of affine_transform must have shape \(8,\)"),
    (lambda: ops.image.map_coordinates(jnp.ones((2, 2)), jnp.ones((3, 4)), 1), ValueError,
     "Argument `coordinates` of map_coordinates must have shape"),
    (lambda: ops.image.map_coordinates(jnp.ones((2, 2)), jnp.ones((2, 4)), 3), ValueError,
     "Argument `order` of map_coordinates must be 0 or 1"),
    (lambda: ops.image.map_coordinates(jnp.ones((2, 2)), jnp.ones((2, 4)), 1, fill_mode="edge"), ValueError,
     "Argument `fill_mode` of map_coordinates must be one of"),
    (lambda: ops.image.pad_images(IMAGES, top_padding=1), ValueError,
     "pad_images needs exactly two of top_padding, bottom_padding, target_height"),
    (lambda: ops.image.pad_images(IMAGES, top_padding=-1, bottom_padding=0, left_padding=0, right_padding=0),
     ValueError, "Argument `top_padding` of pad_images must be >= 0"),
    (lambda: ops.image.pad_images(IMAGES, top_padding=0, target_height=2, left_padding=0, right_padding=0),
     ValueError, "pad_images infers bottom_padding=-4"),
    (lambda: ops.image.crop_images(IMAGES, top_cropping=1, left_cropping=1), ValueError,
     "crop_images needs exactly two of top_cropping, bottom_cropping, target_height"),
    (lambda: ops.image.crop_images(IMAGES, top_cropping=4, bottom_cropping=4, left_cropping=0, right_cropping=0),
     ValueError, "crop_images infers target_height=-2"),
    (lambda: ops.image.rgb_to_grayscale(IMAGES[..., :2]), ValueError,
     "Argument `images` of rgb_to_grayscale must have 3 .RGB. or 1 channels"),
    (lambda: ops.image.rgb_to_hsv(jnp.ones((2, 2, 3), "int32")), ValueError,
     "Argument `images` of rgb_to_hsv must have a float dtype, received int32"),
    (lambda: ops.image.extract_patches(IMAGES, (1, 2, 3)), TypeError,
     r"Argument `size` of extract_patches must be an int or \(height, width\)"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_filters_and_warps_match_keras():
    volumes = sample((2, 4, 4, 6, 2), seed=5)
    compare("image.extract_patches_3d", volumes, 2)
    compare("image.extract_patches_3d", volumes[0], (2, 1, 3), strides=1, padding="same")
    compare("image.sobel_edges", IMAGES, rtol=1e-5, atol=1e-5)
    compare("image.sobel_edges", FIRST, data_format="channels_first", rtol=1e-5, atol=1e-5)
    big1, big2 = sample((2, 12, 12, 3), seed=7, low=0, high=1), sample((2, 12, 12, 3), seed=8, low=0, high=1)
    compare("image.ssim", big1, big2, rtol=1e-4, atol=1e-5)
    compare("image.ssim", big1[0], big2[0], filter_size=5, filter_sigma=1.0, max_val=2.0, k1=0.02, rtol=1e-4,
            atol=1e-5)
    compare("image.scale_and_translate", IMAGES, (2, 9, 5, 3), np.array([1.5, 0.6], "float32"),
            np.array([0.5, -1.0], "float32"), (1, 2), "bilinear", rtol=1e-4, atol=1e-5)
    compare("image.scale_and_translate", IMAGES[0], (4, 4, 3), np.array([0.5, 0.5], "float32"),
            np.array([0.0, 0.0], "float32"), (0, 1), "lanczos3", antialias=False, rtol=1e-4, atol=1e-5)
    start = np.array([[0, 0], [7, 0], [0, 5], [7, 5]], "float32")
    end = np.array([[1, 0], [6, 1], [0, 5], [7, 4]], "float32")
    for interpolation in ("bilinear", "nearest"):
        compare("image.perspective_transform", IMAGES, np.stack([start, end]), np.stack([end, start]),
                interpolation=interpolation, rtol=1e-4, atol=1e-4)
        compare("image.perspective_transform", IMAGES[0], start, end, interpolation=interpolation, rtol=1e-4,
                atol=1e-4)
    compare("image.perspective_transform", FIRST[0], start, end, fill_value=0.5, data_format="channels_first",
            rtol=1e-4, atol=1e-4)


def test_one_set_of_points_warps_a_whole_batch():
    """Keras 3.15 refuses a batch of images with one (4, 2) set of points; kerasish warps each image alike."""
    start = np.array([[0, 0], [7, 0], [0, 5], [7, 5]], "float32")
    end = np.array([[1, 0], [6, 1], [0, 5], [7, 4]], "float32")
    batch = ops.image.perspective_transform(IMAGES, start, end)
    np.testing.assert_allclose(batch[1], ops.image.perspective_transform(IMAGES[1], start, end), rtol=1e-6)


def test_elastic_transform_warps_randomly_and_reproducibly():
    out = ops.image.elastic_transform(IMAGES, alpha=4.0, sigma=1.0, seed=3)
    assert out.shape == IMAGES.shape and out.dtype == jnp.float32 and not np.allclose(out, IMAGES)
    np.testing.assert_array_equal(out, ops.image.elastic_transform(IMAGES, alpha=4.0, sigma=1.0, seed=3))
    np.testing.assert_allclose(ops.image.elastic_transform(IMAGES, alpha=0.0, seed=1), IMAGES, atol=1e-6)
    first = ops.image.elastic_transform(FIRST[0], alpha=4.0, sigma=1.0, seed=3, data_format="channels_first")
    assert first.shape == FIRST[0].shape


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.image.extract_patches_3d(jnp.ones((1, 4, 4, 4, 1)), (2, 2)), TypeError,
     r"Argument `size` of extract_patches_3d must be an int or \(depth, height, width\)"),
    (lambda: ops.image.extract_patches_3d(jnp.ones((1, 4, 4, 4, 1)), 2, strides=(1, 1)), ValueError,
     "Argument `strides` of extract_patches_3d must be an int or 3 ints"),
    (lambda: ops.image.sobel_edges(jnp.ones((4, 4, 1))), ValueError, "`images` of sobel_edges must have rank 4"),
    (lambda: ops.image.scale_and_translate(IMAGES, (2, 2, 2, 3), jnp.ones(2), jnp.zeros(2), (1, 2), "area"),
     ValueError, "Argument `method` of scale_and_translate must be one of"),
    (lambda: ops.image.perspective_transform(IMAGES, jnp.ones((4, 2)), jnp.ones((4, 2)), interpolation="cubic"),
     ValueError, "Argument `interpolation` of perspective_transform must be one of"),
    (lambda: ops.image.perspective_transform(IMAGES, jnp.ones((3, 2)), jnp.ones((3, 2))), ValueError,
     r"Argument `start_points` of perspective_transform must have shape \(4, 2\)"),
    (lambda: ops.image.perspective_transform(IMAGES, jnp.ones((4, 2)), jnp.ones((2, 4, 2))), ValueError,
     "Arguments `start_points` and `end_points` of perspective_transform must have one shape"),
    (lambda: ops.image.elastic_transform(IMAGES, interpolation="cubic"), ValueError,
     "Argument `interpolation` of elastic_transform must be one of"),
    (lambda: ops.image.elastic_transform(IMAGES, fill_mode="edge"), ValueError,
     "Argument `fill_mode` of elastic_transform must be one of"),
])
def test_filter_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
