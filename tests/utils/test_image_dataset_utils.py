"""kerasish.utils.image_dataset_from_directory against Keras: the same files, order, class names and labels
(Keras's `index_directory`), and the same pixels as Keras's TensorFlow-free path (`_load_image_grain`: Pillow,
then `keras.ops.image.resize`), rebuilt here from Keras's public `load_img` / `img_to_array` / `ops.image.resize`."""

import os

import numpy as np
import pytest

import kerasish as ks
from kerasish.utils import image_dataset_from_directory

keras = pytest.importorskip("keras")
from keras.src.utils import dataset_utils as keras_dataset_utils  # noqa: E402

FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Two classes of images of different sizes and modes (RGB PNG, grayscale PNG, RGBA PNG, JPEG, GIF)."""
    from PIL import Image

    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for i in range(11):
        label = ("cats", "dogs")[i % 2]
        (root / label / "more").mkdir(parents=True, exist_ok=True)
        height, width = ((9, 12), (13, 7))[i % 2]  # two sizes: Keras's resize compiles once per size
        mode, ext = [("RGB", "png"), ("L", "png"), ("RGBA", "png"), ("RGB", "jpg"), ("P", "gif")][i % 5]
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        image = Image.fromarray(pixels, "RGB").convert(mode)
        image.save(root / label / ("more" if i % 3 == 0 else "") / f"img_{i}.{ext}")
    (root / "notes.txt").write_text("not an image")
    return str(root)


def keras_image(path, color_mode="rgb", data_format="channels_last", **resize_options):
    image = keras.utils.img_to_array(keras.utils.load_img(path, color_mode=color_mode), data_format=data_format)
    return np.asarray(keras.ops.image.resize(image, (8, 7), data_format=data_format, **resize_options))


@pytest.mark.parametrize("options", [{}, {"color_mode": "grayscale"}, {"color_mode": "rgba", "interpolation": "nearest",
                                                                       "crop_to_aspect_ratio": True},
                                     {"interpolation": "bicubic", "pad_to_aspect_ratio": True},
                                     {"data_format": "channels_first"}],
                         ids=["rgb", "grayscale", "rgba_crop", "pad", "channels_first"])
def test_unshuffled_batches_are_keras_files_and_pixels(folder, options):
    ds = image_dataset_from_directory(folder, image_size=(8, 7), batch_size=4, shuffle=False, verbose=False, **options)
    paths, labels, class_names = keras_dataset_utils.index_directory(folder, "inferred", FORMATS, shuffle=False,
                                                                     verbose=False)
    assert ds.file_paths == paths and ds.class_names == class_names == ["cats", "dogs"] and len(ds) == 3
    images, got_labels = (np.concatenate(parts) for parts in zip(*ds))
    expected = np.stack([keras_image(path, **options) for path in paths])
    assert images.dtype == np.float32 and images.shape == expected.shape
    np.testing.assert_allclose(images, expected, rtol=1e-5, atol=1e-3)
    assert got_labels.dtype == np.int32 and got_labels.tolist() == list(labels)


def test_shuffled_passes_and_seeded_file_order(folder):
    ds = image_dataset_from_directory(folder, image_size=(5, 5), batch_size=3, seed=11, verbose=False,
                                      label_mode="categorical")
    paths, labels, _ = keras_dataset_utils.index_directory(folder, "inferred", FORMATS, shuffle=True, seed=11,
                                                           verbose=False)
    assert ds.file_paths == paths
    passes = [[(x.tobytes(), tuple(y)) for xs, ys in ds for x, y in zip(xs, ys)] for _ in range(2)]
    assert sorted(passes[0]) == sorted(passes[1]) and passes[0] != passes[1]  # every image once, a new order
    assert sorted(np.argmax(y) for _, y in passes[0]) == sorted(labels.tolist())
    grain = image_dataset_from_directory(folder, image_size=(5, 5), batch_size=3, seed=11, verbose=False,
                                         format="grain")
    assert [y.tolist() for _, y in grain] == [y.tolist() for _, y in grain]  # grain: one order for every pass


def test_label_modes_subsets_and_single_images(folder, capsys):
    binary = image_dataset_from_directory(folder, image_size=(4, 4), batch_size=4, label_mode="binary", seed=1)
    assert "Found 11 files belonging to 2 classes." in capsys.readouterr().out
    _, y = next(iter(binary))
    assert y.shape == (4, 1) and y.dtype == np.float32
    images_only = next(iter(image_dataset_from_directory(folder, image_size=(4, 4), labels=None, verbose=False)))
    assert images_only.shape == (11, 4, 4, 3)
    single = next(iter(image_dataset_from_directory(folder, image_size=4, batch_size=None, verbose=False)))
    assert single[0].shape == (4, 4, 3) and single[1].shape == ()
    train, val = image_dataset_from_directory(folder, image_size=(4, 4), validation_split=0.3, subset="both", seed=2,
                                              verbose=False)
    assert len(train.file_paths) == 8 and len(val.file_paths) == 3
    assert set(train.file_paths).isdisjoint(val.file_paths) and train.class_names == val.class_names
    explicit = image_dataset_from_directory(folder, image_size=(4, 4), labels=list(range(11)), shuffle=False,
                                            verbose=False)
    assert explicit.class_names == [str(i) for i in range(11)]


def test_fit_on_a_folder_of_images(folder):
    ds = image_dataset_from_directory(folder, image_size=(6, 6), batch_size=4, seed=0, verbose=False)
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((6, 6, 3)), ks.layers.Flatten(), ks.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=ks.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_errors(folder, tmp_path):
    cases = [({"labels": "other"}, "`labels` argument should be a list/tuple of integer labels"),
             ({"label_mode": "other"}, '`label_mode` argument must be one of "int", "categorical", "binary"'),
             ({"color_mode": "other"}, "`color_mode` must be one of"),
             ({"labels": [0] * 11, "class_names": ["a"]}, 'You can only pass `class_names` if `labels="inferred"`'),
             ({"image_size": (1, 2, 3)}, r"Invalid `image_size` value\. Expected a tuple of 2 integers"),
             ({"interpolation": "cubic"}, r"Argument `interpolation` should be one of"),
             ({"interpolation": "area"}, r"`interpolation='area'` is TensorFlow's resize method"),
             ({"format": "torch"}, r'`format` should be either "tf" or "grain"\. Received: format=torch'),
             ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "Only one of `pad_to_aspect_ratio`"),
             ({"validation_split": 0.2, "subset": "training"}, "must provide a `seed` argument"),
             ({"validation_split": 2}, "`validation_split` must be between 0 and 1"),
             ({"labels": [0, 1]}, "Expected the lengths of `labels` to match the number of files"),
             ({"class_names": ["cats", "birds"]}, "`class_names` passed did not match")]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            image_dataset_from_directory(folder, verbose=False, **kwargs)
    os.mkdir(tmp_path / "a")
    os.mkdir(tmp_path / "b")
    os.mkdir(tmp_path / "c")
    with pytest.raises(ValueError, match=r"No images found in directory .*\. Allowed formats: \('.bmp'"):
        image_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(ValueError, match=r'When passing `label_mode="binary"`, there must be exactly 2 class_names'):
        image_dataset_from_directory(tmp_path, label_mode="binary", verbose=False)
