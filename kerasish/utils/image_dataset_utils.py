"""Keras's `image_dataset_from_directory`, giving a `kerasish.data.Dataset` of NumPy batches.

The files, their order (`file_paths`), labels and `class_names` are Keras's; each image is read with
Pillow, converted to the `color_mode`, and resized as Keras's TensorFlow-free ("grain") path resizes it
(`keras.ops.image.resize` on JAX, here in NumPy: `image_utils.resize_array`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import kerasish.utils.dataset_utils as dataset_utils
import kerasish.utils.image_utils as image_utils
from kerasish import backend
from kerasish.data.dataset import Dataset

__all__ = ["ALLOWLIST_FORMATS", "image_dataset_from_directory", "load_image"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_KERAS_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")
_TENSORFLOW_ONLY = ("area", "gaussian", "mitchellcubic")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
_PIL_MODES = {1: ("L", "I;16", "I"), 3: ("RGB",), 4: ("RGBA",)}


def load_image(path: str, image_size: tuple[int, int], num_channels: int, interpolation: str, data_format: str,
               crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False) -> np.ndarray:
    """Reads one image file as a float32 array of `image_size`, as `image_dataset_from_directory` does.

    Args:
      path: the image file.
      image_size: `(height, width)` of the result.
      num_channels: 1 (grayscale), 3 (RGB) or 4 (RGBA): the image is converted to that mode.
      interpolation: one of `image_utils.RESIZE_INTERPOLATIONS`.
      data_format: `"channels_last"` (`(height, width, channels)`) or `"channels_first"`.
      crop_to_aspect_ratio: crop the centre to the target aspect ratio before resizing.
      pad_to_aspect_ratio: pad with zeros to the target aspect ratio before resizing.

    Returns:
      A float32 NumPy array (values 0-255).
    """
    with image_utils.require_pil().open(path) as img:
        if img.mode not in _PIL_MODES[num_channels]:
            img = img.convert(_PIL_MODES[num_channels][0])
        array = np.asarray(img, dtype=np.float32)
    if array.ndim == 2:
        array = array[:, :, None]
    if data_format == "channels_first":
        array = array.transpose(2, 0, 1)
    return image_utils.resize_array(array, image_size, interpolation=interpolation,
                                    crop_to_aspect_ratio=crop_to_aspect_ratio, pad_to_aspect_ratio=pad_to_aspect_ratio,
                                    data_format=data_format)


def _check_arguments(labels: Any, label_mode: Any, class_names: Any, color_mode: Any, image_size: Any,
                     interpolation: Any, format: Any, crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool) -> None:
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             f"number of image files in the target directory. If you wish to infer the labels from "
                             f'the subdirectory names in the target directory, pass `labels="inferred"`. If you wish '
                             f"to get a dataset that only contains images (no labels), pass `labels=None`. Received: "
                             f"labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, '
                             f"and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. Received: '
                         f"label_mode={label_mode}")
    if color_mode not in _CHANNELS:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: '
                         f"color_mode={color_mode}")
    if not (isinstance(image_size, int) or (isinstance(image_size, (list, tuple)) and len(image_size) == 2)):
        raise ValueError(f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: "
                         f"image_size={image_size}")
    if not isinstance(interpolation, str) or interpolation.lower() not in _KERAS_INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_KERAS_INTERPOLATIONS}. Received: "
                         f"interpolation={interpolation}")
    if interpolation.lower() in _TENSORFLOW_ONLY:
        raise ValueError(f"Argument `interpolation={interpolation!r}` is TensorFlow's resize method, which kerasish "
                         f"does not have (Keras offers it only with format='tf'); use one of "
                         f"{image_utils.RESIZE_INTERPOLATIONS}.")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.")


def image_dataset_from_directory(directory: str | os.PathLike, labels: Any = "inferred", label_mode: str | None = "int",
                                 class_names: list[str] | None = None, color_mode: str = "rgb",
                                 batch_size: int | None = 32, image_size: tuple[int, int] = (256, 256),
                                 shuffle: bool = True, seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False, data_format: str | None = None,
                                 format: str = "tf", verbose: bool = True) -> Dataset | list[Dataset]:
    """A dataset of images (and labels) from a folder of class sub-folders, as Keras's function of that name.

    With `labels="inferred"`, `directory/class_a/*.jpg` get label 0, `directory/class_b/*.png` label 1, ...
    (classes sorted by name, or in the order of `class_names`; sub-folders of a class are searched too).
    Accepted files: `.bmp`, `.gif` (first frame), `.jpeg`, `.jpg`, `.png`.

    Where Keras returns a `tf.data.Dataset` (`format="tf"`) or a grain dataset (`format="grain"`), this
    returns a `kerasish.data.Dataset` of NumPy batches either way, which `fit` takes directly; it has
    Keras's `class_names` and `file_paths` attributes. With `shuffle=True` the files are shuffled once as
    Keras shuffles them (`file_paths` is Keras's list) and every pass visits them in a new order (with
    `format="grain"`, the same order every pass, as grain's shuffle does).

    Args:
      directory: the folder.
      labels: `"inferred"`, None (images only), or a list / tuple of int labels, one per image file in the
        sorted order of their paths.
      label_mode: `"int"` (int32 `(batch,)`), `"categorical"` (one-hot float32 `(batch, num_classes)`),
        `"binary"` (float32 `(batch, 1)`, exactly 2 classes), or None (no labels).
      class_names: the sub-folders to use, in this order (only with `labels="inferred"`).
      color_mode: `"grayscale"` (1 channel), `"rgb"` (3) or `"rgba"` (4).
      batch_size: images per batch; None yields single images.
      image_size: `(height, width)` the images are resized to (an int: a square).
      shuffle: shuffle the images.
      seed: the seed of the shuffles (drawn from NumPy's global generator when None).
      validation_split: the fraction held out for validation (the last files of the shuffled list).
      subset: `"training"`, `"validation"` or `"both"` (a list `[train, validation]`); with
        `validation_split` only.
      interpolation: `"bilinear"`, `"nearest"`, `"bicubic"`, `"lanczos3"` or `"lanczos5"` (TensorFlow's
        `"area"`, `"gaussian"` and `"mitchellcubic"` are refused).
      follow_links: visit sub-folders that are symbolic links.
      crop_to_aspect_ratio: crop the centre of each image to the target aspect ratio before resizing.
      pad_to_aspect_ratio: pad each image with zeros to the target aspect ratio before resizing.
      data_format: `"channels_last"` or `"channels_first"` (`kerasish.backend.image_data_format()` if None).
      format: `"tf"` or `"grain"`: Keras's choice of return type; both give a `kerasish.data.Dataset`
        (they differ only in reshuffling, see above).
      verbose: print the numbers of files and classes found.

    Returns:
      A `kerasish.data.Dataset` yielding `(images, labels)` (or `images` without labels): images float32
      `(batch, height, width, channels)` with values 0-255. With `subset="both"`, a list of two.

    Raises:
      ValueError: for invalid arguments (with Keras's messages), or no image found.
      FileNotFoundError: for a `directory` that is not a folder.

    Example:
      >>> import tempfile
      >>> from kerasish.utils import save_img
      >>> root = tempfile.mkdtemp()
      >>> for name in ("cats", "dogs"):
      ...     os.mkdir(os.path.join(root, name))
      ...     for i in range(3):
      ...         save_img(os.path.join(root, name, f"{i}.png"), np.random.rand(10, 12, 3))
      >>> ds = image_dataset_from_directory(root, image_size=(8, 8), batch_size=4, seed=1, verbose=False)
      >>> ds.class_names, len(ds)
      (['cats', 'dogs'], 2)
      >>> images, labels = next(iter(ds))
      >>> images.shape, images.dtype, labels.dtype
      ((4, 8, 8, 3), dtype('float32'), dtype('int32'))
    """
    _check_arguments(labels, label_mode, class_names, color_mode, image_size, interpolation, format,
                     crop_to_aspect_ratio, pad_to_aspect_ratio)
    if labels is None or label_mode is None:
        labels = label_mode = None
    image_size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    interpolation = interpolation.lower()
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    directory = os.fspath(directory)
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={class_names}")
    data_format = backend.standardize_data_format(data_format)
    num_channels = _CHANNELS[color_mode]

    def load(path: str) -> np.ndarray:
        return load_image(path, image_size, num_channels, interpolation, data_format, crop_to_aspect_ratio,
                          pad_to_aspect_ratio)

    def make(subset_name: str | None, shuffled: bool) -> Dataset:
        part_paths, part_labels = dataset_utils.get_training_or_validation_split(paths, labels, validation_split,
                                                                                 subset_name)
        if not part_paths:
            which = {"training": "training ", "validation": "validation "}.get(subset_name or "", "")
            raise ValueError(f"No {which}images found in directory {directory}. Allowed formats: {ALLOWLIST_FORMATS}")
        dataset = dataset_utils.paths_and_labels_to_dataset(
            part_paths, part_labels, label_mode, len(class_names or ()), load, shuffled, seed, batch_size,
            reshuffle_each_iteration=format == "tf")
        dataset.class_names = class_names
        dataset.file_paths = part_paths
        return dataset

    if subset == "both":
        train = make("training", shuffle)
        return [train, make("validation", False)]
    return make(subset, shuffle)
