"""Keras's image file helpers on Pillow: `load_img`, `img_to_array`, `array_to_img`, `save_img`.

Plus `resize_array`, the NumPy resize that `image_dataset_from_directory` applies to every image: the
same weights as `keras.ops.image.resize` on JAX (`jax.image.resize` without antialiasing: half-pixel
centres, separable kernels normalised over the pixels inside the image), computed in NumPy so that images
of many sizes do not each compile a program. Pillow is needed only when a function here is called
(`pip install kerasish[image]`).
"""

from __future__ import annotations

import io
import os
import pathlib
import warnings
from typing import Any

import numpy as np

from kerasish import backend

__all__ = ["array_to_img", "img_to_array", "load_img", "require_pil", "resize_array", "save_img", "smart_resize"]

#: `load_img`'s interpolations: Pillow's resampling filters.
PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
#: `resize_array`'s interpolations (those of `keras.ops.image.resize` on JAX).
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
_COLOR_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}


def require_pil():
    """Pillow's `PIL.Image` module; an ImportError saying how to install it when it is missing."""
    try:
        from PIL import Image
    except ImportError as err:  # pragma: no cover - Pillow is in the image and dev extras
        raise ImportError("kerasish's image functions read and write images with Pillow, which is not installed: "
                          "`pip install pillow` (or `pip install kerasish[image]`).") from err
    return Image


def _check_choice(name: str, value: Any, accepted: tuple[str, ...], owner: str) -> str:
    if value not in accepted:
        raise ValueError(f"Argument `{name}` of {owner} must be one of {list(accepted)}, received {value!r}.")
    return value


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True, dtype: Any = None):
    """Converts a 3-D image array into a Pillow image, as Keras's `array_to_img`.

    Args:
      x: an array of shape `(height, width, channels)` (`(channels, height, width)` for channels-first),
        with 1 (grayscale), 3 (RGB) or 4 (RGBA) channels.
      data_format: `"channels_last"` or `"channels_first"`; `kerasish.backend.image_data_format()` if None.
      scale: rescale the values to 0-255 (minimum to 0, maximum to 255) before converting; when False they
        are cast to uint8 as they are.
      dtype: the dtype the values are read as (`floatx()` if None).

    Returns:
      A `PIL.Image.Image` in mode "L", "RGB" or "RGBA" (mode "I" for one channel above 255).

    Raises:
      ValueError: for an array that is not 3-D or has another number of channels.

    Example:
      >>> img = array_to_img(np.zeros((4, 6, 3)))
      >>> img.size, img.mode
      ((6, 4), 'RGB')
    """
    data_format = backend.standardize_data_format(data_format)
    image = require_pil()
    x = np.array(x, dtype=dtype or backend.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x /= peak
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return image.fromarray(x.astype("uint8"), "RGB" if channels == 3 else "RGBA")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels} (an image array has 1, 3 or 4 channels; received shape "
                     f"{x.shape}).")


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """Converts a Pillow image (or anything NumPy reads as an image) into a 3-D array, as Keras's `img_to_array`.

    Args:
      img: a `PIL.Image.Image` (or a 2-D / 3-D array).
      data_format: `"channels_last"` (`(height, width, channels)`) or `"channels_first"`.
      dtype: the output dtype (`floatx()`, float32, if None).

    Returns:
      A NumPy array of shape `(height, width, channels)` (or `(channels, height, width)`); a grayscale
      image gets one channel.

    Raises:
      ValueError: for an image that is neither 2-D nor 3-D.

    Example:
      >>> img_to_array(array_to_img(np.zeros((4, 6, 1)), scale=False)).shape
      (4, 6, 1)
    """
    data_format = backend.standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or backend.floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x.reshape((1,) + x.shape if data_format == "channels_first" else x.shape + (1,))
    raise ValueError(f"Unsupported image shape: {x.shape} (an image is 2-D, or 3-D with channels).")


def save_img(path: Any, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Saves an image array to a file, as Keras's `save_img` (through `array_to_img` and Pillow's `save`).

    Args:
      path: a file path or a writable file object.
      x: the image array (see `array_to_img`).
      data_format: `"channels_last"` or `"channels_first"`.
      file_format: Pillow's format name ("png", "jpeg", ...); from the file's extension if None. An RGBA
        image saved as JPEG is converted to RGB (with a warning), as JPEG has no alpha channel.
      scale: rescale the values to 0-255 first.
      **kwargs: passed to `PIL.Image.Image.save` (e.g. `quality=95`).

    Example:
      >>> import tempfile
      >>> path = os.path.join(tempfile.mkdtemp(), "black.png")
      >>> save_img(path, np.zeros((4, 6, 3)))
      >>> load_img(path).size
      (6, 4)
    """
    data_format = backend.standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format or None, **kwargs)


def load_img(path: Any, color_mode: str = "rgb", target_size: tuple[int, int] | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False):
    """Loads an image file into a Pillow image, as Keras's `load_img`.

    Args:
      path: a file path (str, bytes or `pathlib.Path`) or an `io.BytesIO` holding the file.
      color_mode: `"grayscale"`, `"rgb"` or `"rgba"`: the image is converted to that mode (a 16- or 32-bit
        grayscale image stays as it is in `"grayscale"`).
      target_size: `(height, width)` to resize to, or None to keep the size.
      interpolation: Pillow's resampling filter: one of `PIL_INTERPOLATIONS`.
      keep_aspect_ratio: resize without distortion by cropping the centre of the image to the target's
        aspect ratio first.

    Returns:
      A `PIL.Image.Image`.

    Raises:
      TypeError: for a `path` that is neither a path nor an `io.BytesIO`.
      ValueError: for an unknown `color_mode` or `interpolation`.

    Example:
      >>> import tempfile
      >>> path = os.path.join(tempfile.mkdtemp(), "gray.png")
      >>> save_img(path, np.zeros((8, 8, 1)))
      >>> img = load_img(path, color_mode="rgb", target_size=(4, 2))
      >>> img.size, img.mode
      ((2, 4), 'RGB')
    """
    image = require_pil()
    _check_choice("color_mode", color_mode, tuple(_COLOR_MODES), "load_img")
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str, os.PathLike)):
        path = str(pathlib.Path(os.fsdecode(path)).resolve()) if not isinstance(path, str) else path
        with open(path, "rb") as f:
            img = image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif img.mode != "RGB":
        img = img.convert("RGB")
    if target_size is None:
        return img
    width_height = (target_size[1], target_size[0])
    if img.size == width_height:
        return img
    _check_choice("interpolation", interpolation, PIL_INTERPOLATIONS, "load_img")
    resample = getattr(image.Resampling, interpolation.upper())
    if not keep_aspect_ratio:
        return img.resize(width_height, resample)
    width, height = img.size
    crop_height = min(height, (width * width_height[1]) // width_height[0])
    crop_width = min(width, (height * width_height[0]) // width_height[1])
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return img.resize(width_height, resample, box=(left, top, left + crop_width, top + crop_height))


# ---------------------------------------------------------------------------------------------------------
# Resizing arrays (what keras.ops.image.resize computes on JAX)
# ---------------------------------------------------------------------------------------------------------


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0, 1 - np.abs(x))


def _keys_cubic(x: np.ndarray) -> np.ndarray:
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _lanczos(radius: float):
    def kernel(x: np.ndarray) -> np.ndarray:
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x > 1e-3, y / np.where(x != 0, np.pi**2 * x**2, 1), 1)
        return np.where(x > radius, 0.0, out)
    return kernel


_KERNELS = {"bilinear": _triangle, "bicubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _weights(in_size: int, out_size: int, kernel) -> np.ndarray:
    """The `(in_size, out_size)` interpolation matrix of one axis (float32, as JAX computes it)."""
    inv_scale = np.float32(in_size / out_size)
    sample = (np.arange(out_size, dtype=np.float32) + 0.5) * inv_scale - np.float32(0.5)
    weights = kernel(np.abs(sample[None, :] - np.arange(in_size, dtype=np.float32)[:, None])).astype(np.float32)
    total = weights.sum(axis=0, keepdims=True)
    weights = np.where(np.abs(total) > 1000.0 * np.finfo(np.float32).eps,
                       weights / np.where(total != 0, total, 1), 0).astype(np.float32)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0).astype(np.float32)


def _resize_axis(image: np.ndarray, axis: int, size: int, interpolation: str) -> np.ndarray:
    in_size = image.shape[axis]
    if in_size == size:
        return image
    if interpolation == "nearest":
        offsets = np.floor(((np.arange(size, dtype=np.float32) + 0.5) * in_size / size).astype(np.float32))
        return np.take(image, offsets.astype(np.int64), axis=axis)
    weights = _weights(in_size, size, _KERNELS[interpolation])
    return np.moveaxis(np.tensordot(np.moveaxis(image, axis, -1), weights, axes=([-1], [0])), -1, axis)


def resize_array(image: Any, size: tuple[int, int], interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_value: float = 0.0,
                 data_format: str | None = None) -> np.ndarray:
    """Resizes one image (or a batch) in NumPy, with the results of `keras.ops.image.resize` on JAX.

    Args:
      image: a float array of shape `(height, width, channels)` or `(batch, height, width, channels)`
        (channels first: `(channels, height, width)`, ...).
      size: `(height, width)` of the output.
      interpolation: one of `RESIZE_INTERPOLATIONS`.
      crop_to_aspect_ratio: crop the centre of the image to the target's aspect ratio first (no distortion).
      pad_to_aspect_ratio: pad the image with `fill_value` to the target's aspect ratio first.
      fill_value: the padding value.
      data_format: `"channels_last"` or `"channels_first"`.

    Returns:
      A float32 array with the spatial axes of `size`.

    Raises:
      ValueError: for an unknown interpolation, both aspect-ratio options, or an array of another rank.

    Example:
      >>> resize_array(np.arange(4, dtype="float32").reshape(2, 2, 1), (1, 1))[..., 0].tolist()
      [[1.5]]
    """
    data_format = backend.standardize_data_format(data_format)
    _check_choice("interpolation", interpolation, RESIZE_INTERPOLATIONS, "resize_array")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    image = np.asarray(image, dtype=np.float32)
    if image.ndim not in (3, 4):
        raise ValueError(f"Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). Received "
                         f"input with shape: images.shape={image.shape}")
    rows, cols = (image.ndim - 3, image.ndim - 2) if data_format == "channels_last" else (image.ndim - 2,
                                                                                         image.ndim - 1)
    height, width = image.shape[rows], image.shape[cols]
    target_height, target_width = size
    if crop_to_aspect_ratio:
        crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
        crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
        top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
        image = np.take(np.take(image, np.arange(top, top + crop_height), axis=rows),
                        np.arange(left, left + crop_width), axis=cols)
    elif pad_to_aspect_ratio:
        pad_height = max(height, int(float(width * target_height) / target_width))
        pad_width = max(width, int(float(height * target_width) / target_height))
        top, left = int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)
        pads = [(0, 0)] * image.ndim
        pads[rows], pads[cols] = (top, top), (left, left)
        image = np.pad(image, pads, constant_values=fill_value)
    image = _resize_axis(image, rows, int(target_height), interpolation)
    return _resize_axis(image, cols, int(target_width), interpolation).astype(np.float32)


def smart_resize(x: Any, size: tuple[int, int], interpolation: str = "bilinear",
                 data_format: str = "channels_last") -> np.ndarray:
    """Resizes images to `size` without distorting them: the centre is cropped to the target aspect ratio first.

    Keras's `keras.preprocessing.image.smart_resize`, on NumPy arrays.

    Args:
      x: an image `(height, width, channels)` or a batch `(batch, height, width, channels)`.
      size: `(height, width)`.
      interpolation: one of `RESIZE_INTERPOLATIONS`.
      data_format: `"channels_last"` or `"channels_first"`.

    Returns:
      A float32 NumPy array of the resized images.

    Example:
      >>> smart_resize(np.zeros((10, 20, 3)), (5, 5)).shape
      (5, 5, 3)
    """
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    return resize_array(x, size, interpolation=interpolation, crop_to_aspect_ratio=True, data_format=data_format)
